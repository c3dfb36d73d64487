"""The turn's end is marked where the sound stops, not at VAD's last speech frame (webrtcvad runs on past the voice)."""

from __future__ import annotations

import numpy as np

from voicebridge.audio.pcm import audible_end_ms
from voicebridge.turn.endpointer import Endpointer, UtteranceEnded

RATE = 8000


def tone(ms: int, level: float = 8000.0) -> bytes:
    t = np.arange(RATE * ms // 1000) / RATE
    return (level * np.sin(2 * np.pi * 300 * t)).astype("<i2").tobytes()


def frames(pcm: bytes) -> list[bytes]:
    return [pcm[i:i + 320] for i in range(0, len(pcm), 320)]


def test_audible_end_within_a_frame() -> None:
    assert audible_end_ms(tone(10) + bytes(160), RATE) == 10
    assert audible_end_ms(bytes(320), RATE) is None
    assert audible_end_ms(tone(20, level=100), RATE) is None  # -50 dBFS: not heard on a phone line


def test_end_is_the_last_sound_even_when_vad_calls_the_silence_after_it_speech() -> None:
    ep = Endpointer(RATE, hangover_ms=200, min_speech_ms=100)
    speech = frames(tone(1010) + bytes(RATE // 1000 * 2 * 230))  # 1010 ms of sound, then quiet the VAD still calls speech
    events = [e for i, f in enumerate(speech) for e in ep.process(f, True)]
    events += [e for _ in range(12) for e in ep.process(bytes(320), False)]
    ended = [e for e in events if isinstance(e, UtteranceEnded)]
    assert len(ended) == 1
    assert ended[0].end_ms == 1010  # not 1240, the end of the last frame VAD called speech


def test_without_audible_sound_the_vad_end_stands() -> None:
    ep = Endpointer(RATE, hangover_ms=200, min_speech_ms=100)
    events = [e for f in frames(bytes(320 * 20)) for e in ep.process(f, True)]
    events += [e for _ in range(12) for e in ep.process(bytes(320), False)]
    ended = [e for e in events if isinstance(e, UtteranceEnded)]
    assert ended and ended[0].end_ms == 400
