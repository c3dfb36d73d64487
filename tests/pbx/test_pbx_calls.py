"""Calls through a real Asterisk: both AudioSocket variants, caller ID and DID from AMI, the call row, turns and note."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable

from tests.callsim import store_of, wait_call_closed, wait_note
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory

VARIANTS = ["voicebridge-in", "voicebridge-in-wideband"]


async def test_a_spoken_call_is_answered_stored_and_noted(pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes]) -> None:
    """One call on each variant, at the same time (each line runs in real time: in parallel they take the time of one)."""
    daemon = await pbx_daemon()
    concern = pbx.sound("concern", say("Guten Tag. Meine Heizung ist kaputt.", "de"))
    numbers = {agent: f"+493012345{i}" for i, agent in enumerate(VARIANTS)}
    calls = {agent: await pbx.place_call(["n", "q", f"p{concern}", "n", "q", "h"], agent=agent, caller_id=f"Test Caller <{numbers[agent]}>")
             for agent in VARIANTS}
    await asyncio.gather(*(pbx.wait_hangup(call.caller_channel, 90) for call in calls.values()))
    rows = {row["caller_number"]: row for row in store_of(daemon).list_calls(5)}
    assert sorted(rows) == sorted(numbers.values())
    for agent, call in calls.items():
        row = await wait_call_closed(daemon, rows[numbers[agent]]["id"])
        assert (row["called_number"], row["channel"]) == ("4930555000", call.agent_channel)
        assert row["sample_rate"] == (16000 if agent.endswith("wideband") else 8000) and row["end_reason"] == "caller_hangup"
        turns = store_of(daemon).turns(row["id"])
        said = " ".join(t["text"] for t in turns if t["role"] == "caller").lower()
        assert "heiz" in said, (agent, said)
        assert sum(t["role"] == "agent" for t in turns) >= 2  # greeting and the answer to the concern
        note = json.loads(await wait_note(daemon, row["id"]))
        assert "heiz" in note["concern"].lower() and note["tenant"] == "default"
        heard, rate = call.heard()
        assert len(heard) > rate * 2 * 3  # the caller's recording holds seconds of the agent


async def test_shipped_dial_strings_are_chan_pjsip_forms(pbx: Asterisk) -> None:
    """This build has no SIP stack, so the dial strings are checked as Asterisk loaded them: chan_pjsip takes
    PJSIP/<endpoint> or PJSIP/<number>@<endpoint> (PJSIP/<endpoint>/<x> only with a full sip: URI as <x>)."""
    shown = await pbx.cli("dialplan show voicebridge-transfer")
    dials = re.findall(r"Dial\((PJSIP/[^,)]+)", shown)
    assert len(dials) == 2, shown
    for dial in dials:
        assert re.fullmatch(r"PJSIP/(\+?[\w-]+@[\w-]+|[\w-]+|[\w-]+/sips?:\S+)", dial), dial
    assert "PJSIP/+491701234567@oncall-trunk" in dials
