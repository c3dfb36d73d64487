"""Keys through a real Asterisk: a call-back number typed on the keypad, sent as DTMF frames (SendDTMF on a Local
channel) and as in-band tones in the caller's audio (a phone that plays them as sound): the same number in the note,
and no tone ever becomes a caller turn."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from tests.callsim import store_of, wait_call_closed, wait_note
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory
from voicebridge.audio.dtmf_tones import key_tones

NUMBER = "0151234567"


async def test_a_typed_number_reaches_the_note(pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes]) -> None:
    """Both ways at once, on two calls (each call's line runs in real time, so in parallel they take the time of one)."""
    daemon = await pbx_daemon()  # German, as the tier's business is
    concern = pbx.sound("concern", say("Hallo, die Dusche in meinem Badezimmer ist undicht.", "de"))
    name = pbx.sound("name", say("Mein Name ist Peter Braun.", "de"))
    other = pbx.sound("other", say("Nein, bitte nehmen Sie eine andere Nummer.", "de"))  # not the caller ID: the agent asks for one
    ways = {"frames": f"d{NUMBER}#", "tones": f"p{pbx.sound('keys', key_tones(NUMBER + '#'))}"}
    callers = {"frames": "+4930999888", "tones": "+4930999777"}
    calls = {}
    for how, keys in ways.items():
        steps = ["n", "q", f"p{concern}", "n", "q", f"p{name}", "n", "q", f"p{other}", "n", "q", keys, "n", "q", "h"]
        calls[how] = await pbx.place_call(steps, caller_id=f"Test <{callers[how]}>")
    await asyncio.gather(*(pbx.wait_hangup(call.caller_channel, 120) for call in calls.values()))
    rows = {row["caller_number"]: row for row in store_of(daemon).list_calls(5)}
    for how, number in callers.items():
        row = await wait_call_closed(daemon, rows[number]["id"])
        note = json.loads(await wait_note(daemon, row["id"]))
        turns = [(t["role"], t["text"]) for t in store_of(daemon).turns(row["id"])]
        assert note["callback_number"] == NUMBER, (how, turns)
        said = [text for role, text in turns if role == "caller"]
        assert len(said) == 3, (how, said)  # the concern, the name, 'another number'; the keys are no turn of their own
