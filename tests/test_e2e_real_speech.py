"""A German call through the whole daemon where the caller's number is spoken by a real person (Debian's recorded
Asterisk digits), not by our own synthesis: Whisper must hear it, the agent reads it back, the note holds it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.callsim import caller_turns, greet_and_wait, store_of, wait_call_closed, wait_note
from tests.conftest import DaemonFactory
from tests.speech_samples import german_prompt
from tests.wer import digits
from voicebridge.daemon import Daemon
from voicebridge.transport.audiosocket_client import AsteriskPeer

pytestmark = pytest.mark.e2e

NUMBER = "042198765"


def recorded_number(number: str) -> bytes:
    """The real speaker's digits one after another, with the short pauses a caller leaves between them."""
    pause = bytes(8000 * 2 // 5)
    return pause + b"".join(german_prompt(f"digits/{d}") + bytes(8000 * 2 // 10) for d in number) + pause


async def _turn(peer: AsteriskPeer, speech: bytes, daemon: Daemon) -> None:
    sent = await peer.say(speech)
    answered = await peer.wait_for_speech(sent.last_sample_at, 60)
    assert answered is not None, f"the agent did not answer; turns so far: {[(t['role'], t['text']) for t in store_of(daemon).turns(peer.call_id)]}"
    await peer.wait_for_quiet(1.5, 40)  # the read-back has pauses; the caller answers after it, not inside it


async def test_a_number_spoken_by_a_real_german_caller_is_read_back_and_noted(start_daemon: DaemonFactory,
                                                                              say: Callable[..., bytes]) -> None:
    daemon = await start_daemon(business={"language": "de", "name": "Sanitär Huber"})
    assert daemon.audiosocket is not None
    concern = say("Guten Tag, mein Name ist Anna Berger. Bei mir ist die Heizung ausgefallen.", language="de")
    number, yes = recorded_number(NUMBER), say("Ja, das ist richtig.", language="de")
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    for speech in (concern, number, yes):
        await _turn(peer, speech, daemon)
    await peer.hang_up()
    await wait_call_closed(daemon, peer.call_id)
    heard = caller_turns(daemon, peer.call_id)
    assert any(digits(text, "de") == NUMBER for text in heard), heard
    agent = [t["text"] for t in store_of(daemon).turns(peer.call_id) if t["role"] == "agent"]
    assert any("Ich wiederhole Ihre Nummer" in text for text in agent), agent
    note = json.loads(await wait_note(daemon, peer.call_id))
    assert note["callback_number"] == NUMBER and note["callback_confirmed"], note
