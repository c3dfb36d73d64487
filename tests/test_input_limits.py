"""Bounded input on the real daemon: floods (DTMF, audio faster than real time, oversized bursts) end only the flooding
call with a protocol reason, silent callers are told goodbye, reused call ids are refused, hostile JSON is one line."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable

import pytest

from tests.callsim import greet_and_wait, store_of, wait_call_closed
from tests.conftest import DaemonFactory
from tests.freeswitch_peers import AudioForkPeer, AudioStreamPeer
from voicebridge.call_session.events import AudioIn, DtmfIn
from voicebridge.call_session.input_guard import InputGuard
from voicebridge.daemon import Daemon
from voicebridge.transport.audiosocket_client import AsteriskPeer
from voicebridge.transport.audiosocket_codec import Decoder, Kind, encode, uuid_message
from voicebridge.transport.json_frames import JsonFrameError, load_json_frame, nesting_depth

FRAME = bytes(320)  # 20 ms of 8 kHz silence


def test_guard_allows_real_time_and_a_burst_but_not_a_flood() -> None:
    guard = InputGuard(8000, max_audio_burst_ms=1000, max_dtmf_burst=40)
    assert all(guard.check(AudioIn(FRAME)) is None for _ in range(50))  # 1 s at once: the burst allowance
    end = next(e for e in (guard.check(AudioIn(FRAME)) for _ in range(10)) if e is not None)
    assert end.reason == "protocol_flood" and "faster than real time" in end.detail
    big = InputGuard(8000, 1000, 40).check(AudioIn(bytes(16001 * 2)))
    assert big is not None and "one audio message" in big.detail
    keys = InputGuard(8000, 1000, 40)
    assert all(keys.check(DtmfIn("5")) is None for _ in range(40))
    assert keys.check(DtmfIn("5")) is not None


def test_json_depth_is_checked_before_parsing() -> None:
    assert nesting_depth('{"a": [1, {"b": "[[[["}]}') == 3  # brackets inside strings do not count
    assert load_json_frame('{"uuid": "x"}') == {"uuid": "x"}
    with pytest.raises(JsonFrameError, match="nested 3000 levels"):
        load_json_frame("[" * 3000)
    with pytest.raises(JsonFrameError, match="not JSON"):
        load_json_frame("{uuid: 1")


async def raw_peer(daemon: Daemon, call_id: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    assert daemon.audiosocket is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", daemon.audiosocket.port)
    writer.write(uuid_message(call_id))
    return reader, writer


async def hung_up(reader: asyncio.StreamReader, timeout: float = 10.0) -> bool:
    """Read until the daemon sends its hang-up message or closes; True if it did within `timeout`."""
    decoder = Decoder()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = await asyncio.wait_for(reader.read(65536), deadline - time.monotonic())
        except TimeoutError:
            return False
        if not data:
            return True
        if any(m.kind == Kind.HANGUP for m in decoder.feed(data)):
            return True
    return False


async def witness(daemon: Daemon) -> AsteriskPeer:
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    return peer


async def test_floods_end_only_the_flooding_call(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    other = await witness(daemon)
    floods = {
        "dtmf_before_audio": encode(Kind.DTMF, b"5") * 200_000,
        "dtmf_mid_call": encode(Kind.SLIN_8K, FRAME) + encode(Kind.DTMF, b"7") * 200_000,
        "audio_at_wire_speed": encode(Kind.SLIN_8K, FRAME) * 20_000,
        "oversized_burst": encode(Kind.SLIN_8K, bytes(60_000)),
    }
    ids = {name: str(uuid.uuid4()) for name in floods}
    for name, data in floods.items():
        reader, writer = await raw_peer(daemon, ids[name])
        writer.write(data)
        assert await hung_up(reader), f"{name}: the flooding connection was not ended"
        writer.close()
    for name, call_id in ids.items():
        row = await wait_call_closed(daemon, call_id, timeout=10)
        expected = "oversized_frame" if name == "oversized_burst" else "protocol_flood"  # the codec's own frame limit
        assert row["end_reason"] == expected, (name, row["end_reason"], row["end_detail"])
        assert row["note"] is None, name  # nobody spoke, nothing was keyed: no note, no e-mail
    # The other call was not disturbed: it is still up, and a question now gets its answer.
    assert not other.agent_hung_up
    sent = await other.say(say("My heating is broken."))
    assert await other.wait_for_speech(sent.last_sample_at, 30) is not None, "the other call got no reply after the floods"
    await other.hang_up()
    row = await wait_call_closed(daemon, other.call_id)
    assert row["end_reason"] == "caller_hangup"
    assert any(t["role"] == "caller" for t in store_of(daemon).turns(other.call_id))


async def test_a_silent_caller_is_told_goodbye_and_gets_no_note(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon(server={"no_speech_timeout_s": 5})
    assert daemon.audiosocket is not None
    silent = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)  # sends 20 ms frames of silence, nothing else
    await greet_and_wait(silent)
    reader, writer = await raw_peer(daemon, str(uuid.uuid4()))
    for _ in range(20):  # zero-length audio frames: alive on the wire, nothing said
        writer.write(encode(Kind.SLIN_8K, b""))
    assert await silent.wait_closed(45) and silent.agent_hung_up  # 5 s of silence, then the goodbye is synthesized and said
    row = await wait_call_closed(daemon, silent.call_id)
    assert row["end_reason"] == "no_speech"
    said = [t["text"] for t in store_of(daemon).turns(silent.call_id) if t["role"] == "agent"]
    assert "cannot hear you" in said[-1]  # a polite goodbye, not a dropped line

    async def keep_sending_empty() -> None:
        while not writer.is_closing():
            writer.write(encode(Kind.SLIN_8K, b""))
            await asyncio.sleep(0.02)
    sender = asyncio.create_task(keep_sending_empty())
    try:
        assert await hung_up(reader, 45), "a peer sending only zero-length audio kept its slot"
    finally:
        sender.cancel()
        writer.close()
    assert store_of(daemon).get_call(silent.call_id)["note"] is None  # type: ignore[index]


async def test_a_reused_call_id_is_refused_and_later_calls_are_stored(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    first = await witness(daemon)
    await first.hang_up()
    before = await wait_call_closed(daemon, first.call_id)
    again = AsteriskPeer("127.0.0.1", daemon.audiosocket.port, call_id=first.call_id)
    await again.connect()
    assert await again.wait_closed(10) and again.agent_hung_up  # refused: hung up, nothing said
    assert not any(f.is_speech for f in again.received)
    await again.hang_up()
    fresh = await witness(daemon)
    await fresh.hang_up()
    row = await wait_call_closed(daemon, fresh.call_id)
    assert row["end_reason"] == "caller_hangup"
    assert [t["role"] for t in store_of(daemon).turns(fresh.call_id)][:1] == ["agent"]  # the greeting was stored
    assert store_of(daemon).get_call(first.call_id) == before  # the old call was not written over


async def test_a_reply_being_played_is_stored_as_unfinished(start_daemon: DaemonFactory) -> None:
    """Until it has played to the end, an agent turn is marked interrupted with no end time: a daemon killed mid-reply
    leaves a turn that says it was cut off, not one said in full."""
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    start = time.monotonic()
    await peer.connect()
    assert await peer.wait_for_speech(start, 10) is not None
    await asyncio.sleep(0.3)
    playing = store_of(daemon).turns(peer.call_id)[0]
    assert playing["role"] == "agent" and playing["ended_at"] == "" and playing["interrupted"] == 1
    assert await peer.wait_for_quiet(0.8, 20)
    await asyncio.sleep(0.3)
    done = store_of(daemon).turns(peer.call_id)[0]
    assert done["ended_at"] and done["interrupted"] == 0
    await peer.hang_up()


async def test_freeswitch_deeply_nested_json_is_one_line(start_daemon: DaemonFactory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    daemon = await start_daemon(freeswitch={"enabled": True, "port": 0})
    assert daemon.freeswitch is not None
    port = daemon.freeswitch.port
    first = AudioForkPeer("127.0.0.1", port, raw_metadata="[" * 3000)
    first.path = f"/fork/{first.call_id}"
    await first.connect()
    row = await wait_call_closed(daemon, first.call_id, timeout=10)
    assert row["end_reason"] == "bad_metadata" and "nested 3000 levels" in row["end_detail"]
    assert await first.wait_closed(5) and first.close_code == 1007
    late = AudioStreamPeer("127.0.0.1", port)  # the URL names the call; a text frame in the first second may be metadata
    await late.connect()
    await asyncio.sleep(0.3)  # audio is flowing: this text frame is read as late metadata
    await late.send_text("[" * 3000)
    row = await wait_call_closed(daemon, late.call_id, timeout=10)  # closed now, not at shutdown
    assert row["end_reason"] == "unexpected_text"
    for peer in (first, late):
        await peer.hang_up()
    assert not [r for r in caplog.records if r.exc_info or "RecursionError" in r.getMessage()]
