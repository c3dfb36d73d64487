"""Defect 4 through a real Asterisk, as callers really give a mobile number: the area code, a pause, then the rest.

Whisper writes such a number "0171. 2, 3, 4, 5, 6, 7, 8." when it hears both groups in one turn. When the pause is long
enough to end the turn, the agent must not ask for the number again: it says "Ja, bitte weiter." and joins the rest to
the start it kept. Two callers: one who waits for the agent's "Ja, bitte weiter." before going on, and one who just goes
on after a long breath (1.7 s), whatever the agent does meanwhile. Either way the read-back and the note hold the whole
number, area code first."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.callsim import store_of, wait_call_closed, wait_note
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory
from voicebridge.audio.pcm import silence
from voicebridge.dialogue.parsers import find_phone_numbers

CONCERN = "Guten Tag, hier ist Peter Schmidt. Der Wasserhahn in der Küche tropft."
START, REST = "Meine Nummer ist null eins sieben eins.", "zwei, drei, vier, fünf, sechs, sieben, acht."
BREATH_MS = 700  # on top of Pico's own ~0.9 s of quiet around the two sentences: 1.7 s from last sound to first


@pytest.mark.parametrize("caller", ["waits-for-the-agent", "goes-on-after-a-breath"])
async def test_a_number_given_in_two_groups_is_read_back_whole(
    caller: str, pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes]
) -> None:
    daemon = await pbx_daemon()
    sound = {
        "concern": pbx.sound("concern", say(CONCERN, "de")),
        "start": pbx.sound("start", say(START, "de")),
        "rest": pbx.sound("rest", say(REST, "de")),
        "both": pbx.sound("both", say(START, "de") + silence(8000, BREATH_MS) + say(REST, "de")),
        "yes": pbx.sound("yes", say("Ja, das ist richtig.", "de")),
        "bye": pbx.sound("bye", say("Nein, danke. Das ist alles. Tschüss!", "de")),
    }
    number = [f"p{sound['start']}", "n", "q", f"p{sound['rest']}"] if caller == "waits-for-the-agent" else [f"p{sound['both']}"]
    steps = ["n", "q", f"p{sound['concern']}", "n", "q", *number, "n", "Q", f"p{sound['yes']}", "n", "q", f"p{sound['bye']}", "n", "q", "h"]
    call = await pbx.place_call(steps, caller_id="Anonymous <>")  # no caller ID: the agent asks for a number
    await pbx.wait_hangup(call.caller_channel, 180)
    row = await wait_call_closed(daemon, store_of(daemon).list_calls(1)[0]["id"])
    turns = [(t["role"], t["text"]) for t in store_of(daemon).turns(row["id"])]
    agent = [text for role, text in turns if role == "agent"]
    asked = [text for text in agent if "unter welcher nummer" in text.lower() or "nummer noch einmal" in text.lower()]
    assert len(asked) == 1, turns  # asked once, never again
    if caller == "waits-for-the-agent":
        assert "Ja, bitte weiter." in agent, turns  # the pause ended the turn: the agent let the caller go on
    read_backs = [text for text in agent if "Ich wiederhole Ihre Nummer" in text]
    assert read_backs and [n.number for n in find_phone_numbers(read_backs[0], "de")] == ["01712345678"], turns
    note = json.loads(await wait_note(daemon, row["id"]))
    assert note["callback_number"] == "01712345678", turns
