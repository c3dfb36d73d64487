"""Load and faults through a real Asterisk: four calls at once, a caller who hangs up while the agent speaks, and an
Asterisk restart in the middle of a call (the daemon logs in again and the next call still gets its numbers)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.callsim import store_of, wait_call_closed
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory


async def test_four_concurrent_calls_are_all_answered(pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await pbx_daemon(business={"language": "en"})
    lines = ["My kitchen sink is blocked.", "The heating in my office is broken.", "My shower is leaking.", "The toilet is blocked."]
    sounds = [pbx.sound(f"c{i}", say(line, "en")) for i, line in enumerate(lines)]
    calls = []
    for i, sound in enumerate(sounds):
        calls.append(await pbx.place_call(["n", "q", f"p{sound}", "n", "q", "h"], caller_id=f"C{i} <+49301000{i}>", agent=(
            "voicebridge-in" if i % 2 == 0 else "voicebridge-in-wideband")))
    await asyncio.gather(*(pbx.wait_hangup(call.caller_channel, 150) for call in calls))
    rows = store_of(daemon).list_calls(10)
    assert len(rows) == 4
    for row in rows:
        closed = await wait_call_closed(daemon, row["id"])
        assert closed["end_reason"] == "caller_hangup"
        turns = store_of(daemon).turns(row["id"])
        assert [t["role"] for t in turns].count("agent") >= 2, turns  # greeted and answered
    said = {row["caller_number"]: " ".join(t["text"] for t in store_of(daemon).turns(row["id"]) if t["role"] == "caller").lower()
            for row in rows}
    assert sorted(said) == [f"+49301000{i}" for i in range(4)]
    for i, word in enumerate(["sink", "heating", "shower", "toilet"]):
        assert word in said[f"+49301000{i}"], said


async def test_caller_hangs_up_while_the_agent_speaks(pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await pbx_daemon(business={"language": "en"})
    concern = pbx.sound("concern", say("My kitchen sink is blocked.", "en"))
    call = await pbx.place_call(["n", "q", f"p{concern}", "n", "w0.6", "h"])
    await pbx.wait_hangup(call.agent_channel, 60)
    row = await wait_call_closed(daemon, store_of(daemon).list_calls(1)[0]["id"])
    assert row["end_reason"] == "caller_hangup"
    turns = store_of(daemon).turns(row["id"])
    assert "sink" in " ".join(t["text"] for t in turns if t["role"] == "caller").lower()
    assert turns[-1]["role"] == "agent" and turns[-1]["interrupted"]  # stored as cut off, with only what was played


async def test_asterisk_restart_mid_call(pbx: Asterisk, pbx_daemon: PbxDaemonFactory) -> None:
    daemon = await pbx_daemon()
    first = await pbx.place_call(["n", "w30"], hold_s=30)
    assert pbx.ami is not None
    await pbx.ami.wait_event(lambda e: e.get("UserEvent") == "VbStep" and e.get("Step") == "w30" and e.get("Channel") == first.caller_channel, 30)
    await pbx.restart()  # the call dies with Asterisk
    row = await wait_call_closed(daemon, store_of(daemon).list_calls(1)[0]["id"])
    assert row["end_reason"] == "caller_hangup"
    assert daemon.ami is not None and await daemon.ami.wait_connected(30), "the daemon did not log in again"
    second = await pbx.place_call(["n", "w1", "h"], caller_id="Again <+4930777666>")
    await pbx.wait_hangup(second.caller_channel, 60)
    rows = store_of(daemon).list_calls(2)
    assert len(rows) == 2
    latest = await wait_call_closed(daemon, rows[0]["id"] if rows[0]["id"] != row["id"] else rows[1]["id"])
    assert (latest["caller_number"], latest["called_number"], latest["channel"]) == ("+4930777666", "4930555000", second.agent_channel)
