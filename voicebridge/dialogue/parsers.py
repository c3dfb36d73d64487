"""Rule-based parsers that turn one transcribed caller utterance into call-note fields: number, address, time, name, urgency.

German and English, written for Whisper's output (odd capitals, trailing punctuation, digits as words, "ae" for "ä"); no models, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TIMEZONE",
    "Address",
    "PhoneNumber",
    "TimeWindow",
    "Urgency",
    "UrgencyLevel",
    "find_phone_numbers",
    "is_goodbye",
    "is_no",
    "is_yes",
    "parse_address",
    "parse_company",
    "parse_correction",
    "parse_name",
    "parse_phone_number",
    "parse_postcode",
    "parse_urgency",
    "parse_when",
    "wants_person",
]

DEFAULT_TIMEZONE = ZoneInfo("Europe/Berlin")

# ---------------------------------------------------------------------------------------------------------------------------------
# Text helpers shared by every parser
# ---------------------------------------------------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def _lang(language: str) -> str:
    # Whisper reports "de", a config may say "de-DE"; anything not English gets the product's home language.
    return "en" if language.strip().lower().startswith("en") else "de"


def _fold(text: str) -> str:
    # Whisper writes one word as "Straße", "Strasse" or "strasse", "Müller" or "Mueller": compare in a single spelling.
    return text.translate(_APOSTROPHES).casefold().translate(_UMLAUTS)


_V = TypeVar("_V")


def _folded(table: dict[str, _V]) -> dict[str, _V]:
    return {_fold(key): value for key, value in table.items()}


def _alt(words: Iterable[str]) -> str:
    # Longest first, so "übermorgen" is tried before "morgen".
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    # "#" keeps offsets stable and stops digits on either side from joining into one number.
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "#" * (end - start)
    return "".join(chars)


def _overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


_TOKEN_RE = re.compile(r"[^\W_]+(?:['-][^\W_]+)*|[.,;:!?&]")
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


@dataclass(frozen=True)
class _Token:
    text: str
    fold: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def is_capitalised(self) -> bool:
        return self.text[0].isupper()

    @property
    def is_digits(self) -> bool:
        return self.text.isascii() and self.text.isdigit()


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), _fold(m.group()), m.start(), m.end()) for m in _TOKEN_RE.finditer(text.translate(_APOSTROPHES))]


# --- phrase tables -----------------------------------------------------------------------------------------------------------------
# Tables are written in plain German/English and folded once; "…" lets up to three words sit in between ("Heizung ist
# komplett ausgefallen"), and a leading "*" lets the word end a German compound ("*rohrbruch" finds "Wasserrohrbruch").

_GAP = "…"
_MAX_GAP = 3
# No bare "s": "notfalls" means "if need be", not "emergency".
_INFLECTIONS = ("", "e", "n", "en", "es", "er", "em")
_NEGATORS = frozenset({"nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "ohne"}) | frozenset(
    {"no", "not", "never", "without", "nothing"}
)
_CLAUSE_BREAKS = frozenset({".", ",", ";", ":", "!", "?", "aber", "sondern", "but"})


def _is_negator(fold: str) -> bool:
    return fold in _NEGATORS or fold.endswith("n't")


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    compound: bool


@dataclass(frozen=True)
class _Match:
    start: int
    end: int


def _phrases(*entries: str) -> tuple[_Phrase, ...]:
    return tuple(_Phrase(tuple(_fold(word) for word in entry.lstrip("*").split()), entry.startswith("*")) for entry in entries)


def _word_matches(fold: str, word: str, compound: bool, inflect: bool) -> bool:
    for ending in _INFLECTIONS if inflect else ("",):
        target = word + ending
        if fold == target or (compound and fold.endswith(target)):
            return True
    return False


def _match_words(tokens: Sequence[_Token], j: int, phrase: _Phrase, k: int, inflect: bool) -> int | None:
    words = phrase.words
    if k == len(words):
        return j
    if words[k] == _GAP:
        for skip in range(_MAX_GAP + 1):
            end = _match_words(tokens, j + skip, phrase, k + 1, inflect)
            if end is not None:
                return end
            # A negator inside the gap flips the meaning ("Heizung ist nicht ausgefallen"), so it ends the gap.
            if j + skip >= len(tokens) or not tokens[j + skip].is_word or _is_negator(tokens[j + skip].fold):
                return None
        return None
    if k > 0:
        # Whisper sprinkles commas into spoken phrases: "nein, danke", "actually, it's".
        while j < len(tokens) and tokens[j].fold == ",":
            j += 1
    if j >= len(tokens) or not _word_matches(tokens[j].fold, words[k], phrase.compound and k == 0, inflect):
        return None
    return _match_words(tokens, j + 1, phrase, k + 1, inflect)


def _negated(tokens: Sequence[_Token], start: int, end: int) -> bool:
    # "kein Notfall", "not urgent", "es ist nicht dringend": a negator shortly before, in the same clause.
    for token in reversed(tokens[max(0, start - 3) : start]):
        if token.fold in _CLAUSE_BREAKS:
            break
        if _is_negator(token.fold):
            return True
    # German negates after the verb: "das Wasser läuft nicht", "das war's noch nicht".
    after = [token.fold for token in tokens[end : end + 2]]
    return after[:1] in (["nicht"], ["not"]) or after == ["noch", "nicht"]


def _find(
    tokens: Sequence[_Token], phrases: Sequence[_Phrase], *, inflect: bool = False, negatable: bool = True, start: int = 0
) -> _Match | None:
    """The earliest match; at one position the longest, so "no problem" beats "no"."""
    for i in range(start, len(tokens)):
        best: int | None = None
        for phrase in phrases:
            end = _match_words(tokens, i, phrase, 0, inflect)
            if end is not None and (best is None or end > best) and not (negatable and _negated(tokens, i, end)):
                best = end
        if best is not None:
            return _Match(i, best)
    return None


def _span_text(text: str, tokens: Sequence[_Token], match: _Match) -> str:
    return text[tokens[match.start].start : tokens[match.end - 1].end]


# --- number words ------------------------------------------------------------------------------------------------------------------

_DE_UNITS = ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun")
_DE_TEENS = ("zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn")
_DE_TENS = ("", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig")
_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _de_number(n: int) -> str:
    if n < 20:
        return _DE_UNITS[n] if n < 10 else _DE_TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return _DE_TENS[tens] if not unit else ("ein" if unit == 1 else _DE_UNITS[unit]) + "und" + _DE_TENS[tens]


def _en_number(n: int) -> str:
    if n < 20:
        return _EN_UNITS[n] if n < 10 else _EN_TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{_EN_UNITS[unit]}" if unit else "")


_DE_ORDINAL_STEMS = {1: "ers", 3: "drit", 7: "sieb", 8: "ach"}
_EN_IRREGULAR_ORDINALS = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 9: "ninth", 12: "twelfth"}


def _de_ordinal(n: int) -> str:
    return _DE_ORDINAL_STEMS.get(n, _de_number(n)) + "te" if n < 20 else _de_number(n) + "ste"


def _en_ordinal(n: int) -> str:
    tens, unit = divmod(n, 10)
    if n in _EN_IRREGULAR_ORDINALS:
        return _EN_IRREGULAR_ORDINALS[n]
    if n > 20 and unit:
        return f"{_EN_TENS[tens]}-{_en_ordinal(unit)}"
    return _EN_TENS[tens][:-1] + "ieth" if n >= 20 else _en_number(n) + "th"


def _cardinals(language: str) -> dict[str, int]:
    """Number words 0-99, folded: "zweiunddreißig" → 32, "twenty-one" → 21."""
    words = {(_de_number if language == "de" else _en_number)(n): n for n in range(100)}
    if language == "de":
        words |= {"zwo": 2, "ein": 1}
    return _folded(words)


def _ordinals(language: str) -> dict[str, int]:
    """Ordinals 1-31 for dates in their base form ("dritte", "third"); German endings are added by the date pattern."""
    words = _folded({(_de_ordinal if language == "de" else _en_ordinal)(n): n for n in range(1, 32)})
    return words | {word.replace("-", " "): n for word, n in words.items() if "-" in word}


_CARDINALS = {"de": _cardinals("de"), "en": _cardinals("en")}
_ORDINALS = {"de": _ordinals("de"), "en": _ordinals("en")}


# ---------------------------------------------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------------------------------------------

_DIGIT_WORDS = {
    "de": _folded(
        {
            "null": "0",
            "eins": "1",
            "zwei": "2",
            "zwo": "2",
            "drei": "3",
            "vier": "4",
            "fünf": "5",
            "sechs": "6",
            "sieben": "7",
            "acht": "8",
            "neun": "9",
        }
    ),
    "en": _folded(
        {
            "zero": "0",
            "oh": "0",
            "o": "0",
            "nought": "0",
            "one": "1",
            "two": "2",
            "three": "3",
            "four": "4",
            "five": "5",
            "six": "6",
            "seven": "7",
            "eight": "8",
            "nine": "9",
        }
    ),
}
# "oh" is also an interjection ("Oh, meine Nummer …"); it only counts as zero next to other spoken digits.
_AMBIGUOUS_ZERO = frozenset({"oh", "o"})
_MULTIPLIERS = {"doppel": 2, "doppelt": 2, "double": 2, "triple": 3, "treble": 3, "tripel": 3, "dreifach": 3}
# "zwo", not "zwei": on the phone the two is said "zwo" so it cannot be heard as "drei".
_READBACK = {
    "de": ("null", "eins", "zwo", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"),
    "en": _EN_UNITS,
}
# Digits right before these words are an amount, a time or a measurement, never a callback number.
_UNIT_WORDS = {
    "de": frozenset(
        _fold(word)
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
    _fold(word)
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
# "+49 (0)30 …": the bracketed trunk zero is not dialled from abroad.
_TRUNK_ZERO_RE = re.compile(r"((?:\+|\b00)\d{1,3}\s*)\(0\)")
_PHONE_TOKEN_RE = re.compile(r"\+|[^\W_]+(?:'[^\W_]+)?|[-–/().,]|\S")
_PHONE_SEPARATORS = frozenset("-–/()")
# Country codes of two digits; "1" and "7" have one, all others three (ITU-T E.164 zones).
_TWO_DIGIT_COUNTRY_CODES = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54".split()
    + "55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
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

    def spoken_back(self, language: str, group_separator: str = " – ") -> str:
        """Digit by digit for the TTS: "null, eins, sieben, eins – zwo, drei, vier – …"; the separator marks a pause."""
        words = _READBACK[_lang(language)]
        return group_separator.join(", ".join("plus" if ch == "+" else words[int(ch)] for ch in group) for group in self.groups)


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
    digit_words = _DIGIT_WORDS[lang]
    if fold in digit_words:
        if fold in _AMBIGUOUS_ZERO and not prev_spoken and next_fold not in digit_words:
            return None
        return digit_words[fold], True, False
    value = _CARDINALS[lang].get(fold)
    if value is not None and value >= 10:
        return str(value), True, value % 10 == 0
    for word, times in _MULTIPLIERS.items():  # "Doppelnull", "doppel-null"
        rest = fold.removeprefix(word).lstrip("-")
        if rest != fold and rest in digit_words:
            return digit_words[rest] * times, True, False
    return None


def _phone_masks(text: str, lang: str) -> list[tuple[int, int]]:
    spans = [m.span() for regex in _NOT_PHONE_RES for m in regex.finditer(text)]
    spans += [span for match in _find_addresses(text) for span in match.number_spans]
    spans += [(start, end) for start, end, _ in _postcode_candidates(text, lang)]
    return spans


def _phone_runs(text: str, lang: str) -> list[_Run]:
    masked = _TRUNK_ZERO_RE.sub(lambda m: m.group(1) + "   ", _blank(text, _phone_masks(text, lang)))
    tokens = list(_PHONE_TOKEN_RE.finditer(masked))
    folds = [_fold(m.group()) for m in tokens]
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
            continue
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
            # Only a dot squeezed between digits ("0171.2345678") is a separator; otherwise it ends the sentence.
            if tokens[index - 1].end() == m.start() and after.start() == m.end() and after.group().isdigit():
                pending = pending or "."
                continue
        if run is not None and run.groups and fold in _UNIT_WORDS[lang]:
            run = None  # "150 000 Euro" is an amount
        close()
    close()
    return runs


def _preceding_words(text: str, start: int, count: int) -> list[str]:
    return [token.fold for token in _tokens(text[:start]) if token.is_word][-count:]


def _phone_candidates(text: str, lang: str) -> list[tuple[PhoneNumber, _Run, bool]]:
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


def find_phone_numbers(text: str, language: str) -> list[PhoneNumber]:
    """All phone numbers in the utterance, in the order they were said."""
    return [number for number, _, _ in _phone_candidates(text, _lang(language))]


def parse_phone_number(text: str, language: str) -> PhoneNumber | None:
    """The callback number in the utterance: the first one the caller did not take back, or None."""
    candidates = _phone_candidates(text, _lang(language))
    for number, _, negated in candidates:
        if not negated:
            return number
    return candidates[0][0] if candidates else None


# ---------------------------------------------------------------------------------------------------------------------------------
# Addresses and postcodes
# ---------------------------------------------------------------------------------------------------------------------------------

_STREET_SUFFIXES = tuple(
    _fold(suffix)
    for suffix in ("straße", "weg", "allee", "platz", "gasse", "ring", "damm", "ufer", "chaussee", "steig", "stieg", "pfad", "promenade")
)
_ABBREVIATED_STREET = "str"  # "Bahnhofstr." – only with its dot, "str" alone ends too many words
_STREET_PREFIXES = (
    ("am",),
    ("im",),
    ("zum",),
    ("zur",),
    ("beim",),
    ("an", "der"),
    ("an", "den"),
    ("an", "dem"),
    ("auf", "der"),
    ("auf", "dem"),
    ("auf", "den"),
    ("in", "der"),
    ("in", "den"),
    ("unter", "den"),
    ("hinter", "der"),
    ("hinter", "dem"),
    ("vor", "dem"),
    ("vor", "der"),
)
_EN_STREET_TYPES = frozenset(
    ("street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "way", "close", "court", "ct", "place", "pl", "boulevard")
    + ("blvd", "crescent", "terrace", "square", "gardens", "grove", "row", "mews", "walk", "hill", "parade")
)
_HOUSE_NUMBER_RE = re.compile(r"[1-9]\d{0,3}[a-zA-Z]?(?:[-/][1-9]\d{0,3}[a-zA-Z]?)?")
_PLZ_RE = re.compile(r"(?:D-)?(\d{5})")
_UK_POSTCODE_RE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
_US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO".split()
    + "MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)
_POSTCODE_CUES = _phrases("plz", "postleitzahl", "postcode", "post code", "postal code", "zip", "zip code")
_CITY_PREFIXES = frozenset(
    {
        "bad",
        "sankt",
        "st",
        "neu",
        "alt",
        "gross",
        "klein",
        "new",
        "san",
        "los",
        "las",
        "saint",
        "fort",
        "port",
        "north",
        "south",
        "east",
        "west",
    }
)
_CITY_CONNECTORS = (("am",), ("im",), ("an", "der"), ("ob", "der"), ("in", "der"), ("upon",))
_WEEKDAY_NAMES: tuple[str, ...] = (
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag",
    "monday",
    "tuesday",
)
_WEEKDAY_NAMES += ("wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES: tuple[str, ...] = (
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
)
_MONTH_NAMES += ("january", "february", "march", "may", "june", "july", "october", "december")
# Capitalised words that follow a number or "Am …" without being a city, a street or a name.
_NOT_PLACE = frozenset(
    _fold(word)
    for word in (
        "und",
        "oder",
        "aber",
        "bitte",
        "danke",
        "ich",
        "wir",
        "sie",
        "er",
        "es",
        "das",
        "die",
        "der",
        "den",
        "dem",
        "mein",
        "meine",
    )
    + (
        "unser",
        "unsere",
        "ja",
        "nein",
        "hallo",
        "tschüss",
        "also",
        "genau",
        "okay",
        "ok",
        "telefon",
        "telefonnummer",
        "nummer",
        "handy",
        "uhr",
    )
    + (
        "euro",
        "erdgeschoss",
        "obergeschoss",
        "dachgeschoss",
        "etage",
        "stock",
        "wohnung",
        "hinterhaus",
        "vorderhaus",
        "keller",
        "bad",
        "küche",
    )
    + ("haus", "garten", "dach", "flur", "moment", "jahr", "jahre", "winter", "sommer", "apparat", "festnetz", "morgen", "heute", "abend")
    + ("vormittag", "nachmittag", "mittag", "wochenende", "anfang", "ende", "notfall", "the", "and", "or", "please", "thanks", "thank", "i")
    + ("we", "my", "our", "yes", "no", "flat", "apartment", "floor", "unit", "call", "phone", "number", "morning", "afternoon", "evening")
    # Capitalised at the start of a sentence, these lead into a street ("In der Hauptstraße") rather than name it.
    + ("in", "im", "am", "an", "auf", "zum", "zur", "bei", "beim", "unter", "hinter", "vor")
    + _WEEKDAY_NAMES
    + _MONTH_NAMES
)


@dataclass(frozen=True)
class Address:
    """The parts of an address the caller said; missing parts are None."""

    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None

    def one_line(self, language: str) -> str:
        """German order ("Hauptstraße 12, 10115 Berlin") or English order ("221B Baker Street, London SW1A 1AA")."""
        if _lang(language) == "de":
            parts = [" ".join(p for p in (self.street, self.house_number) if p), " ".join(p for p in (self.postcode, self.city) if p)]
        else:
            parts = [" ".join(p for p in (self.house_number, self.street) if p), " ".join(p for p in (self.city, self.postcode) if p)]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class _AddressMatch:
    address: Address
    start: int
    end: int
    number_spans: tuple[tuple[int, int], ...]


def _is_place_word(token: _Token) -> bool:
    return token.is_capitalised and bool(_NAME_WORD_RE.fullmatch(token.text)) and token.fold not in _NOT_PLACE


def _is_street_word(token: _Token, tokens: Sequence[_Token], index: int) -> int | None:
    """End index when the token is a one-word street ("Hauptstraße", "Bahnhofstr."), else None."""
    if not token.is_capitalised and not token.fold.endswith("strasse"):
        return None
    if token.fold.endswith(_ABBREVIATED_STREET) and index + 1 < len(tokens) and tokens[index + 1].text == ".":
        return index + 2
    for suffix in _STREET_SUFFIXES:
        if token.fold.endswith(suffix) and len(token.fold) > len(suffix) + 1:
            return index + 1
    return None


def _is_bare_street_type(token: _Token, tokens: Sequence[_Token], index: int) -> int | None:
    """End index when the token is "Straße", "Allee", "Str." … on its own, as in "Berliner Allee"."""
    if token.fold == _ABBREVIATED_STREET and index + 1 < len(tokens) and tokens[index + 1].text == ".":
        return index + 2
    return index + 1 if token.fold in _STREET_SUFFIXES else None


def _german_street_at(tokens: Sequence[_Token], i: int) -> int | None:
    end = _is_street_word(tokens[i], tokens, i)
    if end is not None:
        return end
    for words in (1, 2):  # "Berliner Allee", "Alte Kölner Straße"
        last = i + words
        if last < len(tokens) and all(_is_place_word(t) for t in tokens[i:last]) and tokens[last].is_capitalised:
            end = _is_bare_street_type(tokens[last], tokens, last)
            if end is not None:
                return end
    return None


def _prefixed_street_at(tokens: Sequence[_Token], i: int) -> int | None:
    """End index of "Am Markt", "An der Alster", "Im Winkel"; these need a house number to be told from "am Montag"."""
    for prefix in _STREET_PREFIXES:
        names = i + len(prefix)
        if tuple(t.fold for t in tokens[i:names]) != prefix:
            continue
        for words in (2, 1):
            end = names + words
            if end <= len(tokens) and all(
                _is_place_word(t) and _german_street_at(tokens, k) is None for k, t in enumerate(tokens[names:end], names)
            ):
                number = _house_number_at(tokens, end)
                if number is not None and (number[2] == len(tokens) or not tokens[number[2]].is_word or tokens[number[2]].fold == "in"):
                    return end
    return None


def _house_number_at(tokens: Sequence[_Token], j: int) -> tuple[str, int, int] | None:
    """(house number, first token, index after it) for "12", "3a", "3 a", "12-14", "Nr. 5", "zwölf"."""
    while j < len(tokens) and tokens[j].fold in ("nr", "nummer", "hausnummer", "."):
        j += 1
    if j >= len(tokens):
        return None
    token = tokens[j]
    if j + 1 < len(tokens) and tokens[j + 1].fold in ("uhr", "minuten", "stunden", "tage", "euro"):
        return None
    if _HOUSE_NUMBER_RE.fullmatch(token.text):
        after = j + 1
        letter = tokens[after] if after < len(tokens) else None
        # "Am Markt 3 a": Whisper sometimes splits the letter off.
        if letter and re.fullmatch("[a-hA-H]", letter.text) and (after + 1 == len(tokens) or not tokens[after + 1].is_word):
            return token.text + letter.text.lower(), j, after + 1
        return token.text, j, after
    value = _CARDINALS["de"].get(token.fold, _CARDINALS["en"].get(token.fold))
    if value:
        return str(value), j, j + 1
    return None


def _city_end(tokens: Sequence[_Token], k: int) -> int | None:
    if k >= len(tokens) or not _is_place_word(tokens[k]):
        return None
    end = k + 1
    if tokens[k].fold in _CITY_PREFIXES:  # "Bad Homburg", "St. Ingbert", "New York"
        nxt = end + 1 if end < len(tokens) and tokens[end].text == "." else end
        if nxt < len(tokens) and _is_place_word(tokens[nxt]):
            end = nxt + 1
    for connector in _CITY_CONNECTORS:  # "Frankfurt am Main", "Halle an der Saale"
        after = end + len(connector)
        if tuple(t.fold for t in tokens[end:after]) == connector and after < len(tokens) and _is_place_word(tokens[after]):
            return after + 1
    return end


def _plz_at(tokens: Sequence[_Token], k: int) -> str | None:
    if k >= len(tokens):
        return None
    m = _PLZ_RE.fullmatch(tokens[k].text)
    return m.group(1) if m and not m.group(1).startswith("00") else None


def _uk_postcode_at(text: str, tokens: Sequence[_Token], k: int) -> tuple[str, int] | None:
    for width in (2, 1):
        if k + width <= len(tokens):
            m = _UK_POSTCODE_RE.fullmatch(text[tokens[k].start : tokens[k + width - 1].end])
            if m:
                return f"{m.group(1)} {m.group(2)}".upper(), k + width
    return None


def _address_tail(text: str, tokens: Sequence[_Token], j: int) -> tuple[str | None, str | None, int, list[tuple[int, int]]]:
    """Postcode and city after the street: ", 80331 München", " in 50667 Köln", ", London SW1A 1AA", ", Springfield, IL 62704"."""
    k = j
    if k < len(tokens) and tokens[k].fold == ",":
        k += 1
    if k < len(tokens) and tokens[k].fold == "in":
        k += 1
    postcode = city = None
    spans: list[tuple[int, int]] = []
    plz = _plz_at(tokens, k)
    if plz:
        postcode, spans = plz, [(tokens[k].start, tokens[k].end)]
        k += 1
        city_end = _city_end(tokens, k)
        if city_end is not None:
            city, k = text[tokens[k].start : tokens[city_end - 1].end], city_end
        return postcode, city, k, spans
    if k == j:
        return None, None, j, spans
    city_end = _city_end(tokens, k)
    if city_end is None:
        return None, None, j, spans
    city, k = text[tokens[k].start : tokens[city_end - 1].end], city_end
    after = k + 1 if k < len(tokens) and tokens[k].fold == "," else k
    uk = _uk_postcode_at(text, tokens, after)
    if uk:
        postcode, spans = uk[0], [(tokens[after].start, tokens[uk[1] - 1].end)]
        return postcode, city, uk[1], spans
    if after + 1 < len(tokens) and tokens[after].text in _US_STATES and re.fullmatch(r"\d{5}(?:-\d{4})?", tokens[after + 1].text):
        zip_token = tokens[after + 1]
        return zip_token.text, city, after + 2, [(zip_token.start, zip_token.end)]
    return None, city, k, spans


def _english_street_at(tokens: Sequence[_Token], i: int) -> tuple[int, int] | None:
    """(street start, street end) for "12 Baker Street", "221B Baker St."; the house number is tokens[i]."""
    if not _HOUSE_NUMBER_RE.fullmatch(tokens[i].text):
        return None
    for words in (1, 2, 3):
        last = i + 1 + words
        if last < len(tokens) and all(_is_place_word(t) for t in tokens[i + 1 : last]) and tokens[last].fold in _EN_STREET_TYPES:
            end = last + 2 if last + 1 < len(tokens) and tokens[last + 1].text == "." and len(tokens[last].fold) <= 4 else last + 1
            return i + 1, end
    return None


def _address_at(text: str, tokens: Sequence[_Token], i: int) -> _AddressMatch | None:
    english = _english_street_at(tokens, i)
    if english is not None:
        street_start, street_end = english
        number: tuple[str, int, int] | None = (tokens[i].text, i, i + 1)
        after_street = street_end
    else:
        street_start = i
        german_end = _german_street_at(tokens, i) or _prefixed_street_at(tokens, i)
        if german_end is None:
            return None
        street_end = german_end
        number = _house_number_at(tokens, street_end)
        after_street = number[2] if number else street_end
    street = text[tokens[street_start].start : tokens[street_end - 1].end]
    if street[:1].islower():
        street = street[0].upper() + street[1:]  # "am Markt 3" → "Am Markt"
    postcode, city, end, spans = _address_tail(text, tokens, after_street)
    is_strasse = _fold(street).rstrip(".").endswith(("strasse", _ABBREVIATED_STREET))
    if english is None and number is None and postcode is None and city is None and not is_strasse:
        return None  # "Parkplatz", "auf dem Weg": without a number it is not an address
    if number:
        spans = [(tokens[number[1]].start, tokens[number[2] - 1].end), *spans]
    house_number = number[0] if number else None
    return _AddressMatch(
        Address(street, house_number, postcode, city), tokens[min(i, street_start)].start, tokens[end - 1].end, tuple(spans)
    )


def _find_addresses(text: str) -> list[_AddressMatch]:
    tokens = _tokens(text)
    found = []
    i = 0
    while i < len(tokens):
        match = _address_at(text, tokens, i)
        if match is None:
            i += 1
            continue
        found.append(match)
        i = next((k for k, t in enumerate(tokens) if t.start >= match.end), len(tokens))
    for k in range(len(tokens)):
        # A bare "10115 Berlin" is an address too; the digit check keeps "030 12345 Berlin" a phone number.
        plz = _plz_at(tokens, k)
        previous = tokens[k - 1] if k else None
        if plz and (
            previous is None or not (previous.is_digits or previous.fold in _DIGIT_WORDS["de"] or previous.fold in _DIGIT_WORDS["en"])
        ):
            city_end = _city_end(tokens, k + 1)
            span = (tokens[k].start, tokens[k].end)
            if city_end is not None and not any(_overlaps(span, m.number_spans) for m in found):
                city = text[tokens[k + 1].start : tokens[city_end - 1].end]
                found.append(_AddressMatch(Address(None, None, plz, city), span[0], tokens[city_end - 1].end, (span,)))
    return sorted(found, key=lambda m: m.start)


def parse_address(text: str, language: str) -> Address | None:
    """Street, house number, postcode and city as far as the caller said them; None when no street or postcode was heard."""
    found = _find_addresses(text)
    return found[0].address if found else None


def _postcode_candidates(text: str, lang: str) -> list[tuple[int, int, str]]:
    """Postcodes given with a cue ("PLZ 10115", "zip code 90210", "NY 10001") or in UK shape; bare German ones come via addresses."""
    tokens = _tokens(text)
    found = [(m.start(), m.end(), f"{m.group(1)} {m.group(2)}".upper()) for m in _UK_POSTCODE_RE.finditer(text)]
    for k, token in enumerate(tokens):
        after_cue = _find(tokens[max(0, k - 3) : k], _POSTCODE_CUES, negatable=False) is not None
        after_state = k > 0 and tokens[k - 1].text in _US_STATES
        if re.fullmatch(r"(?:D-)?\d{5}(?:-\d{4})?", token.text) and (after_cue or (after_state and lang == "en")):
            found.append((token.start, token.end, token.text.removeprefix("D-")))
    return sorted(found)


def parse_postcode(text: str, language: str) -> str | None:
    """German PLZ ("10115"), UK postcode ("SW1A 1AA") or US ZIP ("90210"), only where the context says it is one."""
    lang = _lang(language)
    address = parse_address(text, lang)
    if address is not None and address.postcode:
        return address.postcode
    phone_spans = [(run.start, run.end) for _, run, _ in _phone_candidates(text, lang)]
    for start, end, value in _postcode_candidates(text, lang):
        if not _overlaps((start, end), phone_spans):
            return value
    return None


# ---------------------------------------------------------------------------------------------------------------------------------
# Dates and times
# ---------------------------------------------------------------------------------------------------------------------------------

_WEEKDAYS = {
    "de": {"montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5, "sonntag": 6},
    "en": {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6},
}
_MONTHS = {
    "de": {
        _fold(word): month
        for month, words in enumerate(
            (
                ("januar", "jänner", "jan"),
                ("februar", "feb"),
                ("märz", "mär"),
                ("april", "apr"),
                ("mai",),
                ("juni", "jun"),
                ("juli", "jul"),
                ("august", "aug"),
                ("september", "sept", "sep"),
                ("oktober", "okt"),
                ("november", "nov"),
                ("dezember", "dez"),
            ),
            1,
        )
        for word in words
    },
    "en": {
        word: month
        for month, words in enumerate(
            (
                ("january", "jan"),
                ("february", "feb"),
                ("march", "mar"),
                ("april", "apr"),
                ("may",),
                ("june", "jun"),
                ("july", "jul"),
                ("august", "aug"),
                ("september", "sept", "sep"),
                ("october", "oct"),
                ("november", "nov"),
                ("december", "dec"),
            ),
            1,
        )
        for word in words
    },
}
# Minutes of the day. Nachmittag/afternoon starts at noon (not after Mittag) so "heute Nachmittag" said at 12:30 still covers now;
# a day named without a part or a time means business hours, 08:00-20:00.
_DAY_PARTS = {"morning": (8 * 60, 12 * 60), "midday": (12 * 60, 14 * 60), "afternoon": (12 * 60, 17 * 60), "evening": (17 * 60, 20 * 60)}
_DAY_PARTS["night"] = (20 * 60, 24 * 60)
_WHOLE_DAY = (8 * 60, 20 * 60)
_DAY_PART_WORDS = {
    "de": _folded(
        {
            "vormittag": "morning",
            "vormittags": "morning",
            "morgens": "morning",
            "am morgen": "morning",
            "heute morgen": "morning",
            "früh": "morning",
        }
        | {"in der früh": "morning", "mittag": "midday", "mittags": "midday", "mittagszeit": "midday", "über mittag": "midday"}
        | {"mittagspause": "midday", "nachmittag": "afternoon", "nachmittags": "afternoon", "abend": "evening", "abends": "evening"}
        | {"feierabend": "evening", "nacht": "night", "nachts": "night"}
    ),
    "en": {"morning": "morning", "mornings": "morning", "noon": "midday", "midday": "midday", "lunchtime": "midday", "lunch time": "midday"}
    | {"afternoon": "afternoon", "afternoons": "afternoon", "evening": "evening", "evenings": "evening", "tonight": "evening"}
    | {"night": "night"},
}
# What already happened ("gestern Abend", "last night") says nothing about when to call back.
_PAST_RE = re.compile(r"\b(?:vorgestern|gestern|yesterday|last|letzte[nr]?|seit|since)\b(?:\s+(?:\w+))?")
_GREETINGS_RE = re.compile(
    r"\b(?:guten|gute|schoenen|schoenes|einen schoenen|good|nice|have a nice|have a good)\s+"
    r"(?:morgen|tag|abend|nacht|wochenende|morning|afternoon|evening|night|day|weekend)\b"
)
_ASAP_WORDS = {
    "de": tuple(
        _fold(phrase)
        for phrase in ("ab sofort", "sofort", "so schnell wie möglich", "so bald wie möglich", "schnellstmöglich", "möglichst schnell")
        + ("möglichst bald", "so früh wie möglich", "umgehend", "asap", "baldmöglichst", "schnellstens")
    ),
    "en": (
        "as soon as possible",
        "asap",
        "a.s.a.p.",
        "right away",
        "immediately",
        "straight away",
        "as soon as you can",
        "earliest possible",
    ),
}
_CLOCK_UNITS = (
    r"tage?n?|wochen?|monate?n?|jahre?n?|minuten?|stunden?|mal|euro|prozent|stueck|leute|personen|days?|weeks?|months?|years?|minutes?|hours?|times|"
    r"percent|pounds?|dollars?|people"
)
_WEEK_OFFSETS = {"diese": 0, "this": 0, "naechste": 1, "kommende": 1, "next": 1, "coming": 1, "uebernaechste": 2}


# "ein paar Tage", "from one of them", "null Ahnung": too common to be read as hours.
_NOT_HOUR_WORDS = frozenset({"ein", "null", "one", "zero"})


def _hour_words(lang: str) -> str:
    return _alt(word for word, n in _CARDINALS[lang].items() if n <= 24 and word not in _NOT_HOUR_WORDS)


def _clock_pattern(lang: str, n: str) -> str:
    hours = _hour_words(lang)
    if lang == "de":
        return (
            rf"(?:halb\s+(?P<half{n}>\d{{1,2}}|{hours})|(?P<named{n}>mittag|mitternacht)|"
            rf"(?P<h{n}>\d{{1,2}}|{hours})(?:[:.](?P<m{n}>\d{{2}}))?(?P<uhr{n}>\s*uhr(?:\s+(?P<um{n}>\d{{1,2}})\b)?)?)"
            rf"(?!\s*(?:{_CLOCK_UNITS})\b)(?![\w:])"
        )
    return (
        rf"(?:(?P<named{n}>noon|midday|midnight)|(?P<h{n}>\d{{1,2}}|{hours})(?:[:.](?P<m{n}>\d{{2}}))?"
        rf"(?:\s*(?P<ap{n}>[ap])\.?\s?m\b\.?|(?P<uhr{n}>\s*o'clock))?)(?!\s*(?:{_CLOCK_UNITS})\b)(?![\w:])"
    )


def _clock_regexes(lang: str) -> dict[str, re.Pattern[str]]:
    one, two = _clock_pattern(lang, "1"), _clock_pattern(lang, "2")
    if lang == "de":
        words = {"range": ("zwischen|von|ab", "-|–|bis|und"), "from": "ab|nach|fruehestens(?:\\s+(?:ab|um))?|nicht\\s+vor"}
        words |= {"until": "bis|vor|spaetestens(?:\\s+(?:um|bis))?|nicht\\s+nach", "at": "um|gegen|so\\s+um|so\\s+gegen|ca\\.?|circa|etwa"}
    else:
        words = {"range": ("between|from", "-|–|and|to|till|until"), "from": "after|from|not\\s+before|no\\s+earlier\\s+than"}
        words |= {"until": "before|until|till|by|no\\s+later\\s+than|not\\s+after", "at": "at|around|about|round"}
    range_pre, range_sep = words["range"]
    return {
        "range": re.compile(rf"(?<![\w.:])(?:(?P<pre>{range_pre})\s+)?{one}\s*(?P<sep>{range_sep})\s*{two}"),
        "from": re.compile(rf"\b(?P<pre>{words['from']})\s+{one}"),
        "until": re.compile(rf"\b(?P<pre>{words['until']})\s+{one}"),
        "at": re.compile(rf"(?<![\w.:])(?:(?P<pre>{words['at']})\s+)?{one}"),
    }


def _date_regexes(lang: str) -> list[re.Pattern[str]]:
    months = _alt(_MONTHS[lang])
    ordinals = _alt(_ORDINALS[lang])
    if lang == "de":
        return [
            re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.(?:\s?(?P<y>\d{4}|\d{2})\b)?"),
            re.compile(rf"(?<![\d.])(?:(?P<d>\d{{1,2}})\.?|\b(?P<o>{ordinals})[nrsm]?)\s+(?P<mon>{months})\b\.?(?:\s+(?P<y>\d{{4}}))?"),
        ]
    day = rf"(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b|(?P<o>{ordinals})\b)"
    return [
        re.compile(rf"\b(?P<mon>{months})\b\.?\s+(?:the\s+)?{day}(?:,?\s+(?P<y>\d{{4}}))?"),
        re.compile(rf"\b(?:the\s+)?{day}\s+(?:of\s+)?(?P<mon>{months})\b(?:,?\s+(?P<y>\d{{4}}))?"),
    ]


def _relative_regexes(lang: str) -> list[tuple[re.Pattern[str], int | None]]:
    """(pattern, days from today); None means the count is in the group "n"."""
    count = rf"(?P<n>\d{{1,2}}|{_hour_words(lang)})"
    if lang == "de":
        return [
            (re.compile(r"\buebermorgen\b"), 2),
            (re.compile(r"(?<!guten )(?<!am )(?<!heute )(?<!jeden )(?<!den )(?<!diesen )(?<!gestern )\bmorgen\b(?!s)"), 1),
            (re.compile(r"\bheute\b"), 0),
            (re.compile(rf"\bin\s+{count}\s+tagen\b"), None),
            (re.compile(r"\bin\s+(?:einer|1)\s+woche\b"), 7),
        ]
    return [
        (re.compile(r"\b(?:the\s+)?day\s+after\s+tomorrow\b"), 2),
        (re.compile(r"\btomorrow\b"), 1),
        (re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b"), 0),
        (re.compile(rf"\bin\s+{count}\s+days\b"), None),
        (re.compile(r"\bin\s+(?:a|one)\s+week\b"), 7),
    ]


def _weekday_regex(lang: str) -> re.Pattern[str]:
    weekdays = _alt(_WEEKDAYS[lang])
    if lang == "de":
        return re.compile(rf"\b(?:(?P<mod>uebernaechste|naechste|kommende|diese)[nrm]?\s+)?(?P<wd>{weekdays})s?\b")
    return re.compile(rf"\b(?:(?P<mod>next|this|coming)\s+)?(?P<wd>{weekdays})s?\b(?P<after>\s+after\s+next)?")


def _week_regexes(lang: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(week, weekend); the "which" group says this/next/the one after."""
    if lang == "de":
        week = re.compile(r"\b(?P<which>uebernaechste|naechste|kommende|diese)[nrm]?\s+woche\b")
        return week, re.compile(r"\bwochenende\b")
    return re.compile(r"\b(?:(?P<which>this|next|coming)\s+week|week\s+after\s+next)\b"), re.compile(r"\bweekend\b")


