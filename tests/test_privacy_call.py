"""Calls through the real daemon and real AudioSocket bytes, with fake models (no model loading): no transcript text or
number in the log unless log_content is on, recording with consent and refusal by key or voice, the tenant of a call."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.callsim import greet_and_wait, store_of, wait_call_closed, wait_note
from tests.conftest import make_config
from tests.privacy_helpers import fake_models, voiced
from voicebridge.audio.pacer import OutgoingAudio
from voicebridge.call_session import AudioIn, CallEnded, CallInfo
from voicebridge.config import parse_config
from voicebridge.daemon import Daemon
from voicebridge.dialogue.note_extractor import CallNote
from voicebridge.dialogue.receptionist import AI_DISCLOSURE, PHRASES
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.transport.audiosocket_client import AsteriskPeer

MARKER = "Quokka-Marmelade"  # stands for anything a caller says
NUMBER = "0171 9876543"

Start = Callable[..., Awaitable[Daemon]]


@pytest.fixture
async def daemon_with(tmp_path: Path) -> AsyncIterator[Start]:
    started: list[Daemon] = []

    async def start(script: list[str], note: CallNote | None = None, **sections: dict[str, Any]) -> Daemon:
        daemon = Daemon(make_config(tmp_path, **sections), fake_models(script, note))
        await daemon.start()
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        await daemon.stop()


async def say_and_wait(peer: AsteriskPeer, seconds: float = 0.8) -> None:
    sent = await peer.say(voiced(seconds))
    assert await peer.wait_for_speech(sent.last_sample_at, 10) is not None, "the agent did not answer"
    await peer.wait_for_quiet(0.6, 10)


async def wait_until(check: Callable[[], object], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("log_content", [False, True])
async def test_no_transcript_text_or_number_in_the_log(daemon_with: Start, caplog: pytest.LogCaptureFixture, log_content: bool) -> None:
    caplog.set_level(logging.DEBUG)
    note = CallNote(name=f"Frau {MARKER}", callback_number=NUMBER, concern=f"{MARKER} leaks", urgency="soon")
    daemon = await daemon_with([f"Hier ist {MARKER}, meine Nummer ist {NUMBER}.", "Danke, tschüss"], note,
                               privacy={"log_content": log_content})
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    await say_and_wait(peer)
    await peer.say(voiced(0.8))
    assert await peer.wait_closed(10) and peer.agent_hung_up  # the goodbye ended the call
    await peer.hang_up()
    await wait_call_closed(daemon, peer.call_id)
    assert MARKER in await wait_note(daemon, peer.call_id)  # the text went all the way through the pipeline
    assert any(MARKER in t["text"] for t in store_of(daemon).turns(peer.call_id))
    lines = [f"{r.name} {r.getMessage()}" for r in caplog.records]
    assert any("voicebridge.call_session" in line and "turn" in line for line in lines)  # the call was logged
    leaked = [line for line in lines if MARKER in line or "9876543" in line]
    if log_content:
        assert leaked and all(r.levelno == logging.DEBUG for r in caplog.records if MARKER in r.getMessage())
    else:
        assert leaked == []


def recording_sections(tmp_path: Path) -> dict[str, dict[str, Any]]:
    key = tmp_path / "recording.key"
    key.write_text(os.urandom(32).hex())
    key.chmod(0o600)
    return {"privacy": {"record_audio": True, "recording_key_file": str(key), "refuse_recording_digit": "9"}}


async def talk(daemon: Daemon, before_speaking: Callable[[AsteriskPeer], Awaitable[None]] | None = None) -> tuple[str, dict[str, Any]]:
    """One call: hear the greeting, (do something), say one thing, hear the answer, hang up; the closed call row."""
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    if before_speaking is not None:
        await before_speaking(peer)
    await say_and_wait(peer)
    await peer.hang_up()
    return peer.call_id, await wait_call_closed(daemon, peer.call_id)


async def test_recorded_call_is_announced_encrypted_and_kept(daemon_with: Start, tmp_path: Path) -> None:
    daemon = await daemon_with(["Die Heizung ist kaputt."], **recording_sections(tmp_path))
    call_id, row = await talk(daemon)
    greeting = store_of(daemon).turns(call_id)[0]["text"]
    assert AI_DISCLOSURE["en"] in greeting and "This call is recorded" in greeting and "press 9" in greeting
    assert row["recording"] == "on"
    recordings = RecordingStore.from_config(daemon.config)
    [file] = recordings.files()
    assert file.call_id == call_id and file.path.name.endswith(".wav.enc")
    audio = recordings.read(file.path)
    assert audio.complete and len(audio.pcm) > 8000 * 2 * 1  # more than a second of the caller's line
    assert voiced(0.8)[3200:3264] not in file.path.read_bytes()


async def test_pressing_the_key_deletes_the_recording(daemon_with: Start, tmp_path: Path) -> None:
    daemon = await daemon_with(["Die Heizung ist kaputt."], **recording_sections(tmp_path))
    recordings = RecordingStore.from_config(daemon.config)

    async def press_nine(peer: AsteriskPeer) -> None:
        assert [f.call_id for f in recordings.files()] == [peer.call_id]
        peer.send_dtmf("9")
        await wait_until(lambda: not list(recordings.files()))  # gone at once; the call goes on, unrecorded

    _, row = await talk(daemon, press_nine)
    assert row["recording"] == "refused" and list(recordings.files()) == []


async def test_saying_no_deletes_the_recording_and_the_agent_confirms(daemon_with: Start, tmp_path: Path) -> None:
    daemon = await daemon_with(["No recording, please."], **recording_sections(tmp_path))
    call_id, row = await talk(daemon)
    assert row["recording"] == "refused" and list(RecordingStore.from_config(daemon.config).files()) == []
    assert store_of(daemon).turns(call_id)[-1]["text"] == PHRASES["en"]["recording_stopped"]


async def test_the_dialled_number_picks_the_tenant(tmp_path: Path) -> None:
    config = parse_config({
        "server": {"audiosocket_port": 0},
        "storage": {"database": str(tmp_path / "calls.db")},
        "business": {"language": "en", "name": "Miller Plumbing"},
        "tenants": [{"id": "praxis", "name": "Praxis Dr. Weber", "language": "de", "numbers": ["+49 30 1111"]}],
    })
    daemon = Daemon(config, fake_models([]))
    await daemon.start()
    try:
        praxis = await _run_session(daemon, "+49301111")
        other = await _run_session(daemon, "+49 40 2222")
        store = store_of(daemon)
        praxis_row, other_row = store.get_call(praxis), store.get_call(other)
        assert praxis_row is not None and other_row is not None
        assert (praxis_row["tenant"], praxis_row["language"], other_row["tenant"], other_row["language"]) == ("praxis", "de", "default", "en")
        praxis_greeting = store.turns(praxis)[0]["text"]
        assert "Praxis Dr. Weber" in praxis_greeting and AI_DISCLOSURE["de"] in praxis_greeting
        assert "Miller Plumbing" in store.turns(other)[0]["text"]
        assert [r["id"] for r in store.list_calls(10, "praxis")] == [praxis]
        assert store.find_call(other, "praxis") is None
    finally:
        await daemon.stop()


async def _run_session(daemon: Daemon, called: str | None) -> str:
    sent: list[bytes] = []

    async def send(frame: bytes) -> None:
        sent.append(frame)

    output = OutgoingAudio(send, 8000)
    pacer = asyncio.create_task(output.run())
    info = CallInfo(f"call-{len(str(called))}-{time.monotonic_ns()}", "test", 8000, "+49 171 555", called)
    session = daemon._new_session(info, output)
    running = asyncio.create_task(session.run())
    store = store_of(daemon)
    await wait_until(lambda: [t for t in store.turns(info.call_id) if t["ended_at"]])  # the greeting was heard in full
    session.feed(AudioIn(bytes(320)))
    session.feed(CallEnded("caller_hangup"))
    await running
    pacer.cancel()
    return info.call_id
