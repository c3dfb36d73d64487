"""Phone numbers in an utterance: digits, digit words, pairs, "doppel"/"double", "plus vier neun", read back in groups.

Amounts, dates, times, house numbers, postcodes and labelled numbers (Kundennummer …) are kept out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from voicebridge.dialogue.parsers.address import WEEKDAY_NAMES, find_addresses, postcode_candidates
from voicebridge.dialogue.parsers.number_words import CARDINALS, DIGIT_WORDS, EN_UNITS
from voicebridge.dialogue.parsers.text import blank_spans, fold_text, lang_code, tokenize

# "oh" is also an interjection ("Oh, meine Nummer …"); it only counts as zero next to other spoken digits.
_AMBIGUOUS_ZERO = frozenset({"oh", "o"})
_MULTIPLIERS = {"doppel": 2, "doppelt": 2, "double": 2, "triple": 3, "treble": 3, "tripel": 3, "dreifach": 3}
# "zwo", not "zwei": on the phone the two is said "zwo" so it cannot be heard as "drei".
_READBACK = {
    "de": ("null", "eins", "zwo", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"),
    "en": EN_UNITS,
}
# The pause between read-back groups. English: a full stop, where the voice pauses longer than at a dash; on 8 kHz lines
# Whisper then heard more read-backs digit for digit. German: the dash, which measured as well as the stop
# (benchmarks/readback_intelligibility.py, README "How well callers understand each voice").
_GROUP_PAUSE = {"de": " – ", "en": ". "}
# Digits right before these words are an amount, a time or a measurement, never a callback number.
_UNIT_WORDS = {
    "de": frozenset(
        fold_text(word)
        for word in (
            "uhr",
            "euro",
            "eur",
            "€",
            "cent",
            "prozent",
            "%",
            "liter",
            "meter",
            "qm",
            "m²",
            "quadratmeter",
            "kilo",
            "kg",
            "km",
            "grad",
            "jahre",
        )
        + ("jahren", "stück", "minuten", "stunden", "tage", "tagen", "wochen", "mal", "bar", "kw", "watt", "volt", "$", "£", "dollar")
    ),
    "en": frozenset(
        ("am", "pm", "o'clock", "euro", "euros", "€", "dollars", "dollar", "$", "pounds", "pound", "£", "percent", "%", "litres", "liters")
        + ("metres", "meters", "kg", "km", "degrees", "years", "minutes", "hours", "days", "weeks", "times", "bar", "kw", "watts", "volts")
    ),
}
# Numbers that callers read out but that are not phone numbers.
_NOT_PHONE_LABELS = tuple(
    fold_text(word)
    for word in (
        "kundennummer",
        "kundennr",
        "rechnungsnummer",
        "rechnungsnr",
        "auftragsnummer",
        "auftragsnr",
        "vertragsnummer",
        "bestellnummer",
    )
    + (
        "zählernummer",
        "vorgangsnummer",
        "aktenzeichen",
        "seriennummer",
        "artikelnummer",
        "steuernummer",
        "iban",
        "invoice",
        "order",
        "reference",
    )
    + ("account", "ticket", "serial", "policy", "customer", "postleitzahl", "plz", "zip", "postcode")
)
_PHONE_NEGATORS = frozenset({"nicht", "not", "nein", "no"})
_NOT_PHONE_RES = (
    re.compile(r"(?<![\d.])\d{1,2}\.\s?\d{1,2}\.(?:\s?\d{4}|\s?\d{2}\b)?"),  # 03.12. / 3.12.2026
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # 12/03/2026
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # 2026-12-03
    re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:uhr\b|h\b|am\b|pm\b|a\.m\.|p\.m\.)", re.IGNORECASE),  # 14.30 Uhr
    re.compile(r"\b\d{1,2}:\d{2}\b"),  # 14:30
)
# A word after a number that takes it, or its end, back.
_TAKE_BACK = frozenset(
    fold_text(word)
    for word in ("nein", "nee", "no", "nope", "sorry", "entschuldigung", "pardon", "korrektur", "meinte", "meant", "verbessere")
    + ("falsch", "wrong", "sondern", "actually", "letzte", "letzten", "last", "ende", "end", "rather", "quatsch", "oops")
)
# Labels of the other numbers a caller may correct right after their phone number.
_OTHER_FIELD_LABELS = frozenset(fold_text(word) for word in ("hausnummer", "nr", "postleitzahl", "plz", "uhr", "house", "flat", "postcode", "zip"))
# ... and of a time: "nein, am Montag um 9" corrects the day, not the number.
_OTHER_FIELD_LABELS |= frozenset(("um", "ab", "bis", "gegen", "at", "after", "before", "until", "by", "from", "around"))
_OTHER_FIELD_LABELS |= frozenset(WEEKDAY_NAMES)
# Words Whisper writes for a spoken digit; they only count between digits ("555123 for 567").
_HOMOPHONE_DIGITS = {"for": "4", "fore": "4"}
# "+49 (0)30 …": the bracketed trunk zero is not dialled from abroad.
_TRUNK_ZERO_RE = re.compile(r"((?:\+|\b00)\d{1,3}\s*)\(0\)")
_PHONE_TOKEN_RE = re.compile(r"\+|[^\W_]+(?:'[^\W_]+)?|[-–/().,]|\S")
_PHONE_SEPARATORS = frozenset("-–/()")
# Country codes of two digits; "1" and "7" have one, all others three (ITU-T E.164 zones).
_TWO_DIGIT_COUNTRY_CODES = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54".split() + "55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
)
# Berlin, Hamburg, Frankfurt, Munich, London: three-digit prefixes; most other German area codes are read as four.
_SHORT_AREA_CODES = frozenset({"030", "040", "069", "089", "020"})


@dataclass(frozen=True)
class PhoneNumber:
    """A callback number: `number` holds only digits, with a leading "+" when international; `groups` is how to read it back."""

    number: str
    groups: tuple[str, ...]

    @property
    def international(self) -> bool:
        return self.number.startswith("+")

    def spoken_back(self, language: str, group_separator: str | None = None) -> str:
        """Digit by digit for the TTS: "null, eins, sieben, eins – zwo, drei, vier – …"; the separator marks a pause."""
        separator = _GROUP_PAUSE[lang_code(language)] if group_separator is None else group_separator
        words = _READBACK[lang_code(language)]
        return separator.join(", ".join("plus" if ch == "+" else words[int(ch)] for ch in group) for group in self.groups)


@dataclass
class _Run:
    """A phone number being assembled from adjacent digits, digit words and separators."""

    start: int
    end: int
    plus: bool = False
    groups: list[str] = field(default_factory=list)
    spoken: bool = False
    last_spoken: bool = False
    last_tens: bool = False


def _chunk(digits: str) -> list[str]:
    # Read-back groups of three with a final four (7 → 3+4, 10 → 3+3+4); eight splits evenly (4+4); up to five stay whole ("07700").
    parts = []
    while len(digits) > 5:
        size = 4 if len(digits) == 8 else 3
        parts.append(digits[:size])
        digits = digits[size:]
    if digits:
        parts.append(digits)
    return parts


def _country_code_length(digits: str) -> int:
    if digits[0] in "17":
        return 1
    return 2 if digits[:2] in _TWO_DIGIT_COUNTRY_CODES else 3


def _reading_groups(digits: str, caller_groups: list[str], plus: bool) -> tuple[str, ...]:
    # The caller's own grouping is the easiest to check back, unless it was digit by digit ("1 800 …" may lead with one).
    meaningful = len(caller_groups) >= 2 and all(len(group) >= 2 for group in caller_groups[1:])
    if plus:
        code = digits[: _country_code_length(digits)]
        if meaningful and caller_groups[0] == code:
            rest = [part for group in caller_groups[1:] for part in _chunk(group)]
        else:
            rest = _chunk(digits[len(code) :])
        return ("+" + code, *rest)
    if meaningful:
        return tuple(part for group in caller_groups for part in _chunk(group))
    if digits.startswith("0"):
        head = 3 if digits[:3] in _SHORT_AREA_CODES else 4
        return (digits[:head], *_chunk(digits[head:]))
    if len(digits) == 10:  # North American: 555 123 4567
        return digits[:3], digits[3:6], digits[6:]
    return tuple(_chunk(digits))


def _finish_run(run: _Run) -> PhoneNumber | None:
    groups = [group for group in run.groups if group]
    plus = run.plus
    if not plus and groups and groups[0].startswith("00"):
        plus = True  # 0049 … is the same as +49 …
        groups[0] = groups[0][2:]
        groups = [group for group in groups if group]
    if plus and len(groups) >= 2 and len(groups[0]) <= 3 and groups[1].startswith("0"):
        groups[1] = groups[1][1:]  # "+49 030 …": the national trunk zero is not dialled from abroad
    digits = "".join(groups)
    if not 6 <= len(digits) <= 15 or (plus and digits.startswith("0")):
        return None
    return PhoneNumber(("+" if plus else "") + digits, _reading_groups(digits, groups, plus))


def _digit_atom(tok: str, fold: str, next_fold: str, prev_spoken: bool, lang: str) -> tuple[str, bool, bool] | None:
    """(digits, spoken, is_tens_word) for one token, or None when it is no part of a number."""
    if tok.isascii() and tok.isdigit():
        return tok, False, False
    digit_words = DIGIT_WORDS[lang]
    if fold in digit_words:
        if fold in _AMBIGUOUS_ZERO and not prev_spoken and next_fold not in digit_words:
            return None
        return digit_words[fold], True, False
    value = CARDINALS[lang].get(fold)
    if value is not None and value >= 10:
        return str(value), True, value % 10 == 0
    for word, times in _MULTIPLIERS.items():  # "Doppelnull", "doppel-null"
        rest = fold.removeprefix(word).lstrip("-")
        if rest != fold and rest in digit_words:
            return digit_words[rest] * times, True, False
    return None


def _phone_masks(text: str, lang: str) -> list[tuple[int, int]]:
    spans = [m.span() for regex in _NOT_PHONE_RES for m in regex.finditer(text)]
    spans += [span for match in find_addresses(text) for span in match.number_spans]
    spans += [(start, end) for start, end, _ in postcode_candidates(text, lang)]
    return spans


def _is_digit_token(tokens: list[re.Match[str]], folds: list[str], index: int, lang: str) -> bool:
    return index < len(tokens) and (tokens[index].group().isdigit() or folds[index] in DIGIT_WORDS[lang] or folds[index] in DIGIT_WORDS["de"])


def _is_prefix(run: _Run) -> bool:
    """An area code or country code said on its own ("0171", "089", "+49"): too short to be a number, clearly the start of one."""
    return (run.plus or run.groups[0].startswith("0")) and sum(len(group) for group in run.groups) < 6


def _is_unfinished(run: _Run) -> bool:
    # German and British numbers with their area code have 10-12 digits; "089 123456. 3 Zimmer" ends before the 3.
    return (run.plus or run.groups[0].startswith("0")) and sum(len(group) for group in run.groups) < 10


def _skip_separators(tokens: list[re.Match[str]], index: int) -> int:
    while index < len(tokens) and (tokens[index].group() in _PHONE_SEPARATORS or tokens[index].group() == ","):
        index += 1
    return index


def _phone_runs(text: str, lang: str) -> list[_Run]:
    masked = _TRUNK_ZERO_RE.sub(lambda m: m.group(1) + "   ", blank_spans(text, _phone_masks(text, lang)))
    tokens = list(_PHONE_TOKEN_RE.finditer(masked))
    folds = [fold_text(m.group()) for m in tokens]
    runs: list[_Run] = []
    run: _Run | None = None
    pending: str | None = None  # the separator seen since the last digit
    multiplier = 1

    def close() -> None:
        nonlocal run, pending, multiplier
        if run is not None and run.groups:
            runs.append(run)
        run, pending, multiplier = None, None, 1

    for index, m in enumerate(tokens):
        tok, fold = m.group(), folds[index]
        next_fold = folds[index + 1] if index + 1 < len(tokens) else ""
        if tok == "+" or fold == "plus":
            close()
            run = _Run(m.start(), m.end(), plus=True)
            continue
        if fold in _MULTIPLIERS:
            multiplier = _MULTIPLIERS[fold]
            run = run or _Run(m.start(), m.end())
            run.spoken = True  # "triple-2, 3-3-4-4": the caller is saying digits, so a comma joins the groups
            continue
        if fold in _HOMOPHONE_DIGITS and run is not None and run.groups and pending is None and _is_digit_token(tokens, folds, index + 1, lang):
            tok = fold = _HOMOPHONE_DIGITS[fold]  # "555123 for 567": Whisper writes a spoken four as "for"
        atom = _digit_atom(tok, fold, next_fold, run is not None and run.last_spoken, lang)
        if atom is not None:
            digits, spoken, tens = atom
            if multiplier > 1:
                digits, multiplier = digits[0] * (multiplier - 1) + digits, 1
            if run is not None and run.groups and pending == ",":
                # A comma joins spoken groups ("null eins sieben eins, zwo drei …") but not "Hausnummer 12, 0171 …".
                if not (run.spoken or spoken or run.plus or run.groups[0].startswith("0")):
                    close()
            if run is None:
                run = _Run(m.start(), m.end())
            if run.last_tens and spoken and pending is None and len(digits) == 1 and digits != "0":
                run.groups[-1] = run.groups[-1][:-1] + digits  # "twenty three" is 23, not 203
            elif spoken and run.last_spoken and pending is None:
                run.groups[-1] += digits
            else:
                run.groups.append(digits)
            run.spoken |= spoken
            run.last_spoken, run.last_tens = spoken, tens
            run.end, pending = m.end(), None
            continue
        if tok in _PHONE_SEPARATORS or tok == ",":
            if run is None and tok == "(":
                run = _Run(m.start(), m.end())
            elif run is not None:
                pending = "," if tok == "," else pending or tok
            continue
        if tok == "." and run is not None and run.groups and index + 1 < len(tokens):
            after = tokens[index + 1]
            # A dot squeezed between digits ("0171.2345678") is a separator; otherwise it ends the sentence ...
            squeezed = tokens[index - 1].end() == m.start() and after.start() == m.end() and after.group().isdigit()
            # ... except where Whisper ends one at the caller's pause ("0171. 2, 3, 4 …", "089. 3 3 3 …", "Zwei drei vier. Fünf …"):
            # a prefix that is no number on its own, or a short number that goes on with more digits, continues.
            paused = _is_digit_token(tokens, folds, index + 1, lang) and (
                _is_prefix(run) or (_is_unfinished(run) and _is_digit_token(tokens, folds, _skip_separators(tokens, index + 2), lang))
            )
            if squeezed or paused:
                pending = pending or "."
                continue
        if run is not None and run.groups and fold in _UNIT_WORDS[lang]:
            run = None  # "150 000 Euro" is an amount
        close()
    close()
    return runs


def _preceding_words(text: str, start: int, count: int) -> list[str]:
    return [token.fold for token in tokenize(text[:start]) if token.is_word][-count:]


def phone_candidates(text: str, lang: str) -> list[tuple[PhoneNumber, _Run, bool]]:
    """Every plausible number with its run and whether the caller negated it ("nicht 0171 …, sondern …")."""
    found = []
    for run in _phone_runs(text, lang):
        number = _finish_run(run)
        if number is None:
            continue
        before = _preceding_words(text, run.start, 3)
        # German compounds end in the label ("Neukundennummer"); English labels are whole words.
        if any(word == label or (len(label) > 6 and word.endswith(label)) for word in before for label in _NOT_PHONE_LABELS):
            continue
        found.append((number, run, any(word in _PHONE_NEGATORS for word in before[-2:])))
    return found


def number_start(text: str, language: str) -> str | None:
    """The start of a number said on its own ("Meine Nummer ist 0171.", "null acht neun", "plus vier neun") when the
    utterance holds no whole number: the caller paused after the area code, and the rest comes in the next turn."""
    lang = lang_code(language)
    if phone_candidates(text, lang):
        return None
    starts = [run for run in _phone_runs(text, lang) if run.groups and _is_prefix(run)]
    return ("+" if starts[-1].plus else "") + "".join(starts[-1].groups) if starts else None


def find_phone_numbers(text: str, language: str) -> list[PhoneNumber]:
    """All phone numbers in the utterance, in the order they were said."""
    return [number for number, _, _ in phone_candidates(text, lang_code(language))]


def _take_back_at(text: str) -> int | None:
    """Where the first word that takes a number back ends ("nein", "sorry", "ich meine", "I mean"), or None."""
    tokens = [token for token in tokenize(text) if token.is_word]
    for index, token in enumerate(tokens):
        pair = (tokens[index - 1].fold, token.fold) if index else ("", token.fold)
        if token.fold in _TAKE_BACK or pair in (("ich", "meine"), ("i", "mean")):
            return token.end
    return None


def _restarted(first: PhoneNumber, later: PhoneNumber) -> bool:
    # The caller broke off and began again ("0170 987 … 0170 98765 43"), whatever Whisper made of the "nein" in between.
    return len(first.number) < 10 and len(later.number) > len(first.number) and later.number[:4] == first.number[:4]


def _takes_back(text: str) -> bool:
    return _take_back_at(text) is not None


def parse_phone_number(text: str, language: str) -> PhoneNumber | None:
    """The callback number in the utterance: the first one the caller did not take back, with their corrections applied, or None.

    Taken back: "nicht 0171 …, sondern …", or a number followed by "nein"/"Entschuldigung"/"sorry" and another number. A short
    group after such a word fixes the end ("0171 234 567, nein, 568"; "…, die letzte ist eine acht"; "the last one is a five").
    """
    lang = lang_code(language)
    candidates = phone_candidates(text, lang)
    if not candidates:
        return None
    kept = [
        (number, run, candidates[index + 1][1].start if index + 1 < len(candidates) else len(text))
        for index, (number, run, negated) in enumerate(candidates)
        if not negated
        and not (index + 1 < len(candidates) and _takes_back(text[run.end : candidates[index + 1][1].start]))
        and not (index + 1 < len(candidates) and _restarted(number, candidates[index + 1][0]))
    ]
    number, run, until = kept[0] if kept else (candidates[0][0], candidates[0][1], len(text))
    return correct_phone_number(number, text[run.end : until], lang) or number


def correct_phone_number(number: PhoneNumber, text: str, language: str) -> PhoneNumber | None:
    """`number` with the digits the caller corrects in `text`, or None when `text` corrects no digits of it.

    For the answer to a read-back as much as for a correction in the same breath: "Nein, die letzte ist eine acht",
    "nein, 568 am Ende", "nicht 0171, sondern 0172", "sorry, the last one is a five". A whole new number (6+ digits) is
    not a correction of this one: `parse_phone_number` reads it.
    """
    lang = lang_code(language)
    cue_end = _take_back_at(text)
    if cue_end is None:
        return None
    tail = text[cue_end:]
    runs = [run for run in _phone_runs(tail, lang) if run.groups]
    if not runs or len(fix := "".join(runs[-1].groups)) > 5:
        return None
    if any(word in _OTHER_FIELD_LABELS for word in _preceding_words(tail, runs[-1].start, 3)):
        return None  # "nein, die Hausnummer ist 12": a correction of something else
    plus, digits = number.international, number.number.lstrip("+")
    wrong = next((group for group in _phone_runs(text, lang) if _negated_group(text, group, lang)), None)
    old = "".join(wrong.groups) if wrong is not None else ""
    if old and len(old) == len(fix) and old in digits:
        at = digits.rindex(old)  # "nicht 0171, sondern 0172": the group they name, wherever it is
        digits = digits[:at] + fix + digits[at + len(fix) :]
    elif len(fix) < len(digits):
        digits = digits[: len(digits) - len(fix)] + fix  # "die letzte ist eine acht": the end of the number
    else:
        return None
    return PhoneNumber(("+" if plus else "") + digits, _reading_groups(digits, [], plus))


def _negated_group(text: str, run: _Run, lang: str) -> bool:
    return any(word in _PHONE_NEGATORS for word in _preceding_words(text, run.start, 1))
