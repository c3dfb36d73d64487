"""End of turn that knows what the agent asked: the draft transcript at a short pause decides how long a silence ends the turn.

Pure and clock-free: (the slot the agent is asking for, the draft text, the language) -> verdict and hangover, tested without audio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from voicebridge.dialogue.parsers import PhoneNumber, find_phone_numbers, is_goodbye, is_no, is_yes, parse_address, parse_name, parse_urgency


class Completion(Enum):
    COMPLETE = "complete"  # the draft is what the agent asked for: answer after a short hangover
    SENTENCE = "sentence"  # a finished sentence to an open question ("what can we do for you?"): a little shorter than usual
    OPEN = "open"  # nothing either way: the configured hangover
    UNFINISHED = "unfinished"  # visibly cut off (a trailing "und", a number group missing): wait longer than usual


@dataclass(frozen=True)
class HangoverSettings:
    default_ms: int = 600
    complete_ms: int = 250
    sentence_ms: int = 600
    unfinished_ms: int = 1200

    def for_completion(self, completion: Completion) -> int:
        return {
            Completion.COMPLETE: self.complete_ms,
            Completion.SENTENCE: self.sentence_ms,
            Completion.OPEN: self.default_ms,
            Completion.UNFINISHED: self.unfinished_ms,
        }[completion]


@dataclass(frozen=True)
class HangoverDecision:
    completion: Completion
    hangover_ms: int
    reason: str


# Words a caller does not end a turn on: conjunctions, articles, prepositions, fillers, "is" before the thing itself.
_TRAILING = {
    "de": frozenset(
        "und oder aber also äh ähm ehm öhm hm mhm sondern weil dass wenn ob denn nämlich bzw beziehungsweise "
        "der die das den dem des ein eine einen einem einer mein meine meinen meinem meiner ihre ihr unser unsere "
        "ist sind war bin heißt heisse heiße lautet wäre in im an am auf aus bei beim mit von vom zu zum zur für nach "
        "nummer telefonnummer handynummer rufnummer name adresse straße postleitzahl plz hausnummer plus".split()
    ),
    "en": frozenset(
        "and or but so um uh er erm hmm because that if when which the a an my our your their his her is are was "
        "it's its in at on of to for with from by into about number phone name address street postcode zip plus "
        "double triple".split()
    ),
}
_ELLIPSIS_RE = re.compile(r"(\.\.\.|…)\s*$")
_SENTENCE_END_RE = re.compile(r"[.!?]\s*$")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*|\d+")
_NUMBER_CUE_RE = re.compile(
    r"\b(nummer|telefon\w*|handy\w*|rufnummer|erreichbar|erreichen|zurückrufen|vorwahl|number|phone|mobile|reach me|call me|ring me)\b", re.I
)
_DIGIT_WORDS = frozenset(
    "null eins zwei zwo drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig vierzig fünfzig sechzig siebzig "
    "achtzig neunzig hundert doppel "
    "zero oh one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred double triple".split()
)
_FILLER = frozenset("ja jaa also äh ähm hallo hi hello hey ok okay yes yeah so well um uh genau bitte danke thanks".split())
_NOT_NAME = frozenset("ja nein ok okay genau hallo danke bitte yes no thanks hello the this that ich is".split())
_NUMBER_SLOTS = frozenset({"number", "contact", "confirm_number", "caller_id"})
_YES_NO_SLOTS = frozenset({"confirm_number", "caller_id", "transfer_offer"})
_OPEN_SLOTS = frozenset({"concern", "message", "anything_else", ""})


def ends_on_digit(text: str) -> bool:
    """The last word is a digit or a number word ("… 0171.", "… null eins sieben"): the caller may be inside a number."""
    words = _WORD_RE.findall(text)
    return bool(words) and (words[-1].isdigit() or words[-1].lower() in _DIGIT_WORDS)


def judge_turn(asking: str, text: str, language: str) -> tuple[Completion, str]:
    """How finished the caller's draft is, given the slot the agent asked for, and why (a few words for the log)."""
    lang = language if language in _TRAILING else "en"
    words = _WORD_RE.findall(text)
    if not words:
        return Completion.OPEN, "no words"
    last = words[-1].lower()
    if _ELLIPSIS_RE.search(text):
        return Completion.UNFINISHED, "trailing ellipsis"
    if last in _TRAILING[lang]:
        return Completion.UNFINISHED, f"ends on '{last}'"
    speaking_number = asking in _NUMBER_SLOTS or _NUMBER_CUE_RE.search(text) is not None
    on_digit = ends_on_digit(text)
    number = _last_number(text, language)
    if speaking_number and on_digit:
        if number is None:
            return Completion.UNFINISHED, "digits, no number yet"
        state = number_state(number)
        if state is Completion.UNFINISHED:
            return Completion.UNFINISHED, f"number cut off ({len(number.number.lstrip('+'))} digits)"
    if asking in _YES_NO_SLOTS and (is_yes(text, language) or is_no(text, language)) and number is None:
        return Completion.COMPLETE, "yes/no to a question"
    whole_number = speaking_number and on_digit and number is not None and number_state(number) is Completion.COMPLETE
    if whole_number and asking == "contact":
        if parse_name(text, language) is not None:
            return Completion.COMPLETE, "a name and a whole phone number"
        return Completion.OPEN, "a number, the name may follow"
    if whole_number:
        return Completion.COMPLETE, "a whole phone number"  # asked for, or given unasked at the end of the concern
    if asking == "name" and _is_name_answer(text, language):
        return Completion.COMPLETE, "a name"
    if asking == "address":
        address = parse_address(text, language)
        if address is not None and address.street and address.house_number and (address.city or address.postcode):
            return Completion.COMPLETE, "a whole address"
        return Completion.OPEN, "not a whole address yet"
    if asking == "urgency" and parse_urgency(text, language).level != "unknown":
        return Completion.COMPLETE, "an urgency"
    if asking == "anything_else" and (is_no(text, language) or is_goodbye(text, language)):
        return Completion.COMPLETE, "nothing else"
    if is_goodbye(text, language):
        return Completion.COMPLETE, "goodbye"
    if asking in _OPEN_SLOTS and _SENTENCE_END_RE.search(text) and len(words) >= 4:
        return Completion.SENTENCE, "a finished sentence"
    return Completion.OPEN, "open"


