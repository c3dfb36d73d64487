"""A whole call through the real daemon with the real models, over real AudioSocket bytes on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest

from tests.callsim import caller_turns, greet_and_wait, pacing, store_of, wait_call_closed, wait_note
from tests.conftest import DaemonFactory
from voicebridge.transport.audiosocket_client import AsteriskPeer
from voicebridge.transport.audiosocket_codec import Kind

pytestmark = pytest.mark.e2e


async def test_call_is_answered_transcribed_and_closed(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    speech = say("Hello, my name is Peter Smith. The heating in my house is broken.")  # before the call: Piper blocks
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    greeting_delay = await greet_and_wait(peer)
    assert greeting_delay < 1.0  # the greeting is pre-synthesized
    sent = await peer.say(speech)
    reply_at = await peer.wait_for_speech(sent.last_sample_at, 20)
    assert reply_at is not None, "the agent did not answer the caller"
    await peer.wait_for_quiet(0.8, 20)
    # Paced like a phone line: ~20 ms per frame, no bursts, only audio kinds on the wire.
    mean_gap, max_gap, bursts = pacing(peer.received)
    assert 19.0 < mean_gap < 21.5, mean_gap
    assert max_gap < 60, max_gap
    assert bursts < len(peer.received) * 0.02
    assert peer.unexpected == []
    assert {f.kind for f in peer.received} == {Kind.SLIN_8K} and all(len(f.payload) == 320 for f in peer.received)
    await peer.hang_up()

    row = await wait_call_closed(daemon, peer.call_id)
    assert row["end_reason"] == "caller_hangup" and row["duration_s"] > 3
    turns = store_of(daemon).turns(peer.call_id)
    assert [t["role"] for t in turns] == ["agent", "caller", "agent"]
    assert "AI assistant" in turns[0]["text"]
    said = turns[1]["text"].lower()
    assert "heating" in said and "broken" in said
    timings = json.loads(turns[1]["timings"])
    assert timings["stt_ms"] > 0 and turns[1]["duration_ms"] > 1000
    assert json.loads(turns[2]["timings"])["response_ms"] > 0
    # The daemon's own pacer kept the 20 ms clock for the whole call. Zero late frames is the benchmark's target
    # (benchmarks/latency.py reports them per level); a test on a shared 2-core box may see the odd scheduler hiccup,
    # so it asserts the clock, not the machine: a frame every 20 ms over the call, and at most one late frame.
    stats = json.loads(row["audio_stats"])
    assert abs(stats["frames_sent"] * 0.02 - row["duration_s"]) < 1.0, (stats, row["duration_s"])
    assert stats["gaps_over_40ms"] <= 1 and stats["max_gap_ms"] < 200, stats
    note = json.loads(await wait_note(daemon, peer.call_id))
    assert note["name"] == "Peter Smith" and "heating" in note["concern"].lower() and "callback_number" in note["missing"]


async def test_concurrent_calls_each_get_their_own_answer(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    lines = {
        "heating": "My heating stopped working this morning.",
        "kitchen": "Water is leaking under the kitchen sink.",
        "roof": "A storm damaged the roof of my garage.",
    }
    peers = {key: AsteriskPeer("127.0.0.1", daemon.audiosocket.port) for key in lines}
    audio = {key: say(text) for key, text in lines.items()}

    async def one_call(key: str) -> float | None:
        peer = peers[key]
        await greet_and_wait(peer, timeout=15)
        sent = await peer.say(audio[key])
        reply = await peer.wait_for_speech(sent.last_sample_at, 40)
        await peer.wait_for_quiet(0.8, 30)
        await peer.hang_up()
        return None if reply is None else reply - sent.last_sample_at

    delays = await asyncio.gather(*(one_call(k) for k in lines))
    assert all(d is not None for d in delays), delays
    for key, peer in peers.items():
        await wait_call_closed(daemon, peer.call_id)
        heard = " ".join(caller_turns(daemon, peer.call_id)).lower()
        assert key in heard, (key, heard)
        others = [k for k in lines if k != key]
        assert not any(o in heard for o in others)
        _, max_gap, _ = pacing(peer.received)
        assert max_gap < 80, (key, max_gap)


async def test_wideband_slin16_call(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    """Dial(AudioSocket/host:port/uuid/c(slin16)): kind 0x12 in, 640-byte 0x12 frames back."""
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    speech = say("I would like to book an appointment for a new boiler.", rate=16000)
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port, sample_rate=16000)
    await greet_and_wait(peer)
    sent = await peer.say(speech)
    assert await peer.wait_for_speech(sent.last_sample_at, 20) is not None
    await peer.hang_up()
    row = await wait_call_closed(daemon, peer.call_id)
    assert row["sample_rate"] == 16000
    assert {f.kind for f in peer.received} == {Kind.SLIN_16K} and all(len(f.payload) == 640 for f in peer.received)
    heard = " ".join(caller_turns(daemon, peer.call_id)).lower()
    # Whisper base hears the last word as "boy" now and then; the words before it are stable at 16 kHz.
    assert "appointment" in heard and "book" in heard, heard


async def test_agent_says_goodbye_and_hangs_up(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    first, second = say("There is a leak in my bathroom."), say("My name is Anna Lee, my number is 0171 234 5678.")
    third = say("Yes, that's right. Goodbye.")
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    for speech in (first, second):  # the concern, then name and number, which the agent reads back
        sent = await peer.say(speech)
        assert await peer.wait_for_speech(sent.last_sample_at, 20) is not None
        await peer.wait_for_quiet(0.8, 30)
    await peer.say(third)
    # The goodbye plays in full, then 0x00 tells Asterisk to continue the dialplan.
    assert await peer.wait_closed(40)
    assert peer.agent_hung_up
    row = await wait_call_closed(daemon, peer.call_id)
    assert row["end_reason"] == "agent_goodbye"
    agent_turns = [t for t in store_of(daemon).turns(peer.call_id) if t["role"] == "agent"]
    assert "Goodbye" in agent_turns[-1]["text"] and agent_turns[-1]["interrupted"] == 0
    await peer.hang_up()


async def test_german_call_with_espeak_voice(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon(business={"language": "de", "name": "Sanitär Huber"})
    assert daemon.audiosocket is not None
    speech = say("Guten Tag. Meine Heizung ist kaputt.", language="de")
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    sent = await peer.say(speech)
    assert await peer.wait_for_speech(sent.last_sample_at, 20) is not None
    await peer.hang_up()
    row = await wait_call_closed(daemon, peer.call_id)
    assert row["language"] == "de"
    turns = store_of(daemon).turns(peer.call_id)
    assert "KI-Assistent" in turns[0]["text"] and "Sanitär Huber" in turns[0]["text"]
    assert "heizung" in " ".join(caller_turns(daemon, peer.call_id)).lower()


async def test_hang_up_mid_sentence_keeps_what_was_said(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    speech = say("My washing machine is flooding the basement and I need somebody to come round today please.")
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    peer.say(speech)
    await asyncio.sleep(len(speech) / 2 / 8000 * 0.7)  # hang up 70 % of the way through
    await peer.hang_up()
    started = time.monotonic()
    row = await wait_call_closed(daemon, peer.call_id)
    assert row["end_reason"] == "caller_hangup"
    assert time.monotonic() - started < 15
    assert "washing machine" in " ".join(caller_turns(daemon, peer.call_id)).lower()
