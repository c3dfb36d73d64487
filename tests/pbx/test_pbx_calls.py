"""Calls through a real Asterisk: both AudioSocket variants, caller ID and DID from AMI, the call row, turns and note."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from tests.callsim import store_of, wait_call_closed, wait_note
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory

VARIANTS = ["voicebridge-in", "voicebridge-in-wideband"]


@pytest.mark.parametrize("agent", VARIANTS)
async def test_a_spoken_call_is_answered_stored_and_noted(pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes],
                                                         agent: str) -> None:
    daemon = await pbx_daemon()
    concern = pbx.sound("concern", say("Guten Tag. Meine Heizung ist kaputt.", "de"))
    call = await pbx.place_call(["n", "q", f"p{concern}", "n", "q", "h"], agent=agent)
    await pbx.wait_hangup(call.caller_channel, 90)
    calls = store_of(daemon).list_calls(5)
    assert len(calls) == 1
    row = await wait_call_closed(daemon, calls[0]["id"])
    assert (row["caller_number"], row["called_number"], row["channel"]) == ("+4930123456", "4930555000", call.agent_channel)
    assert row["sample_rate"] == (16000 if agent.endswith("wideband") else 8000) and row["end_reason"] == "caller_hangup"
    turns = store_of(daemon).turns(row["id"])
    said = " ".join(t["text"] for t in turns if t["role"] == "caller").lower()
    assert "heiz" in said, said
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