def decide_hangover(asking: str, text: str, language: str, settings: HangoverSettings) -> HangoverDecision:
    completion, reason = judge_turn(asking, text, language)
    return HangoverDecision(completion, settings.for_completion(completion), reason)


def number_state(number: PhoneNumber) -> Completion:
    """COMPLETE when the digits make a whole number for its kind, UNFINISHED when a group is surely missing, else OPEN.

    By prefix, not by language: German mobiles 015x/017x have 11 digits and 016x 10 or 11, UK mobiles and London 11,
    other German landlines 9-11 (10 is the usual), North American 10, international ones at least 11 with the country code.
    """
    digits = number.number.lstrip("+")
    n = len(digits)
    if number.international:
        complete, unfinished_below = 11, 9
    elif digits.startswith(("015", "017", "07", "020")):
        complete, unfinished_below = 11, 10
    elif digits.startswith("016"):
        complete, unfinished_below = 10, 10
    elif digits.startswith("0"):
        complete, unfinished_below = 10, 7
    else:
        complete, unfinished_below = 10, 7
    if n >= complete:
        return Completion.COMPLETE
    return Completion.UNFINISHED if n < unfinished_below else Completion.OPEN


def _last_number(text: str, language: str) -> PhoneNumber | None:
    numbers = find_phone_numbers(text, language)
    return numbers[-1] if numbers else None


def _is_name_answer(text: str, language: str) -> bool:
    """A self-introduction, or a bare name as the whole answer ("Müller." / "Schmidt, Anna")."""
    if parse_name(text, language) is not None:
        return True
    words = [w for w in _WORD_RE.findall(text) if w.lower() not in _FILLER]
    return 1 <= len(words) <= 3 and all(w[0].isupper() and not w.isdigit() and w.lower() not in _NOT_NAME for w in words)
