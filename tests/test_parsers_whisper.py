"""The parsers on what Whisper really writes for callers' answers to the agent's questions (8 kHz, the project's STT settings).

`tests/whisper_answers/transcripts.json` holds observed transcripts (regenerate: `python -m tests.whisper_answers.record`); they
are regression fixtures written while the parsers were fixed, not a held-out measure. Where Whisper lost what was said
(`whisper_lost`), `expected` is what a careful reader gets from the transcript; "unreadable" rows assert only that parsing copes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.whisper_answers.answers import ANSWERS, parse_field
from tests.whisper_answers.line_audio import LINE_RATE, line_audio, transcriber, voice
from voicebridge.config import parse_config

ROWS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "whisper_answers" / "transcripts.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", ROWS, ids=[f"{row['key']}-{row['voice']}" for row in ROWS])
def test_parsers_read_whisper_transcripts(row: dict[str, Any]) -> None:
    got = parse_field(row["field"], row["transcript"], row["language"])
    if row["expected"] != "unreadable":
        assert got == row["expected"], row["transcript"]


def test_the_fixtures_cover_every_answer_and_say_what_whisper_lost() -> None:
    assert {row["key"] for row in ROWS} == {answer.key for answer in ANSWERS}
    for row in ROWS:
        # A row that does not hold what was said must say what Whisper lost, so no miss hides as a fixture.
        assert row["expected"] == row["said_value"] or row.get("whisper_lost"), row["key"]


def test_the_two_whisper_forms_from_the_real_pbx_are_in_the_fixtures() -> None:
    transcripts = {row["transcript"] for row in ROWS}
    assert "Meine Nummer ist 0171. 2, 3, 4, 5, 6, 7, 8." in transcripts
    assert any(row["key"] == "de-window-not-address" and row["expected"] is None for row in ROWS)


# The real thing: synthesize, take to 8 kHz, transcribe with the bundled Whisper, parse. Answers Whisper keeps intact.
LIVE = ("de-mobile-digits-paused", "de-window-not-address", "de-ceiling", "de-message", "en-us", "en-street", "en-quite-soon")


@pytest.fixture(scope="module")
def whisper():  # type: ignore[no-untyped-def]
    return transcriber(parse_config({}))


@pytest.mark.parametrize("key", LIVE)
def test_live_answer_through_whisper_parses_to_what_was_said(key: str, whisper: Any) -> None:
    answer = next(answer for answer in ANSWERS if answer.key == key)
    speaker = voice("pico:de-DE" if answer.language == "de" else "piper:joe")
    transcript = whisper.transcribe(line_audio(speaker, answer.parts), LINE_RATE, answer.language).text
    assert parse_field(answer.field, transcript, answer.language) == answer.expected, transcript
