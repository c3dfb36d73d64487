"""Number words in German and English: cardinals 0-99, ordinals 1-31 and the spoken digits of a phone number.

Built once from the rules of each language ("zweiunddreißig", "twenty-one") and stored folded.
"""

from __future__ import annotations

from voicebridge.dialogue.parsers.text import folded

_DE_UNITS = ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun")
_DE_TEENS = ("zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn")
_DE_TENS = ("", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig")
EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _de_number(n: int) -> str:
    if n < 20:
        return _DE_UNITS[n] if n < 10 else _DE_TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return _DE_TENS[tens] if not unit else ("ein" if unit == 1 else _DE_UNITS[unit]) + "und" + _DE_TENS[tens]


def _en_number(n: int) -> str:
    if n < 20:
        return EN_UNITS[n] if n < 10 else _EN_TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{EN_UNITS[unit]}" if unit else "")


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
    return folded(words)


def _ordinals(language: str) -> dict[str, int]:
    """Ordinals 1-31 for dates in their base form ("dritte", "third"); German endings are added by the date pattern."""
    words = folded({(_de_ordinal if language == "de" else _en_ordinal)(n): n for n in range(1, 32)})
    return words | {word.replace("-", " "): n for word, n in words.items() if "-" in word}


CARDINALS = {"de": _cardinals("de"), "en": _cardinals("en")}
ORDINALS = {"de": _ordinals("de"), "en": _ordinals("en")}


DIGIT_WORDS = {
    "de": folded(
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
    "en": folded(
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
