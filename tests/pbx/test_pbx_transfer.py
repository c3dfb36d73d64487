"""Transfers through a real Asterisk: asked for in words or with key 0, to a person who answers or to nobody (the caller
then leaves a message), each stored as `transferred`, with the channel name in the log as the Asterisk CLI shows it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from tests.callsim import store_of, wait_call_closed
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory
from voicebridge.privacy.redaction import PhoneNumberFilter

ALWAYS_OPEN = {day: "00:00-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CASES = [  # how the caller asks, the target, the variant
    ("spoken", "office", "voicebridge-in"),
    ("key0", "nobody", "voicebridge-in"),
    ("spoken", "nobody", "voicebridge-in-wideband"),
    ("key0", "office", "voicebridge-in-wideband"),
]


@pytest.mark.parametrize(("ask", "target", "agent"), CASES)
async def test_transfer_reaches_the_target_and_is_stored_as_transferred(
    pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes], caplog: pytest.LogCaptureFixture,
    ask: str, target: str, agent: str,
) -> None:
    caplog.set_level(logging.INFO)
    daemon = await pbx_daemon(business={"language": "de", "profile": {"hours": ALWAYS_OPEN, "office_target": target}})
    person = pbx.sound("person", say("Huber, guten Tag, was kann ich für Sie tun?", "de"))
    message = pbx.sound("message", say("Bitte rufen Sie mich zurück, meine Heizung ist kaputt.", "de"))
    request = f"p{pbx.sound('ask', say('Können Sie mich bitte mit einem Mitarbeiter verbinden?', 'de'))}" if ask == "spoken" else "d0"
    steps = ["n", "q", request, "w8", f"p{message}", "w2", "h"]
    call = await pbx.place_call(steps, agent=agent, extra_vars={"__VB_PERSON_SAYS": person}, hold_s=5)
    try:
        await pbx.wait_context(call, "vb-test-transfer", "Dial", 60)
    except AssertionError:
        calls = store_of(daemon).list_calls(1)
        raise AssertionError(f"no transfer; turns: {[(t['role'], t['text']) for t in store_of(daemon).turns(calls[0]['id'])] if calls else None}") from None
    assert pbx.ami is not None
    if target == "office":
        await pbx.ami.wait_event(lambda e: e.get("UserEvent") == "VbPersonAnswered", 20)
    else:
        await pbx.wait_context(call, "voicebridge-voicemail", "VoiceMail", 20)
    await pbx.wait_hangup(call.caller_channel, 60)
    row = await wait_call_closed(daemon, store_of(daemon).list_calls(1)[0]["id"])
    assert row["end_reason"] == "transferred", row["end_detail"] if "end_detail" in row else row
    events = [t["text"] for t in store_of(daemon).turns(row["id"]) if t["role"] == "event"]
    assert events == [f"transfer to {target}: ok"]
    if target == "nobody":
        for _ in range(100):  # VoiceMail() files the message as the caller's leg hangs up, a moment after the hang-up event
            if pbx.voicemails():
                break
            await asyncio.sleep(0.1)
        assert len(pbx.voicemails()) == 1  # the caller left a message
    else:
        assert not pbx.in_context(call, "voicebridge-voicemail")
    # The daemon's log handlers mask phone numbers; the channel name (here with the DID in it) must stay as the CLI shows it.
    masked = PhoneNumberFilter()
    lines = [r.getMessage() for r in caplog.records if masked.filter(r)]
    assert f"AMI Redirect of {call.agent_channel} to vb-test-transfer,{target}: ok" in lines