_CLOCK_RES = {lang: _clock_regexes(lang) for lang in ("de", "en")}
_DATE_RES = {lang: _date_regexes(lang) for lang in ("de", "en")}
_RELATIVE_RES = {lang: _relative_regexes(lang) for lang in ("de", "en")}
_WEEKDAY_RES = {lang: _weekday_regex(lang) for lang in ("de", "en")}
_WEEK_RES = {lang: _week_regexes(lang) for lang in ("de", "en")}
_ASAP_RES = {lang: re.compile(rf"(?<![\w.])(?:{_alt(words)})(?![\w])") for lang, words in _ASAP_WORDS.items()}
_DAY_PART_RES = {lang: re.compile(rf"\b(?:{_alt(words)})\b") for lang, words in _DAY_PART_WORDS.items()}
_WEEKDAY_SHORT = {"de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_MONTH_SHORT_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ASAP_LABEL = {"de": "so schnell wie möglich", "en": "as soon as possible"}


@dataclass(frozen=True)
class TimeWindow:
    """When the caller wants to be called back or visited: [start, end) in the time zone of `now`, plus a label for the note.

    `asap` is set for "so schnell wie möglich"/"as soon as possible"; alone it gives the rest of today (now until midnight).
    """

    start: datetime
    end: datetime
    label: str
    asap: bool = False


@dataclass(frozen=True)
class _ClockPoint:
    hour: int
    minute: int
    meridiem: str | None  # "a" / "p" when said, else None
    fixed: bool  # "Mittag", "midnight", "3 pm": no am/pm guessing


@dataclass(frozen=True)
class _Clock:
    kind: str  # range / from / until / at
    first: _ClockPoint
    second: _ClockPoint | None = None


@dataclass(frozen=True)
class _Days:
    first: date
    last: date  # inclusive


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=DEFAULT_TIMEZONE)


