"""Text helpers every parser shares: one folded spelling, tokens, and phrase tables matched with gaps and negation.

Whisper writes one word as "Straße", "Strasse" or "strasse"; everything here compares in a single spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def lang_code(language: str) -> str:
    # Whisper reports "de", a config may say "de-DE"; anything not English gets the product's home language.
    return "en" if language.strip().lower().startswith("en") else "de"


def fold_text(text: str) -> str:
    # Whisper writes one word as "Straße", "Strasse" or "strasse", "Müller" or "Mueller": compare in a single spelling.
    return text.translate(_APOSTROPHES).casefold().translate(_UMLAUTS)


_V = TypeVar("_V")


def folded(table: dict[str, _V]) -> dict[str, _V]:
    return {fold_text(key): value for key, value in table.items()}


def alternation(words: Iterable[str]) -> str:
    # Longest first, so "übermorgen" is tried before "morgen".
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    # "#" keeps offsets stable and stops digits on either side from joining into one number.
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "#" * (end - start)
    return "".join(chars)


def spans_overlap(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


_TOKEN_RE = re.compile(r"[^\W_]+(?:['-][^\W_]+)*|[.,;:!?&]")
NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


@dataclass(frozen=True)
class Token:
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


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), fold_text(m.group()), m.start(), m.end()) for m in _TOKEN_RE.finditer(text.translate(_APOSTROPHES))]


# --- phrase tables -----------------------------------------------------------------------------------------------------------------
# Tables are written in plain German/English and folded once; "…" lets up to three words sit in between ("Heizung ist
# komplett ausgefallen"), and a "*" before a word lets it end a German compound ("*rohrbruch" finds "Wasserrohrbruch",
# "durch die *decke" finds "durch die Küchendecke").

_GAP = "…"
_MAX_GAP = 3
# No bare "s": "notfalls" means "if need be", not "emergency".
_INFLECTIONS = ("", "e", "n", "en", "es", "er", "em")
_NEGATORS = frozenset({"nicht", "nichts", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "ohne"}) | frozenset(
    {"no", "not", "never", "without", "nothing"}
)
# "es eilt überhaupt nicht", "it's really not": a word between the keyword and its negation that only strengthens it.
_INTENSIFIERS = frozenset({"ueberhaupt", "gar", "wirklich", "absolut", "ganz", "really", "actually", "at"})
_CLAUSE_BREAKS = frozenset({".", ",", ";", ":", "!", "?", "aber", "sondern", "but"})


def _is_negator(fold: str) -> bool:
    return fold in _NEGATORS or fold.endswith("n't")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    compounds: tuple[bool, ...]  # per word: it may end a longer word

    @property
    def compound(self) -> bool:
        return self.compounds[0]


@dataclass(frozen=True)
class PhraseMatch:
    start: int
    end: int


def phrase_table(*entries: str) -> tuple[Phrase, ...]:
    return tuple(Phrase(tuple(fold_text(word.lstrip("*")) for word in entry.split()), tuple(word.startswith("*") for word in entry.split()))
                 for entry in entries)


def _word_matches(fold: str, word: str, compound: bool, inflect: bool) -> bool:
    for ending in _INFLECTIONS if inflect else ("",):
        target = word + ending
        if fold == target or (compound and fold.endswith(target)):
            return True
    return False


def _match_words(tokens: Sequence[Token], j: int, phrase: Phrase, k: int, inflect: bool) -> int | None:
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
    if j >= len(tokens) or not _word_matches(tokens[j].fold, words[k], phrase.compounds[k], inflect):
        return None
    return _match_words(tokens, j + 1, phrase, k + 1, inflect)


def _negated(tokens: Sequence[Token], start: int, end: int) -> bool:
    # "kein Notfall", "not urgent", "es ist nicht dringend": a negator shortly before, in the same clause.
    for token in reversed(tokens[max(0, start - 3) : start]):
        if token.fold in _CLAUSE_BREAKS:
            break
        if _is_negator(token.fold):
            return True
    # German negates after the verb: "das Wasser läuft nicht", "das war's noch nicht".
    after = [token.fold for token in tokens[end : end + 2]]
    return after[:1] in (["nicht"], ["not"]) or (after[:1] in (["noch"], *([w] for w in _INTENSIFIERS)) and after[1:] in (["nicht"], ["not"]))


@dataclass(frozen=True)
class _FirstWords:
    """A table's phrases by their first word, so a token is tried only against the phrases that can start there."""

    by_word: dict[str, tuple[Phrase, ...]]
    always: tuple[Phrase, ...]  # compounds ("*rohrbruch" ends a word) and a leading gap: no single first word

    @classmethod
    def of(cls, phrases: Sequence[Phrase]) -> _FirstWords:
        by_word: dict[str, list[Phrase]] = {}
        always = []
        for phrase in phrases:
            if phrase.compound or not phrase.words or phrase.words[0] == _GAP:
                always.append(phrase)
            else:
                by_word.setdefault(phrase.words[0], []).append(phrase)
        return cls({word: tuple(group) for word, group in by_word.items()}, tuple(always))

    def starting(self, fold: str, inflect: bool) -> list[Phrase]:
        found = list(self.always)
        for ending in _INFLECTIONS if inflect else ("",):
            if fold.endswith(ending):
                found += self.by_word.get(fold[: len(fold) - len(ending)], ())
        return found


# Why a memo: a parser scanned every phrase of a table at every token (a 5 ms dialogue step, 40 ms at worst, on the event
# loop that paces eight calls' audio). Tables are module constants, so this holds a few dozen entries; the table itself is
# kept with its index, so its id cannot be reused while the entry lives. A table built per call is indexed, not kept.
_FIRST_WORDS: dict[int, tuple[Sequence[Phrase], _FirstWords]] = {}
_MEMO_LIMIT = 256


def _first_words(phrases: Sequence[Phrase]) -> _FirstWords:
    entry = _FIRST_WORDS.get(id(phrases))
    if entry is not None and entry[0] is phrases:
        return entry[1]
    index = _FirstWords.of(phrases)
    if len(_FIRST_WORDS) < _MEMO_LIMIT:
        _FIRST_WORDS[id(phrases)] = (phrases, index)
    return index


def find_phrase(tokens: Sequence[Token], phrases: Sequence[Phrase], *, inflect: bool = False, negatable: bool = True, start: int = 0) -> PhraseMatch | None:
    """The earliest match; at one position the longest, so "no problem" beats "no"."""
    index = _first_words(phrases)
    for i in range(start, len(tokens)):
        best: int | None = None
        for phrase in index.starting(tokens[i].fold, inflect):
            end = _match_words(tokens, i, phrase, 0, inflect)
            if end is not None and (best is None or end > best) and not (negatable and _negated(tokens, i, end)):
                best = end
        if best is not None:
            return PhraseMatch(i, best)
    return None


def span_text(text: str, tokens: Sequence[Token], match: PhraseMatch) -> str:
    return text[tokens[match.start].start : tokens[match.end - 1].end]
