"""AmiClient against a fake Asterisk 22 AMI over real loopback TCP: login, call metadata, transfers, restarts, secrecy."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.ami_server import FakeAmiServer, FakeChannel, channel_event, hangup, newexten, varset
from voicebridge.pbx.ami_client import AmiCallInfo, AmiClient, AmiSettings, TransferResult, reconnect_delay

USER = "voicebridge"
SECRET = "Zq9-ami-secret-7Hx"
UUID = "8d1b5c3e-2f4a-4b6c-9d7e-0a1b2c3d4e5f"
UUID_2 = "0f3c9a1e-5b7d-4e2f-8a6c-1d2e3f4a5b6c"


def settings_for(server: FakeAmiServer, **overrides: Any) -> AmiSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": USER,
        "secret": SECRET,
        "reconnect_min_s": 0.05,
        "reconnect_max_s": 0.2,
        "action_timeout_s": 1.0,
    }
    values.update(overrides)
    return AmiSettings(**values)


async def until(condition: Callable[[], bool], timeout: float = 2.0) -> None:  # noqa: ASYNC109
    """For client-side state that has no event of its own (`connected` going False): a 10 ms poll."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@pytest.fixture
async def server() -> AsyncIterator[FakeAmiServer]:
    srv = FakeAmiServer(USER, SECRET)
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def client(server: FakeAmiServer) -> AsyncIterator[AmiClient]:
    ami = AmiClient(settings_for(server))
    await ami.start()
    assert await ami.wait_connected(2)
    yield ami
    await ami.stop()


def inbound_call(uuid: str, *, name: str = "PJSIP/sipgate-00000001", unique_id: str = "1714123456.17") -> list[dict[str, str]]:
    """A SIP trunk call into `exten => _X.,1,Answer()`, `Set(VB_UUID=${UUID()})`, `AudioSocket(${VB_UUID},...)`."""
    ch = FakeChannel(name, unique_id, "+4930123456", "Erika Muster", context="from-trunk", exten="4930555000", state=4)
    events = [channel_event("Newchannel", ch), newexten(ch, "Answer", "")]
    ch.state = 6
    events.append(channel_event("Newstate", ch))
    ch.priority = 2
    events += [newexten(ch, "Set", f"VB_UUID={uuid}"), varset(ch, "VB_UUID", uuid)]
    ch.priority = 3
    events.append(newexten(ch, "AudioSocket", f"{uuid},127.0.0.1:9092"))
    return events


def emit_all(server: FakeAmiServer, events: list[dict[str, str]]) -> None:
    for event in events:
        assert server.emit_event(event) == 1


async def test_login_succeeds_with_asterisks_own_exchange(server: FakeAmiServer, client: AmiClient) -> None:
    login = server.actions_named("Login")[0]
    assert login["Username"] == USER
    assert login["Events"] == "system,call,dialplan"  # only the event classes the client reads
    assert client.connected and client.last_error is None
    assert server.logins == 1