def _at(day: date, minutes: int, now: datetime) -> datetime:
    # Wall-clock arithmetic from local midnight keeps 08:00 at 08:00 across a DST change.
    return datetime.combine(day, time(), tzinfo=now.tzinfo) + timedelta(minutes=minutes)


def _number_value(word: str, lang: str) -> int | None:
    return int(word) if word.isdigit() else _CARDINALS[lang].get(word)


def _negated_before(s: str, start: int) -> bool:
    return any(word in ("nicht", "not", "kein", "keinen") for word in s[:start].split()[-2:])


def _clock_point(m: re.Match[str], n: str, lang: str) -> _ClockPoint | None:
    groups = m.groupdict()
    named = groups.get(f"named{n}")
    if named:
        return _ClockPoint(0 if named in ("mitternacht", "midnight") else 12, 0, None, True)
    half = groups.get(f"half{n}")
    if half:  # "halb drei" is 2:30
        value = _number_value(half, lang)
        return None if value is None or not 1 <= value <= 12 else _ClockPoint(value - 1 or 12, 30, None, False)
    hour = _number_value(groups[f"h{n}"], lang)
    minute = int(groups.get(f"m{n}") or groups.get(f"um{n}") or 0)
    meridiem = groups.get(f"ap{n}")
    if hour is None or hour > 23 or minute > 59 or (meridiem and not 1 <= hour <= 12):
        return None
    return _ClockPoint(hour, minute, meridiem, hour > 12 or hour == 0)


