"""Each broken peer ends its own call cleanly, with the reason stored, while a witness call carries on undisturbed."""

from __future__ import annotations

import asyncio
import gc
import struct
import time
import uuid

import pytest

from tests.callsim import pacing, store_of, wait_call_closed
from tests.conftest import DaemonFactory
from voicebridge.daemon import Daemon
from voicebridge.transport.audiosocket_client import AsteriskPeer
from voicebridge.transport.audiosocket_codec import Kind, audio_message, encode, error_message, uuid_message

pytestmark = pytest.mark.e2e


async def _witness(daemon: Daemon) -> AsteriskPeer:
    assert daemon.audiosocket is not None
    witness = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await witness.connect()
    await asyncio.sleep(0.3)
    return witness


async def _assert_witness_fine(daemon: Daemon, witness: AsteriskPeer, since: float) -> None:
    await asyncio.sleep(0.5)
    recent = [f for f in witness.received if f.at >= since]
    assert len(recent) > 20, "the witness call stopped receiving audio"
    _, max_gap, _ = pacing(recent)
    assert max_gap < 100, max_gap
    assert not witness.agent_hung_up
    row = store_of(daemon).get_call(witness.call_id)
    assert row is not None and row["ended_at"] is None
    await witness.hang_up()


@pytest.mark.parametrize(
    ("bad_bytes", "reason"),
    [
        (audio_message(bytes(320))[:103], "truncated_frame"),  # header promises 320 bytes, 100 arrive, then close
        (b"\x10\x01", "truncated_frame"),  # close inside the header
        (struct.pack(">BH", 0x10, 5000), "oversized_frame"),
        (encode(0x05, b"xx"), "unknown_kind"),
        (uuid_message(uuid.uuid4()), "second_uuid"),
        (error_message(2), "peer_error"),
        (encode(Kind.HANGUP), "caller_hangup"),
    ],
)
async def test_broken_frames_end_only_their_call(start_daemon: DaemonFactory, bad_bytes: bytes, reason: str) -> None:
    daemon = await start_daemon()
    witness = await _witness(daemon)
    assert daemon.audiosocket is not None
    bad = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await bad.connect()
    await asyncio.sleep(0.3)
    since = time.monotonic()
    bad.send_raw(bad_bytes)
    if reason == "truncated_frame":
        bad.muted = True
        bad._writer.write_eof()  # noqa: SLF001 - a half-close is what a dying peer does
    row = await wait_call_closed(daemon, bad.call_id, timeout=10)
    assert row["end_reason"] == reason, row
    assert await bad.wait_closed(5), "the server did not close the broken connection"
    await bad.hang_up()
    await _assert_witness_fine(daemon, witness, since)


async def test_silent_peer_times_out(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon(server={"peer_silence_timeout_s": 1.0})
    witness = await _witness(daemon)
    assert daemon.audiosocket is not None
    stuck = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await stuck.connect()
    await asyncio.sleep(0.2)
    since = time.monotonic()
    stuck.muted = True  # TCP stays open, nothing arrives
    row = await wait_call_closed(daemon, stuck.call_id, timeout=5)
    assert row["end_reason"] == "peer_silent"
    assert time.monotonic() - since < 3
    await stuck.hang_up()
    await _assert_witness_fine(daemon, witness, since)


async def test_the_collector_skips_what_start_up_built(start_daemon: DaemonFactory) -> None:
    # A full collection runs on the loop that paces every call's audio; over this test session's 2M objects it took
    # 230 ms, and a witness call saw a 147 ms gap. The daemon freezes what exists at start-up and unfreezes at stop.
    gc.unfreeze()
    daemon = await start_daemon()
    assert gc.get_freeze_count() > 10_000  # the models, the daemon, and all this session has built so far
    await daemon.stop()
    assert gc.get_freeze_count() == 0


async def test_connection_without_uuid_is_dropped(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon()
    witness = await _witness(daemon)
    assert daemon.audiosocket is not None
    since = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", daemon.audiosocket.port)
    writer.write(audio_message(bytes(320)))
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server, nothing sent
    writer.close()
    await _assert_witness_fine(daemon, witness, since)


async def test_duplicate_uuid_connection_is_refused(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon()
    first = await _witness(daemon)
    assert daemon.audiosocket is not None
    since = time.monotonic()
    twin = AsteriskPeer("127.0.0.1", daemon.audiosocket.port, call_id=first.call_id)
    await twin.connect()
    assert await twin.wait_closed(5)
    await twin.hang_up()
    await _assert_witness_fine(daemon, first, since)


async def test_calls_over_capacity_are_refused_and_recorded(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon(server={"max_calls": 1})
    first = await _witness(daemon)
    assert daemon.audiosocket is not None
    since = time.monotonic()
    extra = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await extra.connect()
    assert await extra.wait_closed(5) and extra.agent_hung_up
    row = await wait_call_closed(daemon, extra.call_id)
    assert row["end_reason"] == "refused_capacity"
    await extra.hang_up()
    await _assert_witness_fine(daemon, first, since)


async def test_shutdown_closes_every_call_row(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon()
    peers = [await _witness(daemon) for _ in range(2)]
    await daemon.stop()
    for peer in peers:
        assert await peer.wait_closed(5) and peer.agent_hung_up  # 0x00: Asterisk continues the dialplan
        await peer.hang_up()
    from voicebridge.store.call_store import CallStore

    store = CallStore(daemon.config.database_path)
    for peer in peers:
        row = store.get_call(peer.call_id)
        assert row is not None and row["end_reason"] == "daemon_shutdown"
    store.close()
