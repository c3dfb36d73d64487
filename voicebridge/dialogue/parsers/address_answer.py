"""The answer to "An welcher Adresse …?" as the note's address: parsed when it can be, kept as said only when it could be one.

A time window, an urgency, a yes/no, a number, a name or a question is never stored as an address (issue 10, defect 5).
"""

from __future__ import annotations

import re
from datetime import datetime

from voicebridge.dialogue.parsers.address import NOT_PLACE, parse_address
from voicebridge.dialogue.parsers.name_answers import parse_name_answer
from voicebridge.dialogue.parsers.number_words import CARDINALS
from voicebridge.dialogue.parsers.phone import parse_phone_number
from voicebridge.dialogue.parsers.replies import is_goodbye, is_no, is_yes, wants_person
from voicebridge.dialogue.parsers.text import lang_code, tokenize
from voicebridge.dialogue.parsers.urgency import parse_urgency
from voicebridge.dialogue.parsers.when import DEFAULT_TIMEZONE, parse_when

_GERMAN_STREET_RE = re.compile(r"(stra(ss|ß)e|str\.|weg|platz|gasse|allee|ring|damm|ufer)$", re.IGNORECASE)
_LEADING_FILLER_RE = re.compile(
    r"^(?:(?:ja|jaa|also|äh|ähm|ehm|hm|um|uh|ok|okay|yes|yeah|so|well|genau|gerne?|bitte|das ist|das wäre|it's|it is)\b[\s,.!-]*)+", re.IGNORECASE
)


def address_from_answer(text: str, language: str, now: datetime | None = None) -> str | None:
    """The address to note for an answer to the address question, or None when the answer is something else.

    A parsed address comes back in one line (German order for a German street). An unparsed answer is kept as said only when it
    has what an address has, a house number and a capitalised place word ("Dorfstraße am Ende, Nummer 3" misheard as "Dorf
    Strasse Ende 3"); "Am besten nächste Woche Dienstag vormittags", "möglichst bald", "ja", "0171 …" give None.
    """
    lang = lang_code(language)
    address = parse_address(text, lang)
    if address is not None and (address.street or address.city):
        partial = address.house_number is None and address.postcode is None and address.city is None
        if not (partial and any(token.is_digits for token in tokenize(text)) and looks_like_address(text, lang, now)):
            german = bool(address.street and _GERMAN_STREET_RE.search(address.street))
            return address.one_line("de" if german else lang)
    if not looks_like_address(text, lang, now):
        return None
    return _LEADING_FILLER_RE.sub("", text.strip()).strip(" .,")


def looks_like_address(text: str, language: str, now: datetime | None = None) -> bool:
    """True when an answer the address parser could not read still has an address's shape and says nothing else a parser knows."""
    lang = lang_code(language)
    text = _LEADING_FILLER_RE.sub("", text.strip())  # "Ja, Dorfstraße …" is no yes
    if not text or text.endswith("?"):
        return False
    now = now or datetime.now(DEFAULT_TIMEZONE)
    if parse_when(text, lang, now) is not None or parse_urgency(text, lang).level != "unknown":
        return False
    if is_yes(text, lang) or is_no(text, lang) or is_goodbye(text, lang) or wants_person(text, lang):
        return False
    if parse_phone_number(text, lang) is not None:
        return False
    tokens = [token for token in tokenize(text) if token.is_word]
    has_number = any((token.is_digits and len(token.text) <= 4) or token.fold in CARDINALS[lang] for token in tokens)
    has_place = any(token.is_capitalised and token.fold not in NOT_PLACE and not token.is_digits for token in tokens)
    if not (has_number and has_place):
        return False
    # A bare name with nothing else ("Koch") is the answer to another question.
    return not (parse_name_answer(text, lang) is not None and not any(token.is_digits for token in tokens))
