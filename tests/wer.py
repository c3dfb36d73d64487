"""Word error rate between a reference text and what Whisper heard, after a normalisation both sides share.

Numbers count the same written as digits or as words ("sieben" = "7", "0171" = "0 1 7 1"), case and punctuation never.
"""

from __future__ import annotations

import re
import unicodedata

_NUMBER_WORDS = {
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn sechzehn "
    "siebzehn achtzehn neunzehn zwanzig",
    "en": "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty",
}
_TENS = {
    "de": {"dreißig": 30, "dreissig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90},
    "en": {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90},
}
_EXTRA = {"de": {"ein": 1, "eine": 1, "zwo": 2}, "en": {"oh": 0}}
_CONTRACTIONS = (("n't", " not"), ("'re", " are"), ("'m", " am"), ("'ll", " will"), ("'ve", " have"), ("'d", " would"))


def _number_map(language: str) -> dict[str, int]:
    table = {word: n for n, word in enumerate(_NUMBER_WORDS.get(language, "").split())}
    table.update(_TENS.get(language, {}))
    table.update(_EXTRA.get(language, {}))
    return table


def normalise(text: str, language: str) -> list[str]:
    numbers = _number_map(language)
    text = unicodedata.normalize("NFC", text.lower()).replace("ß", "ss").replace("’", "'")
    for short, full in _CONTRACTIONS if language == "en" else ():
        text = text.replace(short, full)
    text = re.sub(r"(?<=\w)-(?=\w)", " ", text)  # "re-enter" = "re enter", "open-source" = "open source"
    text = re.sub(r"\b([ap])\.\s?m\.", r"\1m", text)  # "7:30 a.m." = "7:30am"
    text = re.sub(r"(?<=\d)(?=[a-zäöü])", " ", text)  # "12pm" = "12 pm"
    text = re.sub(r"(?<=\d)[.,:/-](?=\d)", " ", text)  # 12.03. / 10:30 / 0171-234: the digits count, not the marks
    words: list[str] = []
    for word in re.findall(r"[\wäöü]+", text):
        value = numbers.get(word)
        token = str(value) if value is not None else word
        words.extend(list(token) if token.isdigit() else [token])
    return words


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def word_errors(reference: str, hypothesis: str, language: str) -> tuple[int, int]:
    """(errors, reference words): sum both over a set, then divide, for the corpus WER."""
    ref, hyp = normalise(reference, language), normalise(hypothesis, language)
    return edit_distance(ref, hyp), len(ref)


def digits(text: str, language: str) -> str:
    """Only the digits a text says, in order: a read-back must keep them all."""
    return "".join(w for w in normalise(text, language) if w.isdigit())