def _has_marker(m: re.Match[str], n: str) -> bool:
    groups = m.groupdict()
    return any(groups.get(f"{name}{n}") for name in ("m", "uhr", "ap", "named", "half"))


def _find_clock(s: str, lang: str) -> tuple[str, _Clock | None]:
    regexes = _CLOCK_RES[lang]
    for m in regexes["range"].finditer(s):
        connective = m.group("sep") in ("und", "and")
        if (m.group("pre") or not connective) and (m.group("pre") or _has_marker(m, "1") or _has_marker(m, "2")):
            first, second = _clock_point(m, "1", lang), _clock_point(m, "2", lang)
            if first and second and not (connective and m.group("pre") in ("von", "from", "ab")):
                return _blank(s, [m.span()]), _Clock("range", first, second)
    for kind in ("from", "until"):
        for m in regexes[kind].finditer(s):
            point = _clock_point(m, "1", lang)
            if point:
                return _blank(s, [m.span()]), _Clock(kind, point)
    for m in regexes["at"].finditer(s):
        point = _clock_point(m, "1", lang)
        if point and (m.group("pre") or _has_marker(m, "1")):
            return _blank(s, [m.span()]), _Clock("at", point)
    return s, None


def _resolve(point: _ClockPoint, part: tuple[int, int] | None) -> int:
    """Minutes of the day; "um 3" means 15:00 and "7 Uhr" 07:00 unless a day part says otherwise."""
    hour = point.hour
    if point.meridiem == "p" and hour < 12:
        hour += 12
    elif point.meridiem == "a" and hour == 12:
        hour = 0
    elif point.meridiem is None and not point.fixed and 1 <= hour <= 11:
        if part is not None:
            morning, evening = hour * 60 + point.minute, (hour + 12) * 60 + point.minute
            hour = hour + 12 if not part[0] <= morning <= part[1] and part[0] <= evening <= part[1] else hour
        elif hour <= 6:
            hour += 12  # nobody books a tradesman for 3 in the morning
    return hour * 60 + point.minute


