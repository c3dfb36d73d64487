"""A German number spoken by a real person (Debian's recorded Asterisk digits, asterisk-prompt-de) through a real
Asterisk: Whisper hears it on the 8 kHz line, the agent reads it back, the note holds the right number."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.callsim import store_of, wait_call_closed, wait_note
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory
from tests.test_e2e_real_speech import NUMBER, recorded_number


async def test_a_real_german_speakers_number_through_asterisk(pbx: Asterisk, pbx_daemon: PbxDaemonFactory,
                                                             say: Callable[..., bytes]) -> None:
    daemon = await pbx_daemon()
    concern = pbx.sound("concern", say("Guten Tag, mein Name ist Anna Berger. Bei mir ist die Heizung ausgefallen.", "de"))
    number = pbx.sound("number", recorded_number(NUMBER))
    yes = pbx.sound("yes", say("Ja, das ist richtig.", "de"))
    steps = ["n", "q", f"p{concern}", "n", "Q", f"p{number}", "n", "Q", f"p{yes}", "n", "q", "h"]
    call = await pbx.place_call(steps, caller_id="Anonymous <>")  # no caller ID: the agent asks for a number
    await pbx.wait_hangup(call.caller_channel, 150)
    row = await wait_call_closed(daemon, store_of(daemon).list_calls(1)[0]["id"])
    turns = [(t["role"], t["text"]) for t in store_of(daemon).turns(row["id"])]
    note = json.loads(await wait_note(daemon, row["id"]))
    assert note["callback_number"] == NUMBER, turns
    assert any("Ich wiederhole Ihre Nummer" in text for role, text in turns if role == "agent"), turns
