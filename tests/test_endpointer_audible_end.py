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


def _ended_at_frame(ep: Endpointer, speech: list[bytes]) -> tuple[int, UtteranceEnded]:
    """Feed `speech` flagged as speech (as webrtcvad does past the voice), then silence: (frames fed, the event)."""
    fed = 0
    for i, f in enumerate(speech + [bytes(320)] * 30):
        fed += 1
        ended = [e for e in ep.process(f, i < len(speech)) if isinstance(e, UtteranceEnded)]
        if ended:
            return fed, ended[0]
    raise AssertionError("the turn never ended")


def test_the_hangover_can_run_from_where_the_voice_stops() -> None:
    """webrtcvad calls 100-120 ms after the voice speech; with `quiet_is_silence` that run-on is part of the hangover."""
    speech = frames(tone(1000) + bytes(RATE // 1000 * 2 * 120))  # 1 s of sound, then 120 ms the VAD still calls speech
    by_vad, first = _ended_at_frame(Endpointer(RATE, hangover_ms=300, min_speech_ms=100), speech)
    by_voice, second = _ended_at_frame(Endpointer(RATE, hangover_ms=300, min_speech_ms=100, quiet_is_silence=True), speech)
    assert by_vad == 56 + 15 and by_voice == 50 + 15  # 6 frames (120 ms) sooner
    assert first.end_ms == second.end_ms == 1000 and first.audio[:16000] == second.audio[:16000]


def test_a_quiet_pause_inside_a_word_does_not_end_the_turn_early() -> None:
    """A quiet gap the VAD calls speech (a stop consonant's closure) restarts the count at the next sound."""
    ep = Endpointer(RATE, hangover_ms=300, min_speech_ms=100, quiet_is_silence=True)
    speech = frames(tone(500) + bytes(RATE // 1000 * 2 * 200) + tone(500))  # 200 ms quiet inside: shorter than the hangover
    fed, ended = _ended_at_frame(ep, speech)
    assert fed == len(speech) + 15 and ended.end_ms == 1200