def _clock_minutes(clock: _Clock, part: tuple[int, int] | None) -> tuple[int, int]:
    first = _resolve(clock.first, part)
    if clock.kind == "range" and clock.second is not None:
        second = _resolve(clock.second, part)
        if second <= first and clock.second.meridiem is None and second + 12 * 60 <= 24 * 60:
            second += 12 * 60  # "between 10 and 2"
        return first, max(second, first + 15)
    if clock.kind == "from":
        end = part[1] if part and part[1] > first else max(first + 120, _WHOLE_DAY[1])
        return first, min(end, 24 * 60)
    if clock.kind == "until":
        start = part[0] if part and part[0] < first else (_WHOLE_DAY[0] if first > _WHOLE_DAY[0] else max(0, first - 120))
        return start, first
    return first, min(first + 60, 24 * 60)


def _find_day_part(s: str, lang: str) -> tuple[int, int] | None:
    m = _DAY_PART_RES[lang].search(s)
    return _DAY_PARTS[_DAY_PART_WORDS[lang][m.group()]] if m else None


def _roll_date(year: int | None, month: int, day: int, today: date) -> date | None:
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        # A date already past this year means next year's ("am 3. Januar" said in November).
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _earliest(found: Iterable[tuple[tuple[int, int], date]]) -> tuple[tuple[int, int], date] | None:
    # "heute oder morgen": the first thing said counts.
    return min(found, key=lambda item: item[0], default=None)


