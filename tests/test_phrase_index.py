"""find_phrase tries only the phrases that can start at a token (a first-word index); it must find exactly what a scan of
every phrase at every token finds, for every phrase table the parsers hold, on what callers really say."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import pytest

from tests.conversations.generator import split
from voicebridge.dialogue.parsers import address, intent, names, replies, urgency, when
from voicebridge.dialogue.parsers.text import Phrase, PhraseMatch, Token, _match_words, _negated, find_phrase, phrase_table, tokenize


def scan_every_phrase(tokens: Sequence[Token], phrases: Sequence[Phrase], inflect: bool, negatable: bool) -> PhraseMatch | None:
    """find_phrase as it was before the index: every phrase at every position."""
    for i in range(len(tokens)):
        best = None
        for phrase in phrases:
            end = _match_words(tokens, i, phrase, 0, inflect)
            if end is not None and (best is None or end > best) and not (negatable and _negated(tokens, i, end)):
                best = end
        if best is not None:
            return PhraseMatch(i, best)
    return None


def tables() -> Iterator[tuple[str, Sequence[Phrase]]]:
    for module in (address, intent, names, replies, urgency, when):
        for name, value in vars(module).items():
            candidates = value.items() if isinstance(value, dict) else [("", value)]
            for key, table in candidates:
                if isinstance(table, tuple) and table and all(isinstance(p, Phrase) for p in table):
                    yield f"{module.__name__.rsplit('.', 1)[1]}.{name}{'[' + key + ']' if key else ''}", table


def utterances() -> list[str]:
    lines = [line for facts in split("dev", 40) for line, _ in facts.script()]
    rng = random.Random(7)
    words = " ".join(lines).split()
    # Shuffled words as well: phrases meet each other's words in orders no caller script has.
    return lines + [" ".join(rng.sample(words, 12)) for _ in range(80)]


TABLES = list(tables())


def test_the_parsers_phrase_tables_are_all_found() -> None:
    assert len(TABLES) >= 20
    assert any(p.compound for _, t in TABLES for p in t), "no compound phrase ('*rohrbruch') among the tables"
    assert any("…" in p.words for _, t in TABLES for p in t), "no phrase with a gap among the tables"


@pytest.mark.parametrize("inflect", [False, True])
def test_the_index_finds_what_a_full_scan_finds(inflect: bool) -> None:
    said = [tokenize(text) for text in utterances()]
    found = 0
    for name, table in TABLES:
        for tokens in said:
            for negatable in (True, False):
                expected = scan_every_phrase(tokens, table, inflect, negatable)
                assert find_phrase(tokens, table, inflect=inflect, negatable=negatable) == expected, name
                found += expected is not None
    assert found > 500  # the comparison is about matches, not only about misses


def test_a_table_built_per_call_and_a_compound_and_an_inflection() -> None:
    tokens = tokenize("Wir haben einen Wasserrohrbruch und die Heizungen sind komplett ausgefallen")
    assert find_phrase(tokens, phrase_table("*rohrbruch")) == PhraseMatch(3, 4)
    assert find_phrase(tokens, phrase_table("heizung … ausgefallen"), inflect=True) == PhraseMatch(6, 10)
    assert find_phrase(tokens, phrase_table("heizung … ausgefallen")) is None  # "Heizungen" needs the inflection
