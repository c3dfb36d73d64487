"""Never a dropped caller: every call that voicebridge did not end with its goodbye (or move by a transfer) reaches the
dialplan's fallback, for both AudioSocket variants: daemon down, stopped (SIGTERM), killed (SIGKILL), over capacity."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.callsim import store_of, wait_call_closed
from tests.pbx.asterisk import Asterisk, PlacedCall
from tests.pbx.conftest import PbxDaemonFactory, daemon_toml
from tests.test_cli import Served

VARIANTS = ["voicebridge-in", "voicebridge-in-wideband"]
FALLBACK = "voicebridge-voicemail"


async def reaches_fallback(pbx: Asterisk, call: PlacedCall, timeout: float = 30) -> None:  # noqa: ASYNC109
    """The agent leg runs VoiceMail() in the fallback context, and had not hung up before: the caller was not dropped."""
    assert pbx.ami is not None
    await pbx.wait_context(call, FALLBACK, "VoiceMail", timeout)
    events = pbx.ami.events
    voicemail = next(i for i, e in enumerate(events) if e.get("Event") == "Newexten" and e.get("Channel") == call.agent_channel
                     and e.get("Context") == FALLBACK)
    assert not any(e.get("Event") == "Hangup" and e.get("Channel") == call.agent_channel for e in events[:voicemail])


async def greeted(pbx: Asterisk, call: PlacedCall) -> None:
    """The caller heard the agent start speaking (the caller script passed its `n` step)."""
    assert pbx.ami is not None
    await pbx.ami.wait_event(lambda e: e.get("UserEvent") == "VbStep" and e.get("Step") == "w30" and e.get("Channel") == call.caller_channel, 30)


@pytest.mark.parametrize("agent", VARIANTS)
async def test_daemon_down_the_caller_reaches_the_fallback(pbx: Asterisk, agent: str) -> None:
    call = await pbx.place_call(["w1"], agent=agent, hold_s=5)
    await reaches_fallback(pbx, call)


async def test_after_the_goodbye_the_call_ends_without_the_fallback(pbx: Asterisk, pbx_daemon: PbxDaemonFactory,
                                                                     say: Callable[..., bytes]) -> None:
    """Both variants at once, on two calls."""
    daemon = await pbx_daemon()  # German, as shipped for this business, with an SVOX Pico caller
    bye = pbx.sound("bye", say("Nein, danke. Das ist alles. Tschüss!", "de"))
    numbers = {agent: f"+493012345{i}" for i, agent in enumerate(VARIANTS)}
    calls = {agent: await pbx.place_call(["n", "q", f"p{bye}"], agent=agent, hold_s=30, caller_id=f"Test <{numbers[agent]}>")
             for agent in VARIANTS}
    await asyncio.gather(*(pbx.wait_hangup(call.agent_channel, 60) for call in calls.values()))
    rows = {row["caller_number"]: row for row in store_of(daemon).list_calls(5)}
    for agent, call in calls.items():
        row = await wait_call_closed(daemon, rows[numbers[agent]]["id"])
        turns = [(t["role"], t["text"]) for t in store_of(daemon).turns(row["id"])]
        assert row["end_reason"] == "agent_goodbye", (agent, turns)
        assert not pbx.in_context(call, FALLBACK)
        assert pbx.in_context(call, agent, "Hangup")  # the dialplan's `done`


async def _two_calls_then(pbx: Asterisk, tmp_path: Path, sig: int) -> None:
    served = await asyncio.to_thread(Served, daemon_toml(pbx, tmp_path), tmp_path / "serve.log")
    try:
        calls = [await pbx.place_call(["n", "w30"], agent=agent, hold_s=30) for agent in VARIANTS]
        for call in calls:
            await greeted(pbx, call)
        served.proc.send_signal(sig)
        for call in calls:
            await reaches_fallback(pbx, call)
    finally:
        await asyncio.to_thread(served.stop, signal.SIGKILL)


async def test_daemon_stopped_mid_call_every_caller_reaches_the_fallback(pbx: Asterisk, tmp_path: Path) -> None:
    await _two_calls_then(pbx, tmp_path, signal.SIGTERM)


async def test_daemon_killed_mid_call_every_caller_reaches_the_fallback(pbx: Asterisk, tmp_path: Path) -> None:
    await _two_calls_then(pbx, tmp_path, signal.SIGKILL)


async def test_calls_over_capacity_reach_the_fallback(pbx: Asterisk, pbx_daemon: PbxDaemonFactory) -> None:
    daemon = await pbx_daemon(server={"max_calls": 1})
    first = await pbx.place_call(["n", "w30"], hold_s=30)
    await greeted(pbx, first)
    over = [await pbx.place_call(["w1"], agent=agent, hold_s=10) for agent in VARIANTS]
    for call in over:
        await reaches_fallback(pbx, call)
    assert not pbx.in_context(first, FALLBACK)
    for _ in range(100):  # the refused calls' rows are closed as they end, a moment after the dialplan moved on
        reasons = [row["end_reason"] or "" for row in store_of(daemon).list_calls(5)]
        if reasons.count("refused_capacity") == 2:
            break
        await asyncio.sleep(0.1)
    assert reasons.count("refused_capacity") == 2, reasons