def _explicit_date(s: str, lang: str, today: date) -> tuple[tuple[int, int], date] | None:
    found = []
    for regex in _DATE_RES[lang]:
        for m in regex.finditer(s):
            groups = m.groupdict()
            day = int(groups["d"]) if groups.get("d") else _ORDINALS[lang].get(groups.get("o") or "", 0)
            month = int(groups["m"]) if groups.get("m") else _MONTHS[lang].get(groups.get("mon") or "", 0)
            resolved = _roll_date(int(groups["y"]) if groups.get("y") else None, month, day, today)
            if resolved and not _negated_before(s, m.start()):
                found.append((m.span(), resolved))
    return _earliest(found)


def _week_offset(s: str, lang: str) -> int | None:
    week, _ = _WEEK_RES[lang]
    m = week.search(s)
    if m is None:
        return None
    return 2 if m.group("which") is None else _WEEK_OFFSETS[m.group("which")]


def _weekday_date(s: str, lang: str, today: date) -> tuple[tuple[int, int], date] | None:
    for m in _WEEKDAY_RES[lang].finditer(s):
        if _negated_before(s, m.start()):
            continue
        weekday = _WEEKDAYS[lang][m.group("wd")]
        offset = _week_offset(s, lang)
        if offset:  # "Dienstag nächste Woche": the Tuesday of that calendar week
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
            return m.span(), monday + timedelta(days=weekday)
        ahead = (weekday - today.weekday() - 1) % 7 + 1  # never today
        extra = 7 if m.group("mod") == "uebernaechste" or m.groupdict().get("after") else 0
        return m.span(), today + timedelta(days=ahead + extra)
    return None


def _relative_date(s: str, lang: str, today: date) -> tuple[tuple[int, int], date] | None:
    found = []
    for regex, days in _RELATIVE_RES[lang]:
        for m in regex.finditer(s):
            count = days if days is not None else _number_value(m.group("n"), lang)
            if count is not None and not _negated_before(s, m.start()):
                found.append((m.span(), today + timedelta(days=count)))
    return _earliest(found)


def _week_range(s: str, lang: str, today: date) -> _Days | None:
    week, weekend = _WEEK_RES[lang]
    offset = _week_offset(s, lang)
    if offset is not None:
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        return _Days(monday, monday + timedelta(days=6))
    if weekend.search(s):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() < 5 else today - timedelta(days=today.weekday() - 5)
        return _Days(saturday, saturday + timedelta(days=1))
    return None


def _find_days(s: str, lang: str, today: date) -> _Days | None:
    # A date beats "heute"/"morgen" beats a weekday beats a whole week: the most specific thing said wins.
    for finder in (_explicit_date, _relative_date, _weekday_date):
        found = finder(s, lang, today)
        if found is not None:
            return _Days(found[1], found[1])
    return _week_range(s, lang, today)


def _day_label(day: date, lang: str, now: datetime) -> str:
    weekday = _WEEKDAY_SHORT[lang][day.weekday()]
    if lang == "de":
        label = f"{weekday} {day.day:02d}.{day.month:02d}."
        return label + str(day.year) if day.year != now.year else label
    label = f"{weekday} {day.day} {_MONTH_SHORT_EN[day.month - 1]}"
    return f"{label} {day.year}" if day.year != now.year else label


def _window_label(start: datetime, end: datetime, lang: str, now: datetime) -> str:
    last_day = (end - timedelta(microseconds=1)).date()
    if last_day != start.date():
        return f"{_day_label(start.date(), lang, now)} – {_day_label(last_day, lang, now)}"
    until = "24:00" if end.date() > start.date() else f"{end:%H:%M}"
    return f"{_day_label(start.date(), lang, now)}, {start:%H:%M}–{until}" + (" Uhr" if lang == "de" else "")


def parse_when(text: str, language: str, now: datetime) -> TimeWindow | None:
    """When the caller wants something, resolved against `now` (a naive `now` is taken as Europe/Berlin); None when nothing was said.

    A weekday means its next occurrence, never today; "nächste Woche Dienstag" is the Tuesday of next calendar week; a time
    with no day is today if the window is still ahead, else tomorrow; hours 1-6 without am/pm are afternoon hours.
    """
    lang = _lang(language)
    now = _aware(now)
    today = now.date()
    # Phone numbers and house numbers are not times ("Hauptstraße 10" is no 10 o'clock).
    numbers = [(run.start, run.end) for _, run, _ in _phone_candidates(text, lang)]
    numbers += [span for match in _find_addresses(text) for span in match.number_spans]
    s = _fold(_blank(text, numbers))
    for regex in (_GREETINGS_RE, _PAST_RE):
        s = regex.sub(lambda m: "#" * len(m.group()), s)
    asap_spans = [m.span() for m in _ASAP_RES[lang].finditer(s)]
    asap = any(not _negated_before(s, start) for start, _ in asap_spans)
    s = _blank(s, asap_spans)
    date_found = _explicit_date(s, lang, today)
    if date_found:
        s = _blank(s, [date_found[0]])
    s, clock = _find_clock(s, lang)
    part = _find_day_part(s, lang)
    days = _Days(date_found[1], date_found[1]) if date_found else _find_days(s, lang, today)

    if days is None and clock is None and part is None:
        if not asap:
            return None
        end = _at(today + timedelta(days=1), 0, now)
        return TimeWindow(now, end, _ASAP_LABEL[lang], asap=True)
    if days is not None and days.first != days.last:
        start, end = max(now, _at(days.first, 0, now)), _at(days.last + timedelta(days=1), 0, now)
    else:
        minutes = _clock_minutes(clock, part) if clock else part or _WHOLE_DAY
        day = days.first if days else (today if _at(today, minutes[1], now) > now else today + timedelta(days=1))
        start, end = _at(day, minutes[0], now), _at(day, minutes[1], now)
        if start < now < end:
            start = now
    label = _window_label(start, end, lang, now)
    return TimeWindow(start, end, f"{_ASAP_LABEL[lang]}, {label}" if asap else label, asap)


# ---------------------------------------------------------------------------------------------------------------------------------
# Names and companies
# ---------------------------------------------------------------------------------------------------------------------------------

