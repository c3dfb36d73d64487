"""The receptionist through the whole daemon: real speech in over AudioSocket, the policy's call note out in SQLite."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from tests.callsim import greet_and_wait, wait_call_closed, wait_note
from tests.conftest import DaemonFactory
from voicebridge.transport.audiosocket_client import AsteriskPeer

pytestmark = pytest.mark.e2e


async def _turn(peer: AsteriskPeer, speech: bytes) -> None:
    sent = await peer.say(speech)
    assert await peer.wait_for_speech(sent.last_sample_at, 30) is not None, "the agent did not answer"
    await peer.wait_for_quiet(0.8, 40)


async def test_spoken_name_number_and_concern_reach_the_note(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    lines = [say("Hello, my name is Peter Smith. My kitchen sink is blocked."), say("My number is 0171 234 5678."),
             say("Yes, that's right.")]  # synthesized before the call: Piper blocks the loop
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    for speech in lines:
        await _turn(peer, speech)
    await peer.hang_up()  # mid-way: the address is still missing
    await wait_call_closed(daemon, peer.call_id)
    note = json.loads(await wait_note(daemon, peer.call_id))
    assert note["name"] == "Peter Smith" and note["callback_number"] == "01712345678" and note["callback_confirmed"]
    assert "sink" in note["concern"].lower() and "address" in note["missing"] and note["call_id"] == peer.call_id


async def test_a_number_typed_on_the_keypad_is_read_back_and_noted(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    assert daemon.audiosocket is not None
    concern, name = say("The shower in my bathroom is leaking."), say("My name is Peter Brown.")
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    await _turn(peer, concern)
    await _turn(peer, name)
    started = time.monotonic()
    for key in "0151234567#":
        peer.send_dtmf(key)
    assert await peer.wait_for_speech(started, 30) is not None  # the read-back
    await peer.wait_for_quiet(0.8, 40)
    await peer.hang_up()
    await wait_call_closed(daemon, peer.call_id)
    note = json.loads(await wait_note(daemon, peer.call_id))
    assert note["callback_number"] == "0151234567" and "shower" in note["concern"].lower()
    assert note["name"] == "Peter Brown"