async def test_login_failure_is_a_clear_error_and_retried_with_back_off(server: FakeAmiServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ami = AmiClient(settings_for(server, secret="not-the-secret"))
    await ami.start()
    try:
        await server.wait_for(lambda: server.login_attempts >= 2)  # rejected, then tried again after a pause
        assert not await ami.wait_connected(0.05)
    finally:
        await ami.stop()
    assert server.logins == 0
    assert ami.last_error is not None
    assert "rejected the login as 'voicebridge': Authentication failed" in ami.last_error
    assert any(record.levelno == logging.ERROR and "Authentication failed" in record.getMessage() for record in caplog.records)
    assert "not-the-secret" not in caplog.text
    assert "not-the-secret" not in ami.last_error


async def test_unreachable_asterisk_does_not_raise(server: FakeAmiServer) -> None:
    await server.stop()
    ami = AmiClient(settings_for(server))
    await ami.start()
    try:
        assert not await ami.wait_connected(0.2)
        assert ami.last_error is not None and "cannot reach the Asterisk AMI" in ami.last_error
        assert await ami.wait_call_info(UUID, 0.01) is None
        result = await ami.redirect("PJSIP/sipgate-00000001", "humans", "100")
        assert result == TransferResult(False, "not connected to the Asterisk AMI")
    finally:
        await ami.stop()


async def test_call_info_learned_from_an_inbound_call(server: FakeAmiServer, client: AmiClient) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    waiting = asyncio.create_task(client.wait_call_info(UUID.upper(), 2.0))  # AudioSocket connects before the AMI events arrive
    await asyncio.sleep(0)
    emit_all(server, inbound_call(UUID))
    info = await waiting
    assert loop.time() - started < 1.0
    assert info == AmiCallInfo(
        uuid=UUID,
        channel="PJSIP/sipgate-00000001",
        caller_number="+4930123456",
        called_number="4930555000",
        unique_id="1714123456.17",
        linked_id="1714123456.17",
    )
    assert await client.wait_call_info(UUID, 0) == info


async def test_vb_did_and_new_caller_id_win_over_the_raw_channel(server: FakeAmiServer, client: AmiClient) -> None:
    """`Set(VB_DID=...)` then `Goto(receptionist,s,1)`: the UUID is set at `s`, the DID comes from VB_DID."""
    ch = FakeChannel("PJSIP/trunk-0000002a", "1714123999.42", "030123456", context="from-trunk", exten="030555000", state=4)
    events = [channel_event("Newchannel", ch), newexten(ch, "Set", "VB_DID=+4930555000"), varset(ch, "VB_DID", "+4930555000")]
    ch.caller_number = "+4930123456"
    events.append(channel_event("NewCallerid", ch, {"CID-CallingPres": "0 (Presentation Allowed, Not Screened)"}))
    ch.context, ch.exten, ch.priority = "receptionist", "s", 1
    events += [newexten(ch, "Answer", ""), newexten(ch, "Set", f"VB_UUID={UUID_2}"), varset(ch, "VB_UUID", UUID_2)]
    emit_all(server, events)
    info = await client.wait_call_info(UUID_2, 1.0)
    assert info is not None
    assert (info.caller_number, info.called_number, info.channel) == ("+4930123456", "+4930555000", "PJSIP/trunk-0000002a")


async def test_anonymous_caller_has_no_number(server: FakeAmiServer, client: AmiClient) -> None:
    ch = FakeChannel("PJSIP/trunk-0000002b", "1714124000.43", "", context="from-trunk", exten="4930555000", state=4)
    emit_all(server, [channel_event("Newchannel", ch), varset(ch, "VB_UUID", UUID)])
    info = await client.wait_call_info(UUID, 1.0)
    assert info is not None and info.caller_number is None


async def test_wait_call_info_times_out_for_an_unknown_uuid(server: FakeAmiServer, client: AmiClient) -> None:
    emit_all(server, inbound_call(UUID))
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await client.wait_call_info(UUID_2, 0.1) is None
    assert 0.09 <= loop.time() - started < 0.5


async def test_hangup_forgets_the_call_after_the_grace_period(server: FakeAmiServer) -> None:
    ami = AmiClient(settings_for(server, hangup_grace_s=0.1))
    await ami.start()
    try:
        assert await ami.wait_connected(2)
        emit_all(server, inbound_call(UUID))
        assert await ami.wait_call_info(UUID, 1.0) is not None
        ch = FakeChannel("PJSIP/sipgate-00000001", "1714123456.17", "+4930123456", context="from-trunk", exten="4930555000", state=6)
        emit_all(server, [hangup(ch)])
        assert await ami.wait_call_info(UUID, 0) is not None  # a session that asks just after a short call still gets it
        await asyncio.sleep(0.15)
        assert await ami.wait_call_info(UUID, 0) is None
        assert ami._calls._channels == {}
    finally:
        await ami.stop()


async def test_redirect_success_and_unknown_channel(server: FakeAmiServer, client: AmiClient) -> None:
    emit_all(server, inbound_call(UUID))
    info = await client.wait_call_info(UUID, 1.0)
    assert info is not None
    assert await client.redirect(info.channel, "humans", "100") == TransferResult(True, "Redirect successful")
    sent = server.actions_named("Redirect")[-1]
    assert {key: sent[key] for key in ("Channel", "Context", "Exten", "Priority")} == {
        "Channel": "PJSIP/sipgate-00000001",
        "Context": "humans",
        "Exten": "100",
        "Priority": "1",
    }
    assert sent["ActionID"]
    gone = await client.redirect("PJSIP/sipgate-000000ff", "humans", "100", priority=2)
    assert gone == TransferResult(False, "Channel does not exist: PJSIP/sipgate-000000ff")


async def test_blind_transfer(server: FakeAmiServer, client: AmiClient) -> None:
    ch = FakeChannel("AudioSocket/127.0.0.1:9092-3f2a1b0c", "1714123456.18", context="default", exten="s", state=6)
    emit_all(server, [channel_event("Newchannel", ch)])
    assert await client.blind_transfer(ch.name, "humans", "100") == TransferResult(True, "Transfer succeeded")
    assert await client.blind_transfer("AudioSocket/gone", "humans", "100") == TransferResult(False, "Channel specified does not exist")


async def test_transfer_times_out_when_asterisk_is_wedged(server: FakeAmiServer) -> None:
    ami = AmiClient(settings_for(server, action_timeout_s=0.1))
    await ami.start()
    try:
        assert await ami.wait_connected(2)
        server.respond = False
        result = await ami.redirect("PJSIP/sipgate-00000001", "humans", "100")
        assert result == TransferResult(False, "Asterisk did not answer within 0.1 s")
    finally:
        server.respond = True
        await ami.stop()


async def test_transfer_while_disconnected_fails_soft(server: FakeAmiServer, client: AmiClient) -> None:
    await server.stop()
    await until(lambda: not client.connected)
    not_connected = TransferResult(False, "not connected to the Asterisk AMI")
    assert await client.redirect("PJSIP/sipgate-00000001", "humans", "100") == not_connected
    assert await client.blind_transfer("PJSIP/sipgate-00000001", "humans", "100") == not_connected


@pytest.mark.parametrize("graceful", [True, False], ids=["core-restart", "crash"])
async def test_reconnects_after_asterisk_restart(
    server: FakeAmiServer, client: AmiClient, caplog: pytest.LogCaptureFixture, graceful: bool
) -> None:
    caplog.set_level(logging.INFO, logger="voicebridge.pbx.ami_client")
    emit_all(server, inbound_call(UUID))
    assert await client.wait_call_info(UUID, 1.0) is not None

    await server.restart(down_for=0.4, graceful=graceful)
    assert await client.wait_connected(2)
    assert server.logins == 2

    delays = [float(m.group(1)) for r in caplog.records if (m := re.search(r"again in ([\d.]+) s", r.getMessage()))]
    assert len(delays) >= 2, delays  # at least one refused attempt while Asterisk was down
    assert delays == [reconnect_delay(i, 0.05, 0.2) for i in range(len(delays))]

    emit_all(server, inbound_call(UUID_2, name="PJSIP/sipgate-00000002", unique_id="1714130000.1"))
    info = await client.wait_call_info(UUID_2, 1.0)
    assert info is not None and info.unique_id == "1714130000.1"
    assert await client.redirect(info.channel, "humans", "100") == TransferResult(True, "Redirect successful")


async def test_missing_pong_drops_the_connection_and_reconnects(server: FakeAmiServer) -> None:
    ami = AmiClient(settings_for(server, ping_interval_s=0.05, action_timeout_s=0.1))
    await ami.start()
    try:
        assert await ami.wait_connected(2)
        server.respond = False  # TCP stays up, nothing answers: only the Ping notices
        await server.wait_for(lambda: server.session_count == 0)  # the client hung up on the silent Asterisk
        assert not ami.connected
        server.respond = True
        assert await ami.wait_connected(2)
        assert server.logins == 2
        assert server.actions_named("Ping")
    finally:
        await ami.stop()


async def test_stop_logs_off_and_releases_waiters(server: FakeAmiServer) -> None:
    ami = AmiClient(settings_for(server))
    await ami.start()
    assert await ami.wait_connected(2)
    waiting = asyncio.create_task(ami.wait_call_info(UUID, 5.0))
    await asyncio.sleep(0)
    await ami.stop()
    assert await waiting is None  # not an exception, and not after the full 5 s
    assert not ami.connected
    assert server.actions[-1]["Action"] == "Logoff"
    await server.wait_for(lambda: server.session_count == 0)


async def test_secret_never_reaches_logs_or_reprs(server: FakeAmiServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # root: panoramisk's own loggers included
    rejected = AmiClient(settings_for(server, secret=SECRET + "-old"))
    await rejected.start()
    await server.wait_for(lambda: server.login_attempts >= 1)
    await rejected.stop()

    settings = settings_for(server)
    ami = AmiClient(settings)
    await ami.start()
    try:
        assert await ami.wait_connected(2)
        emit_all(server, inbound_call(UUID))
        info = await ami.wait_call_info(UUID, 1.0)
        assert info is not None
        await ami.redirect(info.channel, "humans", "100")
        await ami.blind_transfer("AudioSocket/gone", "humans", "100")
        # A connection that drops while Login is still unanswered: panoramisk logs pending actions it means to replay.
        server.respond = False
        logins_sent = len(server.actions_named("Login"))
        await server.restart(down_for=0.05)
        await server.wait_for(lambda: len(server.actions_named("Login")) > logins_sent)
        server.respond = True
        await server.restart(down_for=0.05)
        assert await ami.wait_connected(2)
    finally:
        await ami.stop()

    assert server.actions_named("Login")[-1]["Secret"] == SECRET  # it did travel on the wire, as AMI requires
    assert any(record.name.startswith("panoramisk") and record.levelno == logging.DEBUG for record in caplog.records)
    seen = [caplog.text, repr(settings), str(settings), repr(ami), str(rejected.last_error)]
    seen += [record.getMessage() for record in caplog.records]
    seen += [repr(record.args) for record in caplog.records]
    assert not [text for text in seen if SECRET in text]


def test_reconnect_delay_doubles_up_to_the_cap() -> None:
    assert [reconnect_delay(n, 0.5, 30.0) for n in range(9)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert reconnect_delay(10_000, 0.5, 30.0) == 30.0


def test_settings_reject_nonsense_back_off() -> None:
    with pytest.raises(ValueError):
        AmiSettings("127.0.0.1", 5038, USER, SECRET, reconnect_min_s=0)
    with pytest.raises(ValueError):
        AmiSettings("127.0.0.1", 5038, USER, SECRET, reconnect_min_s=5, reconnect_max_s=1)