# A strong cue is followed by a name even when Whisper lower-cases it; a weak one ("ich bin", "this is") only by a capitalised one.
_NAME_CUES_STRONG = _phrases("mein name ist", "mein name wäre", "mein name lautet", "mein nachname ist", "ich heiße", "my name is")
_NAME_CUES_STRONG += _phrases("my name's", "the name is", "the name's", "i'm called", "i am called", "my surname is")
_NAME_CUES_WEAK = _phrases("hier ist", "hier spricht", "es spricht", "am apparat ist", "ich bin", "this is", "i'm", "i am", "it's", "it is")
_NAME_CUES_AFTER = _phrases("hier", "am apparat", "mein name", "speaking", "here")
_TITLES = frozenset({"herr", "herrn", "frau", "dr", "prof", "doktor", "mr", "mrs", "ms", "miss", "mister"})
_PARTICLES = frozenset({"von", "van", "de", "zu", "vom", "di", "da", "le", "la"})
_NAME_FOLLOWERS = frozenset(
    _fold(word)
    for word in (
        "von",
        "vom",
        "aus",
        "bei",
        "from",
        "of",
        "at",
        "with",
        "und",
        "and",
        "ich",
        "i",
        "hier",
        "here",
        "am",
        "mein",
        "meine",
        "my",
    )
    + ("wir", "we", "speaking", "calling", "again", "nochmal", "nochmals", "noch", "wegen", "about", "regarding", "bezüglich")
)
_GREETING_WORDS = frozenset(
    {"ja", "hallo", "hi", "hello", "hey", "ok", "okay", "so", "also", "guten", "tag", "good", "morning", "gruess", "gott"}
)
_NOT_NAME = _NOT_PLACE | frozenset(
    _fold(word)
    for word in (
        "hier",
        "da",
        "ein",
        "eine",
        "einen",
        "firma",
        "company",
        "a",
        "an",
        "so",
        "sorry",
        "entschuldigung",
        "well",
        "äh",
        "ähm",
        "hm",
    )
    + (
        "heizung",
        "wasser",
        "strom",
        "gas",
        "mieter",
        "mieterin",
        "vermieter",
        "vermieterin",
        "eigentümer",
        "eigentümerin",
        "kunde",
        "kundin",
    )
    + (
        "hausmeister",
        "hausverwaltung",
        "nachbar",
        "nachbarin",
        "tenant",
        "landlord",
        "owner",
        "customer",
        "neighbour",
        "neighbor",
        "calling",
    )
    + ("gerade", "leider", "wieder", "froh", "nicht", "kein", "not", "just", "this", "that", "it", "is", "here", "speaking", "der", "die")
    + ("hi", "hello", "hey", "guten", "tag", "good", "gmbh", "ltd", "inc", "llc", "ag", "kg", "ug", "urgent", "dringend", "interested")
)

_LEGAL_FORMS = (
    r"(?i:gmbh)(?:\s*&\s*Co\.?\s*KG)?",
    r"gGmbH",
    r"KGaA",
    r"AG",
    r"KG",
    r"OHG",
    r"UG(?:\s*\(haftungsbeschränkt\))?",
    r"GbR",
    r"e\.\s?K\.?",
    r"e\.\s?V\.?",
    r"Ltd\.?",
    r"Limited",
    r"Inc\.?",
    r"LLC",
    r"LLP",
    r"PLC",
    r"plc",
    r"Corp\.?",
    r"(?:&|und|and)\s+(?:Co\.?|Söhne|Sons)",
)
_COMPANY_RE = re.compile(rf"(?P<name>(?:(?:[A-ZÄÖÜ0-9][\w'.-]*|&)\s+){{1,4}})(?P<form>{'|'.join(_LEGAL_FORMS)})(?![\w])")
# Capitalised words that can stand before a company name at the start of a sentence without being part of it.
_COMPANY_LEADS = _NOT_PLACE | frozenset(
    {"firma", "company", "von", "vom", "from", "hier", "here", "this", "ist", "is", "bei", "für", "fuer", "for"}
)
_COMPANY_CUES = _phrases("firma", "company", "firm", "the company", "the firm")


def _is_name_word(token: _Token, lenient: bool) -> bool:
    return (token.is_capitalised or lenient) and bool(_NAME_WORD_RE.fullmatch(token.text)) and token.fold not in _NOT_NAME


def _name_from(text: str, tokens: Sequence[_Token], j: int, *, lenient: bool, strict_end: bool) -> tuple[str, int] | None:
    """The name starting at token j ("Frau Schmidt", "Hans Meier", "Anna van Dijk") and the index after it."""
    n = len(tokens)
    if j < n and tokens[j].fold in ("der", "die") and not lenient:
        j += 1  # "ich bin der Hans"
    start = j
    while j < n and tokens[j].fold in _TITLES:
        j += 2 if j + 1 < n and tokens[j + 1].text == "." else 1
    words = 0
    while j < n and words < 3:
        if _is_name_word(tokens[j], lenient):
            words, j = words + 1, j + 1
        elif words and tokens[j].fold in _PARTICLES and j + 1 < n and tokens[j + 1].is_capitalised and _is_name_word(tokens[j + 1], False):
            j += 1
        else:
            break
    if not words:
        return None
    # "Hier ist die Heizung kaputt": a weak cue needs the name to end where a name can end.
    if strict_end and j < n and tokens[j].is_word and tokens[j].fold not in _NAME_FOLLOWERS:
        return None
    name = " ".join(text[tokens[start].start : tokens[j - 1].end].split())
    return (name.title() if lenient and name.islower() else name), j


def _name_match(text: str, tokens: Sequence[_Token]) -> tuple[str, int] | None:
    for cues, lenient in ((_NAME_CUES_STRONG, True), (_NAME_CUES_WEAK, False)):
        position = 0
        while (cue := _find(tokens, cues, negatable=False, start=position)) is not None:
            found = _name_from(text, tokens, cue.end, lenient=lenient, strict_end=not lenient)
            if found:
                return found
            position = cue.start + 1
    for i in range(len(tokens)):
        # "Müller hier", "John Smith speaking": only at the start of a clause, so "das Wasser hier" is no name.
        if i and tokens[i - 1].is_word and tokens[i - 1].fold not in _GREETING_WORDS:
            continue
        found = _name_from(text, tokens, i, lenient=False, strict_end=False)
        if found is None or tokens[i].fold in ("der", "die"):
            continue
        cue = _find(tokens[: found[1] + 2], _NAME_CUES_AFTER, negatable=False, start=found[1])
        if (
            cue
            and cue.start == found[1]
            and (cue.end == len(tokens) or not tokens[cue.end].is_word or tokens[cue.end].fold in _GREETING_WORDS)
        ):
            return found
    return None


def parse_name(text: str, language: str) -> str | None:
    """The caller's name from a self-introduction ("Mein Name ist Peter Müller", "Müller hier", "This is John Smith"), titles kept."""
    found = _name_match(text, _tokens(text))
    return found[0] if found else None


def parse_company(text: str, language: str) -> str | None:
    """The caller's company: a name with a legal form ("Meier GmbH", "Acme Ltd") or after "Firma"/"company"."""
    for m in _COMPANY_RE.finditer(text):
        words = m.group("name").split()
        while words and _fold(words[0]) in _COMPANY_LEADS:
            words.pop(0)  # "Firma Meier GmbH" at the start of a sentence
        if words:
            return " ".join(words) + " " + m.group("form")
    tokens = _tokens(text)
    cue = _find(tokens, _COMPANY_CUES, negatable=False)
    if cue is None:
        return None
    j = cue.end
    while j < len(tokens) and (tokens[j].is_capitalised or tokens[j].text == "&") and j - cue.end < 4 and tokens[j].fold not in _NOT_NAME:
        j += 1
    return text[tokens[cue.end].start : tokens[j - 1].end] if j > cue.end else None


# ---------------------------------------------------------------------------------------------------------------------------------
# Urgency and short replies
# ---------------------------------------------------------------------------------------------------------------------------------

UrgencyLevel = Literal["emergency", "soon", "no_rush", "unknown"]

_EMERGENCY = {
    "de": _phrases(
        "*rohrbruch", "rohr … geplatzt", "leitung … geplatzt", "wasser läuft", "läuft … wasser", "wasser … tritt aus", "wasser … spritzt"
    )
    + _phrases("*überschwemmung", "überschwemmt", "*überflutung", "überflutet", "unter wasser")
    + _phrases("*gasgeruch", "riecht … nach gas", "stark nach gas", "gas … riecht", "*gasleck", "gasaustritt", "kohlenmonoxid")
    + _phrases(
        "heizung … ausgefallen",
        "heizung … kaputt",
        "heizung … geht nicht",
        "heizung … funktioniert nicht",
        "keine heizung",
        "*heizungsausfall",
    )
    + _phrases("*stromausfall", "kein strom", "strom … ausgefallen", "strom … weg", "*kurzschluss")
    + _phrases("*brand", "es brennt", "feuer", "es qualmt", "es raucht", "*rauchentwicklung", "*notfall"),
    "en": _phrases(
        "burst pipe", "pipe … burst", "burst water main", "flood", "flooding", "flooded", "water … everywhere", "water … pouring"
    )
    + _phrases("water … gushing", "gas smell", "smell … gas", "gas leak", "leaking gas", "carbon monoxide")
    + _phrases("no heating", "no heat", "heating … broken", "heating … not working", "heating … stopped working", "boiler … broken down")
    + _phrases("power cut", "power outage", "no power", "no electricity", "short circuit", "sparks", "sparking")
    + _phrases("fire", "smoke", "emergency"),
}
_SOON = {
    "de": _phrases("dringend", "eilig", "eilt", "so schnell wie möglich", "so bald wie möglich", "schnellstmöglich", "möglichst schnell")
    + _phrases("möglichst bald", "baldmöglichst", "heute noch", "noch heute", "sofort", "umgehend", "zeitnah", "asap"),
    "en": _phrases("urgent", "urgently", "asap", "as soon as possible", "as soon as you can", "right away", "straight away", "immediately")
    + _phrases("as quickly as possible", "today if possible"),
}
_NO_RUSH = {
    "de": _phrases(
        "keine eile", "nicht … eilig", "eilt nicht", "nicht … dringend", "hat zeit", "hat noch zeit", "kann warten", "keine hektik"
    )
    + _phrases("kein stress", "in ruhe", "wann es ihnen passt", "wenn sie zeit haben", "irgendwann"),
    "en": _phrases("no rush", "no hurry", "not … urgent", "whenever", "in no hurry", "not in a hurry", "can wait", "no pressure")
    + _phrases("when you have time", "at your convenience", "when it suits you"),
}


