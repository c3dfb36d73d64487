"""The daemon with AMI enabled: caller number, DID and channel reach the call row, also across an Asterisk restart."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from tests.ami_server import FakeAmiServer
from tests.callsim import store_of, wait_call_closed
from tests.conftest import AMI_SECRET, DaemonFactory, start_with_ami
from tests.test_ami import emit_all, inbound_call
from voicebridge.daemon import Daemon
from voicebridge.transport.audiosocket_client import AsteriskPeer

pytestmark = pytest.mark.e2e
async def call_with_numbers(daemon: Daemon, asterisk: FakeAmiServer, unique_id: str) -> AsteriskPeer:
    call_id = str(uuid.uuid4())
    emit_all(asterisk, inbound_call(call_id, name=f"PJSIP/sipgate-{unique_id}", unique_id=unique_id))
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port, call_id=call_id)
    await peer.connect()
    assert await peer.wait_for_speech(0, 10) is not None  # greeted
    return peer


async def test_call_row_gets_numbers_from_ami(start_daemon: DaemonFactory, asterisk: FakeAmiServer, caplog: pytest.LogCaptureFixture) -> None:
    daemon = await start_with_ami(start_daemon, asterisk)
    peer = await call_with_numbers(daemon, asterisk, "1714123456.17")
    await peer.hang_up()
    row = await wait_call_closed(daemon, peer.call_id)
    assert (row["caller_number"], row["called_number"], row["channel"]) == ("+4930123456", "4930555000", "PJSIP/sipgate-1714123456.17")
    assert AMI_SECRET not in caplog.text


async def test_asterisk_restart_mid_call_keeps_the_audio_and_reconnects(start_daemon: DaemonFactory, asterisk: FakeAmiServer) -> None:
    daemon = await start_with_ami(start_daemon, asterisk)
    first = await call_with_numbers(daemon, asterisk, "1714123456.20")
    since = time.monotonic()
    await asterisk.restart(down_for=0.5, graceful=False)
    assert daemon.ami is not None and await daemon.ami.wait_connected(10)
    await asyncio.sleep(0.5)
    during = [f for f in first.received if f.at >= since]
    gaps = [(b.at - a.at) * 1000 for a, b in zip(during, during[1:], strict=False)]
    assert len(during) > 25 and max(gaps) < 100  # the call's audio never noticed
    assert store_of(daemon).get_call(first.call_id)["ended_at"] is None  # type: ignore[index]
    second = await call_with_numbers(daemon, asterisk, "1714123456.21")
    for peer in (first, second):
        await peer.hang_up()
    row = await wait_call_closed(daemon, second.call_id)
    assert row["caller_number"] == "+4930123456" and row["channel"] == "PJSIP/sipgate-1714123456.21"


async def test_ami_down_does_not_delay_the_greeting(start_daemon: DaemonFactory, asterisk: FakeAmiServer) -> None:
    daemon = await start_with_ami(start_daemon, asterisk)
    await asterisk.stop()
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    started = time.monotonic()
    await peer.connect()
    heard = await peer.wait_for_speech(0, 10)
    assert heard is not None and heard - started < 1.5
    await peer.hang_up()
    row = await wait_call_closed(daemon, peer.call_id)
    assert row["caller_number"] is None
