"""Defect 5 through a real Asterisk: asked for the address, a German caller answers with when to come ("Am besten
nächste Woche Dienstag vormittags"). That is the appointment window, not the address: the agent asks for the address
again and the note holds the address the caller gives next. (Before address_from_answer, the address slot took any
answer of two words or more, and the note's address was "Am besten nächste Woche Dienstag vormittags".)"""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.callsim import store_of, wait_call_closed, wait_note
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import PbxDaemonFactory


async def test_a_time_given_for_the_address_is_the_window(pbx: Asterisk, pbx_daemon: PbxDaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await pbx_daemon()
    lines = {
        "concern": "Guten Tag, hier ist Peter Schmidt. Der Wasserhahn in der Küche tropft.",
        "number": "Meine Nummer ist 0171 2345678.",
        "yes": "Ja, das ist richtig.",
        "when": "Am besten nächste Woche Dienstag vormittags.",
        "address": "Lindenstraße 12 in Garching.",
        "bye": "Nein, danke. Das ist alles. Tschüss!",
    }
    sounds = {key: pbx.sound(key, say(text, "de")) for key, text in lines.items()}
    steps = ["n", "q"]
    for key in lines:
        steps += [f"p{sounds[key]}", "n", "Q" if key == "number" else "q"]  # the read-back has pauses between its groups
    call = await pbx.place_call([*steps, "h"], caller_id="Anonymous <>")  # no caller ID: the agent asks for a number
    await pbx.wait_hangup(call.caller_channel, 180)
    row = await wait_call_closed(daemon, store_of(daemon).list_calls(1)[0]["id"])
    turns = [(t["role"], t["text"]) for t in store_of(daemon).turns(row["id"])]
    when = next(i for i, (role, text) in enumerate(turns) if role == "caller" and "dienstag" in text.lower())
    asked = [text for role, text in turns[:when] if role == "agent"][-1]
    assert "Adresse" in asked, turns  # the time really was the answer to the address question
    assert any("Adresse" in text for role, text in turns[when + 1:when + 2] if role == "agent"), turns  # asked again
    note = json.loads(await wait_note(daemon, row["id"]))
    address = note["address"].lower()
    assert address and not any(word in address for word in ("dienstag", "woche", "mittag")), (address, turns)
    # It is what the caller said next ("Lindenstraße 12 in Garching", however Whisper base spelt it on the line).
    given = next(text for role, text in turns[when + 1:] if role == "caller").lower()
    assert address.split(",")[0].split()[0] in given, (address, given)
    assert note["preferred_window"] and note["preferred_window"]["label"].startswith("Di "), (note["preferred_window"], turns)
    assert note["callback_number"] == "01712345678", turns
