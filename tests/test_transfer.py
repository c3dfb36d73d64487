"""Transfer to a person over AMI: the caller presses 0, the agent says so and Redirects the caller's channel into the
transfer context; a failed Redirect keeps the caller with the agent. Both outcomes are in the call log."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.ami_server import FakeAmiServer
from tests.callsim import store_of, wait_call_closed
from tests.conftest import DaemonFactory, start_with_ami
from tests.test_ami import emit_all, inbound_call
from voicebridge.daemon import Daemon
from voicebridge.transport.audiosocket_client import AsteriskPeer

pytestmark = pytest.mark.e2e
ALWAYS_OPEN = {day: "00:00-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def daemon_with_office(start_daemon: DaemonFactory, asterisk: FakeAmiServer) -> Daemon:
    return await start_with_ami(start_daemon, asterisk, business={"profile": {"hours": ALWAYS_OPEN, "office_target": "office"}})


async def press_zero(daemon: Daemon, asterisk: FakeAmiServer, channel: str) -> AsteriskPeer:
    call_id = str(uuid.uuid4())
    emit_all(asterisk, inbound_call(call_id, name=channel, unique_id="1714123456.30"))
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port, call_id=call_id)
    await peer.connect()
    assert await peer.wait_for_speech(0, 10) is not None
    assert await peer.wait_for_quiet(0.8, 30)
    peer.send_dtmf("0")
    return peer


def events(daemon: Daemon, call_id: str) -> list[str]:
    return [t["text"] for t in store_of(daemon).turns(call_id) if t["role"] == "event"]


async def test_zero_transfers_the_caller_to_the_office(start_daemon: DaemonFactory, asterisk: FakeAmiServer) -> None:
    daemon = await daemon_with_office(start_daemon, asterisk)
    peer = await press_zero(daemon, asterisk, "PJSIP/sipgate-00000030")
    await asterisk.wait_for(lambda: bool(asterisk.actions_named("Redirect")), timeout=20)
    redirect = asterisk.actions_named("Redirect")[0]
    assert (redirect["Channel"], redirect["Context"], redirect["Exten"], redirect["Priority"]) == (
        "PJSIP/sipgate-00000030", "voicebridge-transfer", "office", "1")
    row = await wait_call_closed(daemon, peer.call_id)
    assert row["end_reason"] == "transferred"
    assert events(daemon, peer.call_id) == ["transfer to office: ok"]
    agent = [t["text"] for t in store_of(daemon).turns(peer.call_id) if t["role"] == "agent"]
    assert any("putting you through" in text for text in agent)  # told before being moved
    await peer.hang_up()


async def test_failed_redirect_keeps_the_caller_with_the_agent(start_daemon: DaemonFactory, asterisk: FakeAmiServer) -> None:
    daemon = await daemon_with_office(start_daemon, asterisk)
    channel = "PJSIP/sipgate-00000031"
    peer = await press_zero(daemon, asterisk, channel)
    asterisk.channels.discard(channel)  # the channel is gone on the Asterisk side: Redirect answers with an error
    await asterisk.wait_for(lambda: bool(asterisk.actions_named("Redirect")), timeout=20)
    for _ in range(100):
        if events(daemon, peer.call_id):
            break
        await asyncio.sleep(0.1)
    assert events(daemon, peer.call_id)[0].startswith("transfer to office: failed: Channel does not exist")
    assert await peer.wait_for_quiet(0.8, 30)
    assert not peer.agent_hung_up  # still connected: the caller leaves a message instead
    row = store_of(daemon).get_call(peer.call_id)
    assert row is not None and row["ended_at"] is None
    agent = [t["text"] for t in store_of(daemon).turns(peer.call_id) if t["role"] == "agent"]
    assert any("cannot put you through" in text for text in agent)
    await peer.hang_up()
    assert (await wait_call_closed(daemon, peer.call_id))["end_reason"] == "caller_hangup"
