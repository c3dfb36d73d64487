"""Barge-in: the decision logic alone, then the real daemon cut off by a caller, not by a cough, a "mhm" or its own echo."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.callsim import caller_turns, store_of, wait_call_closed
from tests.conftest import DaemonFactory, PhrasesOf, make_config
from voicebridge.audio.pcm import to_pcm
from voicebridge.call_session.speaker import spoken_part as _spoken_part
from voicebridge.config import parse_config
from voicebridge.daemon import Daemon
from voicebridge.models.registry import Models, load_voices
from voicebridge.speech.tts import Synthesizer
from voicebridge.transport.audiosocket_client import AsteriskPeer
from voicebridge.turn.barge_in import BargeInDetector, EchoGate, Verdict


def run(detector: BargeInDetector, pattern: str, speaking: bool = True) -> list[Verdict]:
    return [v for v in (detector.process(speaking, ch == "s") for ch in pattern) if v is not Verdict.NONE]


def test_speech_over_the_agent_pauses_then_interrupts() -> None:
    assert run(BargeInDetector(pause_ms=100, confirm_ms=500), "s" * 30) == [Verdict.PAUSE, Verdict.INTERRUPT]


def test_a_short_mhm_pauses_then_resumes() -> None:
    assert run(BargeInDetector(pause_ms=100, confirm_ms=500, resume_ms=300), "s" * 12 + "." * 20) == [Verdict.PAUSE, Verdict.RESUME]


def test_nothing_happens_when_the_agent_is_quiet_or_on_isolated_blips() -> None:
    assert run(BargeInDetector(), "s" * 40, speaking=False) == []
    assert run(BargeInDetector(pause_ms=100), "s..s..s..s..s.." * 3) == []


def test_echo_gate_tells_echo_from_the_caller() -> None:
    gate = EchoGate(margin_db=15)
    agent = to_pcm(0.3 * np.sin(np.arange(160) / 3.0))
    gate.sent(agent)
    echo = to_pcm(0.3 * 0.05 * np.sin(np.arange(160) / 3.0))  # -26 dB
    caller = to_pcm(0.2 * np.sin(np.arange(160) / 5.0))
    assert not gate.is_caller(echo) and gate.is_caller(caller)


def test_spoken_part_keeps_only_what_was_played() -> None:
    spans = [("Hello there.", 0, 1000), ("This is a long second sentence here.", 1000, 3000)]
    assert _spoken_part(spans, 3000) == "Hello there. This is a long second sentence here."
    assert _spoken_part(spans, 2000) == "Hello there. This is a …"
    assert _spoken_part(spans, 500) == "Hello …"
    assert _spoken_part(spans, 0) == ""


def voiced_burst(ms: int, rate: int = 8000) -> bytes:
    """A cough-like burst: noisy, voiced-band energy for `ms` milliseconds, with silence around it."""
    rng = np.random.default_rng(1)
    n = rate * ms // 1000
    t = np.arange(n) / rate
    burst = 0.25 * np.sin(2 * np.pi * 180 * t) * (1 + 0.5 * rng.standard_normal(n)) * np.hanning(n)
    return bytes(800) + to_pcm(burst.astype(np.float32)) + bytes(800)


@pytest.mark.e2e
async def test_caller_barging_in_stops_the_agent_within_200_ms(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    speech = say("Sorry I need to tell you something about my heating right now")
    lead_s = 0.1  # the `say` fixture's leading silence
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await peer.connect()
    assert await peer.wait_for_speech(0, 10) is not None
    await asyncio.sleep(1.0)  # well into the greeting
    sending = peer.say(speech)
    await asyncio.sleep(0.05)
    caller_started = time.monotonic() - 0.05 + lead_s
    await sending
    await asyncio.sleep(0.3)
    agent_after = [f.at for f in peer.received if f.at > caller_started and f.is_speech and f.at < caller_started + 1.5]
    stopped_after = (max(agent_after) - caller_started) if agent_after else 0.0
    assert stopped_after <= 0.200, f"agent kept talking {stopped_after * 1000:.0f} ms into the caller's speech"
    reply = await peer.wait_for_speech(time.monotonic(), 20)
    assert reply is not None, "no answer to the caller after the barge-in"
    await peer.hang_up()
    await wait_call_closed(daemon, peer.call_id)
    turns = store_of(daemon).turns(peer.call_id)
    greeting = turns[0]
    assert greeting["interrupted"] == 1
    assert greeting["text"] != daemon.services.phrases and len(greeting["text"]) < 60, greeting["text"]  # type: ignore[union-attr]
    assert "heating" in " ".join(caller_turns(daemon, peer.call_id)).lower()


@pytest.fixture(scope="module", params=["joe", "pico"])
def english_voice(request: pytest.FixtureRequest, models: Models) -> Models:
    """The shipped English voice (Piper joe) and the option (`voice_en = "pico"`, louder and with longer pauses)."""
    if request.param == "joe":
        return models
    voices = load_voices(parse_config({"models": {"tts": {"voice_en": "pico"}}}))
    return dataclasses.replace(models, tts=Synthesizer(voices))


@pytest.mark.e2e
async def test_cough_and_echo_do_not_interrupt(tmp_path: Path, english_voice: Models, phrases: PhrasesOf) -> None:
    daemon = Daemon(make_config(tmp_path), english_voice, phrases(english_voice))
    await daemon.start()
    try:
        assert daemon.audiosocket is not None
        peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
        await peer.connect()
        assert await peer.wait_for_speech(0, 10) is not None
        echoed = 0
        cough = np.zeros(0, dtype=np.float32)

        async def echo_back() -> None:
            # The line returns our own voice 20 dB down and 100 ms late, as a hybrid or a handset speaker does. The
            # caller's cough is mixed into that stream as a line mixes it: queued after the echo instead, it would push
            # all later echo 450 ms back, past the echo gate's 500 ms memory, which no real line does.
            nonlocal echoed, cough
            while True:
                await asyncio.sleep(0.02)
                due = [f for f in peer.received[echoed:] if f.at <= time.monotonic() - 0.1]
                for frame in due:
                    samples = np.frombuffer(frame.payload, dtype="<i2").astype(np.float32) * 0.1
                    mixed, cough = cough[: len(samples)], cough[len(samples):]
                    samples[: len(mixed)] += mixed
                    peer.say(np.clip(samples, -32768, 32767).astype("<i2").tobytes())
                echoed += len(due)

        echo = asyncio.create_task(echo_back())
        await asyncio.sleep(1.5)
        cough = np.frombuffer(voiced_burst(250), dtype="<i2").astype(np.float32)  # a cough over the greeting
        assert await peer.wait_for_quiet(1.0, 20)
        echo.cancel()
        await peer.hang_up()
        await wait_call_closed(daemon, peer.call_id)
        turns = store_of(daemon).turns(peer.call_id)
        assert turns[0]["interrupted"] == 0 and "AI assistant" in turns[0]["text"], turns[0]
        assert caller_turns(daemon, peer.call_id) == []
    finally:
        await daemon.stop()


@pytest.mark.e2e
async def test_a_caller_who_goes_on_after_a_cough_is_heard(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    """A cough over the greeting resumes it; the words that follow within the same breath are the caller's turn."""
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await peer.connect()
    assert await peer.wait_for_speech(0, 10) is not None
    await asyncio.sleep(1.0)  # well into the greeting
    await peer.say(voiced_burst(250) + bytes(8000 * 2 * 250 // 1000) + say("Sorry, my heating stopped working this morning."))
    assert await peer.wait_for_speech(time.monotonic(), 20) is not None, "no answer to the caller"
    await peer.hang_up()
    await wait_call_closed(daemon, peer.call_id)
    assert "heating" in " ".join(caller_turns(daemon, peer.call_id)).lower(), store_of(daemon).turns(peer.call_id)


@pytest.mark.e2e
@pytest.mark.parametrize("noise", ["silence", "line_noise", "dtmf_tones"])
async def test_noise_never_becomes_a_turn(start_daemon: DaemonFactory, noise: str) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    rate, seconds = 8000, 4
    t = np.arange(rate * seconds) / rate
    rng = np.random.default_rng(7)
    if noise == "silence":
        audio = 0.0005 * rng.standard_normal(len(t))
    elif noise == "line_noise":
        audio = 0.03 * rng.standard_normal(len(t)) + 0.02 * np.sin(2 * np.pi * 50 * t)  # hiss and mains hum
    else:
        keys = [(697, 1209), (770, 1336), (852, 1477), (941, 1336)]
        audio = np.zeros(len(t))
        for i, (low, high) in enumerate(keys * 3):
            start = int(i * 0.3 * rate)
            seg = slice(start, start + int(0.15 * rate))
            audio[seg] = 0.25 * (np.sin(2 * np.pi * low * t[seg]) + np.sin(2 * np.pi * high * t[seg]))
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await peer.connect()
    await peer.wait_for_speech(0, 10)
    await peer.wait_for_quiet(0.8, 20)
    await peer.say(to_pcm(audio.astype(np.float32)))
    await asyncio.sleep(3.0)  # room for any transcription to land
    await peer.hang_up()
    await wait_call_closed(daemon, peer.call_id)
    assert caller_turns(daemon, peer.call_id) == []