@dataclass(frozen=True)
class Urgency:
    """How urgent the caller made it sound, and the words that decided it ("" for unknown)."""

    level: UrgencyLevel
    reason: str = ""


def parse_urgency(text: str, language: str, emergency_keywords: Sequence[str] = ()) -> Urgency:
    """Emergency beats soon beats no_rush; negated keywords ("kein Notfall", "no emergency") do not count.

    Only the caller's words matter: "Heizung ausgefallen" is an emergency in July too; the date is never consulted.
    """
    lang = _lang(language)
    tokens = _tokens(text)
    custom = _phrases(*(keyword if " " in keyword.strip() else "*" + keyword.strip() for keyword in emergency_keywords if keyword.strip()))
    levels: tuple[tuple[UrgencyLevel, Sequence[_Phrase], bool], ...] = (
        ("emergency", _EMERGENCY[lang] + custom, True),
        ("soon", _SOON[lang], True),
        ("no_rush", _NO_RUSH[lang], False),
    )
    for level, phrases, negatable in levels:
        match = _find(tokens, phrases, inflect=True, negatable=negatable)
        if match is not None:
            return Urgency(level, _span_text(text, tokens, match))
    return Urgency("unknown")


# Short replies are matched in both languages: Whisper often guesses the language of a one-word answer wrong.
_CORRECTION = _phrases(
    "falsch", "stimmt nicht", "nicht richtig", "nicht korrekt", "nicht ganz", "ich meinte", "ich meine natürlich", "meinte ich"
)
_CORRECTION += _phrases("korrektur", "korrigieren", "korrigiere", "mich verbessern", "verbessere mich", "mich versprochen", "mich vertan")
_CORRECTION += _phrases("nicht … sondern", "wrong", "not right", "incorrect", "not correct", "i meant", "correction", "let me correct")
_CORRECTION += _phrases("my mistake", "my bad", "scratch that", "not quite", "actually it's", "actually it is", "not … but")
_CORRECTION_OPENERS = frozenset({"nein", "nee", "ne", "noe", "no", "nope", "nah"})
_CORRECTION_FIELDS = frozenset(
    _fold(word)
    for word in ("nummer", "telefonnummer", "number", "name", "nachname", "adresse", "address", "straße", "street", "postleitzahl", "plz")
    + ("postcode", "ziffer", "digit", "letzte", "last", "erste", "first", "sondern", "ich sagte", "i said", "heiße")
)
_WANTS_PERSON = _phrases("einen mitarbeiter", "einem mitarbeiter", "eine mitarbeiterin", "einer mitarbeiterin", "mitarbeiter sprechen")
_WANTS_PERSON += _phrases("einen menschen", "einem menschen", "echten menschen", "echte person", "echten person", "ansprechpartner")
_WANTS_PERSON += _phrases(
    "mit jemandem", "jemanden sprechen", "persönlich sprechen", "mit herrn", "mit frau", "mit dem chef", "mit der chefin"
)
_WANTS_PERSON += _phrases(
    "den chef", "die chefin", "verbinden sie mich", "mich verbinden", "weiterverbinden", "durchstellen", "weiterleiten"
)
_WANTS_PERSON += _phrases("keinen roboter", "kein roboter", "keine maschine", "nicht mit einer maschine", "nicht mit einem computer")
_WANTS_PERSON += _phrases("operator", "real person", "a person", "a human", "human being", "member of staff", "live agent", "the manager")
_WANTS_PERSON += _phrases(
    "speak to someone", "talk to someone", "speak with someone", "talk with someone", "speak to somebody", "talk to somebody"
)
_WANTS_PERSON += _phrases("speak to a", "talk to a", "speak with a", "your manager", "put me through", "transfer me", "connect me")
_WANTS_PERSON += _phrases("not a robot", "not a machine", "no robot")
_GOODBYE = _phrases("tschüss", "tschüs", "tschau", "ciao", "ade", "auf wiederhören", "auf wiedersehen", "wiederhören")
_GOODBYE += _phrases("bis dann", "bis bald", "bis später", "bis morgen", "schönen tag", "schönen abend", "schönes wochenende")
_GOODBYE += _phrases("das war's", "das wars", "das wäre alles", "das war alles", "das ist alles", "mehr nicht", "ich lege auf")
_GOODBYE += _phrases("machen sie's gut", "mach's gut", "machs gut", "bye", "goodbye", "bye-bye", "good bye", "see you", "talk soon")
_GOODBYE += _phrases("that's all", "that's it", "that is all", "nothing else", "i'll hang up", "take care")
_GOODBYE += _phrases("have a nice day", "have a good day", "have a good one")
_YES = _phrases(
    "ja", "jawohl", "jo", "jap", "jep", "jup", "genau", "richtig", "stimmt", "korrekt", "passt", "exakt", "perfekt", "ok", "okay"
)
_YES += _phrases("alles klar", "in ordnung", "kein problem", "yes", "yeah", "yep", "yup", "yea", "correct", "right", "exactly", "sure")
_YES += _phrases("perfect", "absolutely", "spot on", "that's right", "no problem")
_NO_STRONG = _phrases("falsch", "stimmt nicht", "nicht richtig", "nicht korrekt", "nicht ganz", "passt nicht", "wrong", "incorrect")
_NO_STRONG += _phrases("not right", "not correct", "not quite", "that's not it")
_NO_PLAIN = _phrases("nein", "nee", "nö", "no", "nope", "nah")


def parse_correction(text: str, language: str) -> bool:
    """True when the caller corrects something just said or read back ("nein, die Nummer ist …", "sorry, I meant …")."""
    tokens = _tokens(text)
    if _find(tokens, _CORRECTION) is not None:
        return True
    words = [token for token in tokens if token.is_word]
    if not words or words[0].fold not in _CORRECTION_OPENERS or len(words) < 2:
        return False
    # "Nein, danke" and "No, that's all" are answers; a "no" followed by digits, a field or a name is a correction.
    lang = _lang(language)
    rest = words[1:]
    return any(
        token.is_digits or token.fold in _DIGIT_WORDS[lang] or token.fold in _CORRECTION_FIELDS or _is_name_word(token, False)
        for token in rest
    )


def wants_person(text: str, language: str) -> bool:
    """True when the caller asks for a human ("einen Mitarbeiter", "mit jemandem sprechen", "a real person", "operator")."""
    return _find(_tokens(text), _WANTS_PERSON) is not None


def is_goodbye(text: str, language: str) -> bool:
    """True when the caller ends the call ("Tschüss", "Auf Wiederhören", "das war's", "bye", "that's all")."""
    return _find(_tokens(text), _GOODBYE) is not None


def _confirmation(text: str) -> bool | None:
    tokens = _tokens(text)
    if _find(tokens, _NO_STRONG) is not None:
        return False  # "Ja, aber die letzte Ziffer ist falsch"
    no = _find(tokens, _NO_PLAIN, negatable=False)
    if tokens and tokens[0].fold == "ne" and len([t for t in tokens if t.is_word]) <= 2:
        no = _Match(0, 1)  # "ne" only as a whole answer; mid-sentence it means "eine"
    yes = _find(tokens, _YES)
    if yes is not None and (no is None or yes.start < no.start or (yes.start == no.start and yes.end > no.end)):
        return True
    return False if no is not None else None


def is_yes(text: str, language: str) -> bool:
    """True when the caller confirms a read-back ("ja", "genau", "stimmt", "yes", "that's right")."""
    return _confirmation(text) is True


def is_no(text: str, language: str) -> bool:
    """True when the caller rejects a read-back ("nein", "falsch", "no", "wrong"); a later "falsch" beats an earlier "ja"."""
    return _confirmation(text) is False
