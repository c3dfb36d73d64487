"""Keys through a real Asterisk: a call-back number typed on the keypad, sent as DTMF frames (SendDTMF on a Local
channel) and as in-band tones in the caller's audio (a phone that plays them as sound): the same number in the note,
and no tone ever becomes a caller turn."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.callsim import store_of, wait_call_closed, wait_note
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory
from voicebridge.audio.dtmf_tones import key_tones

NUMBER = "0151234567"


@pytest.mark.parametrize("how", ["frames", "tones"])
async def test_a_typed_number_reaches_the_note(pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes], how: str) -> None:
    daemon = await pbx_daemon(business={"language": "en"})
    concern = pbx.sound("concern", say("Hello, the shower in my bathroom is leaking.", "en"))
    name = pbx.sound("name", say("My name is Peter Brown.", "en"))
    other = pbx.sound("other", say("No, please use another number.", "en"))  # not the caller ID: the agent asks for one
    keys = f"d{NUMBER}#" if how == "frames" else f"p{pbx.sound('keys', key_tones(NUMBER + '#'))}"
    steps = ["n", "q", f"p{concern}", "n", "q", f"p{name}", "n", "q", f"p{other}", "n", "q", keys, "n", "q", "h"]
    call = await pbx.place_call(steps, caller_id="Test <+4930999888>")
    await pbx.wait_hangup(call.caller_channel, 120)
    row = await wait_call_closed(daemon, store_of(daemon).list_calls(1)[0]["id"])
    note = json.loads(await wait_note(daemon, row["id"]))
    turns = [(t["role"], t["text"]) for t in store_of(daemon).turns(row["id"])]
    assert note["callback_number"] == NUMBER, turns
    callers = [text for role, text in turns if role == "caller"]
    assert len(callers) == 3, callers  # the concern, the name, 'another number'; the keys are no turn of their own
