"""FreeSWITCH calls through the real daemon and models, over real websockets speaking mod_audio_stream and mod_audio_fork.

Bad peers end only their own call, with the reason stored, while a witness call carries on undisturbed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.callsim import caller_turns, store_of, wait_call_closed
from tests.conftest import DaemonFactory
from tests.freeswitch_peers import AudioForkPeer, AudioStreamPeer, FreeswitchPeer
from voicebridge.daemon import Daemon

pytestmark = pytest.mark.e2e

FS_ON = {"enabled": True, "port": 0}


def fs_port(daemon: Daemon) -> int:
    assert daemon.freeswitch is not None
    return daemon.freeswitch.port


async def test_mod_audio_stream_call(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon(freeswitch=FS_ON)
    speech = say("Hello, my name is Peter Smith. The heating in my house is broken.")  # before the call: Piper blocks
    peer = AudioStreamPeer("127.0.0.1", fs_port(daemon), caller="+4930123456", did="+4989555000")
    start = time.monotonic()
    await peer.connect()
    await peer.send_text('{"note":"metadata argument"}')  # mod_audio_stream's metadata, having lost the race to the first audio
    heard = await peer.wait_for_speech(start, 10)
    assert heard is not None and heard - start < 1.5  # pre-synthesized greeting; its first 300 ms chunk is FreeSWITCH's lead
    assert await peer.wait_for_quiet(0.5, 20)
    greeting_chunks = list(peer.chunks)
    sent = await peer.say(speech)
    assert await peer.wait_for_speech(sent.last_sample_at, 20) is not None, "the agent did not answer the caller"
    await peer.hang_up()

    row = await wait_call_closed(daemon, peer.call_id)
    assert (row["transport"], row["sample_rate"], row["end_reason"]) == ("freeswitch", 8000, "caller_hangup")
    assert (row["caller_number"], row["called_number"]) == ("+4930123456", "+4989555000")
    turns = store_of(daemon).turns(peer.call_id)
    assert [t["role"] for t in turns] == ["agent", "caller", "agent"]
    said = turns[1]["text"].lower()
    assert "heating" in said and "broken" in said
    # One streamAudio message per chunk (300 ms, then 200 ms), never 50 a second, all at the line rate, nothing else sent.
    assert peer.unexpected == []
    assert all(c.sample_rate == 8000 and len(c.pcm) % 320 == 0 for c in peer.chunks)
    assert max(c.seconds for c in peer.chunks) == pytest.approx(0.3)
    greeting_s = sum(c.seconds for c in greeting_chunks)
    assert greeting_s > 2 and len(greeting_chunks) < greeting_s * 7  # a few per second (more where pauses split bursts)
    # Sent in real time, yet FreeSWITCH, playing the files back to back, barely runs dry during the greeting: the first
    # chunk's lead absorbs late messages (exactly so in test_freeswitch_messages; here the 2-core box adds its jitter).
    assert greeting_chunks[-1].at - greeting_chunks[0].at > greeting_s - 0.5
    gaps = peer.underruns_ms(until=greeting_chunks[-1].at + 0.01)
    assert len(gaps) <= 3 and sum(gaps) < 300, gaps


async def test_mod_audio_fork_wideband_barge_in_and_goodbye(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    """16 kHz, call data from the metadata frame, irregular binary frame sizes. The caller talks over the greeting:
    `killAudio`; then the agent's goodbye plays out in full, `disconnect` follows, and the socket closes."""
    daemon = await start_daemon(freeswitch=FS_ON)
    speech = say("The heating in my house is broken. Thank you, goodbye.", rate=16000)
    peer = AudioForkPeer("127.0.0.1", fs_port(daemon), sample_rate=16000, caller="0301234567", did="8000", batches=(1, 3, 2))
    start = time.monotonic()
    await peer.connect()
    assert peer.subprotocol == "audio.drachtio.org"
    assert await peer.wait_for_speech(start, 10) is not None, "no greeting heard"
    await asyncio.sleep(0.5)
    sent = await peer.say(speech)  # over the greeting
    assert peer.kills and peer.kills[0] < sent.last_sample_at, "the barge-in did not stop FreeSWITCH's playback"
    assert await peer.wait_closed(40), "the agent did not end the call"
    assert peer.disconnect_data == {"reason": "agent_goodbye"}
    assert (peer.close_code, peer.close_reason) == (1000, "agent_goodbye")
    assert peer.disconnect_at is not None and peer.disconnect_at >= peer.playout_ends_at() - 0.05  # the goodbye was heard in full
    assert peer.unexpected == []
    assert all(c.sample_rate == 16000 and len(c.pcm) % 640 == 0 for c in peer.chunks)
    await peer.hang_up()

    row = await wait_call_closed(daemon, peer.call_id)
    assert (row["transport"], row["sample_rate"], row["end_reason"]) == ("freeswitch", 16000, "agent_goodbye")
    assert (row["caller_number"], row["called_number"]) == ("0301234567", "8000")
    assert "heating" in " ".join(caller_turns(daemon, peer.call_id)).lower()
    agent_turns = [t for t in store_of(daemon).turns(peer.call_id) if t["role"] == "agent"]
    assert agent_turns[0]["interrupted"] == 1
    assert "Goodbye" in agent_turns[-1]["text"] and agent_turns[-1]["interrupted"] == 0


async def _witness(daemon: Daemon) -> AudioStreamPeer:
    witness = AudioStreamPeer("127.0.0.1", fs_port(daemon), caller="111")
    await witness.connect()
    await asyncio.sleep(0.3)
    return witness


