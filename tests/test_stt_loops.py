"""Whisper's greedy loops on numbers: spotted in the transcript, and decoded again with a wider beam on the same audio."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.whisper_answers.line_audio import transcriber
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


def _trimmed(pcm: bytes) -> bytes:
    samples = np.frombuffer(pcm, dtype="<i2")
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 500)
    return samples[: loud[-1] + 1].tobytes()


def test_a_looped_number_is_decoded_again_with_a_wider_beam(say: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    # The draft a caller's pause mid-number gets: "... my number is 0171", 900 ms, "234 5678.", 200 ms of silence.
    pause, tail = bytes(2 * 8000 * 900 // 1000), bytes(2 * 8000 * 200 // 1000)
    audio = _trimmed(say("My heating is broken and my number is 0171")) + pause + _trimmed(say("234 5678.")) + tail
    whisper = transcriber(parse_config({}))
    monkeypatch.setattr(stt, "LOOP_BEAM", 1)  # greedy only, as before
    greedy = whisper.transcribe(audio, 8000, "en").text
    assert looks_looped(greedy), greedy  # the loop this guards against is real on this audio
    monkeypatch.undo()
    assert whisper.transcribe(audio, 8000, "en").text.rstrip(".") == "My heating is broken and my number is 0171 234 5678"
