"""Whisper's greedy loops on numbers: spotted in the transcript, and decoded again with a wider beam on the same audio."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.callsim import trimmed
from tests.whisper_answers.line_audio import transcriber
from voicebridge.audio.pcm import silence
from voicebridge.config import parse_config
from voicebridge.speech import stt
from voicebridge.speech.stt import looks_looped


@pytest.mark.parametrize(
    ("text", "looped"),
    [
        ("My heating is broken and my number is 0171 234 5678 234 5,678 238", True),  # seen on the speculation test's audio
        ("2 3 4 5 6 6 6 6 7 7 7 7 8 7 7 Vielen Dank 8", True),  # seen through a real Asterisk
        ("My heating is broken and my number is 0171 234 5678", False),
        ("Meine Nummer ist 0171. 2, 3, 4, 5, 6, 7, 8.", False),
        ("Doppel fünf: 0555 12 34 56", False),
        ("Ja, ja, ja, genau.", False),  # three times is how people agree, not a loop
    ],
)
def test_a_loop_is_told_from_a_number(text: str, looped: bool) -> None:
    assert looks_looped(text) is looped


def test_a_looped_number_is_decoded_again_with_a_wider_beam(say: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    # The draft a caller's pause mid-number gets: "... my number is 0171", 900 ms, "234 5678.", 200 ms of silence.
    audio = trimmed(say("My heating is broken and my number is 0171")) + silence(8000, 900) + trimmed(say("234 5678.")) + silence(8000, 200)
    whisper = transcriber(parse_config({}))
    monkeypatch.setattr(stt, "LOOP_BEAM", 1)  # greedy only, as before
    greedy = whisper.transcribe(audio, 8000, "en").text
    assert looks_looped(greedy), greedy  # the loop this guards against is real on this audio
    monkeypatch.undo()
    assert whisper.transcribe(audio, 8000, "en").text.rstrip(".") == "My heating is broken and my number is 0171 234 5678"