async def _assert_witness_fine(daemon: Daemon, witness: FreeswitchPeer, since: float) -> None:
    assert await witness.wait_for_speech(since - 5, 5) is not None, "the witness heard no greeting"
    await asyncio.sleep(0.3)
    assert witness.close_code is None, "the witness call was closed"
    row = store_of(daemon).get_call(witness.call_id)
    assert row is not None and row["ended_at"] is None
    await witness.hang_up()
    assert (await wait_call_closed(daemon, witness.call_id))["end_reason"] == "caller_hangup"


async def _text_mid_call(peer: FreeswitchPeer) -> None:
    await peer.send_text('{"event":"dtmf"}')


async def _oversized(peer: FreeswitchPeer) -> None:
    await peer.send_binary(bytes(70000))


async def _odd_length(peer: FreeswitchPeer) -> None:
    await peer.send_binary(bytes(321))


async def _wire_speed(peer: FreeswitchPeer) -> None:
    for _ in range(2000):  # 40 s of audio as fast as the socket takes it: FreeSWITCH's media bug never runs ahead
        await peer.send_binary(bytes(320))


async def _drop(peer: FreeswitchPeer) -> None:
    await peer.drop()


@pytest.mark.parametrize(
    ("act", "reason", "close_code"),
    [
        (_text_mid_call, "unexpected_text", 1003),
        (_oversized, "oversized_frame", 1009),
        (_odd_length, "bad_audio_frame", 1003),
        (_wire_speed, "protocol_flood", 1008),
        (_drop, "caller_hangup", None),
    ],
)
async def test_bad_peer_ends_only_its_call(start_daemon: DaemonFactory, act: Callable[[FreeswitchPeer], object], reason: str, close_code: int | None) -> None:
    daemon = await start_daemon(freeswitch=FS_ON)
    witness = await _witness(daemon)
    bad = AudioForkPeer("127.0.0.1", fs_port(daemon))
    await bad.connect()
    await asyncio.sleep(0.3)
    since = time.monotonic()
    await act(bad)  # type: ignore[misc]
    row = await wait_call_closed(daemon, bad.call_id, timeout=10)
    assert row["end_reason"] == reason, row
    if close_code is not None:
        assert await bad.wait_closed(5), "the server did not close the broken connection"
        assert bad.close_code == close_code
    await bad.hang_up()
    await _assert_witness_fine(daemon, witness, since)


async def test_malformed_metadata_and_missing_uuid(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon(freeswitch=FS_ON)
    witness = await _witness(daemon)
    since = time.monotonic()
    garbled = AudioForkPeer("127.0.0.1", fs_port(daemon), raw_metadata="{uuid: not json")
    garbled.path = f"/fork/{garbled.call_id}"  # the URL names the call, so the failure is in the call log
    await garbled.connect()
    nameless = AudioForkPeer("127.0.0.1", fs_port(daemon), with_uuid=False)
    await nameless.connect()
    row = await wait_call_closed(daemon, garbled.call_id, timeout=10)
    assert row["end_reason"] == "bad_metadata" and "not JSON" in row["end_detail"]
    assert await garbled.wait_closed(5) and garbled.close_code == 1007
    assert await nameless.wait_closed(5) and nameless.close_code == 1008  # no call to log
    assert store_of(daemon).get_call(nameless.call_id) is None
    for peer in (garbled, nameless):
        await peer.hang_up()
    with pytest.raises(InvalidStatus) as refused:
        await connect(f"ws://127.0.0.1:{fs_port(daemon)}/listen/{uuid.uuid4()}")
    assert refused.value.response.status_code == 404
    with pytest.raises(InvalidStatus) as refused:
        await connect(f"ws://127.0.0.1:{fs_port(daemon)}/stream/{uuid.uuid4()}?rate=44100")
    assert refused.value.response.status_code == 400
    await _assert_witness_fine(daemon, witness, since)


async def test_silent_peer_times_out(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon(freeswitch=FS_ON, server={"peer_silence_timeout_s": 1.0})
    witness = await _witness(daemon)
    stuck = AudioStreamPeer("127.0.0.1", fs_port(daemon))
    await stuck.connect()
    await asyncio.sleep(0.2)
    since = time.monotonic()
    stuck.muted = True  # the socket stays open, nothing arrives
    row = await wait_call_closed(daemon, stuck.call_id, timeout=5)
    assert row["end_reason"] == "peer_silent"
    assert time.monotonic() - since < 3
    assert await stuck.wait_closed(5)
    await stuck.hang_up()
    await _assert_witness_fine(daemon, witness, since)


async def test_shutdown_tells_freeswitch_and_closes_rows(start_daemon: DaemonFactory) -> None:
    daemon = await start_daemon(freeswitch=FS_ON)
    fork, stream = AudioForkPeer("127.0.0.1", fs_port(daemon)), AudioStreamPeer("127.0.0.1", fs_port(daemon))
    for peer in (fork, stream):
        await peer.connect()
    await asyncio.sleep(0.3)
    await daemon.stop()
    for peer in (fork, stream):
        assert await peer.wait_closed(5)
        assert (peer.close_code, peer.close_reason) == (1000, "daemon_shutdown")  # the dialplan falls back to voicemail
        await peer.hang_up()
    assert fork.disconnect_data == {"reason": "daemon_shutdown"}
    from voicebridge.store.call_store import CallStore

    store = CallStore(daemon.config.database_path)
    for peer in (fork, stream):
        row = store.get_call(peer.call_id)
        assert row is not None and row["end_reason"] == "daemon_shutdown"
    store.close()
