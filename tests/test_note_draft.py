"""The post-call note drafted during the call: the instruct model reads the call once the agent asks "anything else?",
where its lane is free, and at hang-up that draft is the note's proposal if the caller's last words changed nothing.

Unit tests on the drafter with the real scheduler, then the whole daemon over real AudioSocket bytes with a scripted
recognizer and the note model behind a real OpenAI-compatible HTTP server on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.callsim import greet_and_wait, store_of, wait_call_closed
from tests.conftest import make_config
from tests.privacy_helpers import FakeNotes, FakeStt, FakeTts, voiced
from tests.test_post_call_note import NoteServer
from tests.test_post_call_note_busy import TURNS, SlowWriter, services
from voicebridge.call_session.note_draft import NoteDrafter
from voicebridge.daemon import Daemon
from voicebridge.dialogue.call_note import CallNote
from voicebridge.dialogue.note_extractor import CallNote as ExtractedNote
from voicebridge.dialogue.note_proposal import NoteProposal
from voicebridge.models.instruct import Proposed
from voicebridge.models.registry import Models, load_note_writer
from voicebridge.models.scheduler import NOTE, ModelScheduler
from voicebridge.transport.audiosocket_client import AsteriskPeer


class ProposingWriter(SlowWriter):
    def propose(self, transcript: str, language: str) -> Proposed:
        super().propose(transcript, language)
        return Proposed(NoteProposal(name="Peter Schmidt", summary="Peter Schmidts Abfluss ist verstopft."), self.run_s * 1000)


@pytest.fixture
def scheduler() -> Iterator[ModelScheduler]:
    running = ModelScheduler()
    yield running
    running.shutdown()


async def test_a_draft_of_an_unchanged_note_is_used_and_the_model_ran_once(scheduler: ModelScheduler) -> None:
    writer = ProposingWriter(run_s=0.1)
    drafter = NoteDrafter(services(writer, 10, scheduler), "c1", "de")  # type: ignore[arg-type]
    note = CallNote(call_id="c1", name="Peter Schmidt", concern="Abfluss verstopft")
    drafter.start(note, TURNS)
    drafter.start(note, TURNS)  # once per call
    draft = await drafter.usable(dataclasses.replace(note), wait_s=5)
    assert draft is not None and draft.proposal is not None and draft.proposal.summary.startswith("Peter")
    assert len(writer.started) == 1


async def test_a_note_that_changed_after_the_draft_does_not_use_it(scheduler: ModelScheduler) -> None:
    writer = ProposingWriter(run_s=0.5)
    drafter = NoteDrafter(services(writer, 10, scheduler), "c1", "de")  # type: ignore[arg-type]
    note = CallNote(call_id="c1", name="Peter Schmidt")
    drafter.start(note, TURNS)
    await asyncio.sleep(0.1)  # the generation is running
    assert await drafter.usable(dataclasses.replace(note, concern="und bitte vorher anrufen"), wait_s=5) is None


async def test_no_draft_when_the_lane_is_busy_and_none_without_caller_words(scheduler: ModelScheduler) -> None:
    writer = ProposingWriter(run_s=0.1)
    svc = services(writer, 10, scheduler)
    busy = asyncio.create_task(scheduler.run(time.sleep, 1.0, lane=NOTE))  # another call's note generating
    await asyncio.sleep(0.05)
    drafter = NoteDrafter(svc, "c1", "de")  # type: ignore[arg-type]
    note = CallNote(call_id="c1")
    drafter.start(note, TURNS)
    assert await drafter.usable(note, wait_s=5) is None  # not started within 200 ms: no draft at all
    await busy
    assert writer.started == []  # the draft was never generated, not even late
    silent = NoteDrafter(svc, "c2", "de")  # type: ignore[arg-type]
    silent.start(note, [("agent", "Sanitär Huber, guten Tag.")])
    assert not silent.started


SCRIPT = ["Hallo, hier ist Peter Schmidt, bei mir ist der Abfluss in der Küche verstopft.", "Meine Nummer ist 0171 2345678.",
          "Ja, richtig.", "Hauptstraße 5, 80331 München.", "Es hat Zeit.", "Morgen Vormittag, bitte."]


@pytest.fixture
def note_model() -> Iterator[NoteServer]:
    server = NoteServer(reply={"name": "Peter Schmidt", "summary": "Peter Schmidts Küchenabfluss ist verstopft."}, delay_s=0.5)
    yield server
    server.close()


async def _call(tmp_path: Path, server: NoteServer | None, last_words: list[str]) -> dict[str, Any]:
    """A German call through the whole dialogue to "anything else?", then `last_words`: the stored final note, with how
    often the note model was asked in all and before the hang-up. No server: the bundled Qwen 1.5B in this process."""
    note_llm: dict[str, Any] = ({"url": server.url, "timeout_s": 60} if server is not None
                                else {"model": "qwen2.5-coder-1.5b", "timeout_s": 600})  # a loaded CI box: minutes
    config = make_config(tmp_path, vad={"speculative_pause_ms": 0}, business={"language": "de"}, models={"note_llm": note_llm})
    daemon = Daemon(config, Models(FakeStt(SCRIPT + last_words), FakeTts(), FakeNotes(ExtractedNote()), load_note_writer(config)))  # type: ignore[arg-type]
    await daemon.start()
    try:
        assert daemon.audiosocket is not None
        peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
        await greet_and_wait(peer)
        for _ in SCRIPT + last_words:
            sent = await peer.say(voiced(0.8))
            assert await peer.wait_for_speech(sent.last_sample_at, 10) is not None, "the agent did not answer"
            await peer.wait_for_quiet(0.6, 10)
        asked_before_hang_up = len(server.requests) if server is not None else -1
        await peer.hang_up()
        await wait_call_closed(daemon, peer.call_id)
        for _ in range(int(note_llm["timeout_s"] * 10) + 100):  # the real Qwen on one thread: 20-35 s a note on some CPUs
            row = store_of(daemon).get_call(peer.call_id)
            if row is not None and row["note_source"] not in ("", "parsers (note model pending)"):
                break
            await asyncio.sleep(0.1)
    finally:
        await daemon.stop()
    assert row is not None
    return {**json.loads(row["note"]), "requests": len(server.requests) if server is not None else -1,
            "before_hang_up": asked_before_hang_up}


async def test_the_whole_call_drafts_its_note_while_the_caller_says_goodbye(tmp_path: Path, note_model: NoteServer) -> None:
    note = await _call(tmp_path, note_model, ["Nein, danke, tschüss."])
    assert note["before_hang_up"] == 1, "the note model was not asked during the call"
    assert note["requests"] == 1, "the note was generated again after the call"
    assert note["extra"]["note_source"] == f"parsers+{note_model.url} (drafted during the call)"
    assert note["summary"] == "Peter Schmidts Küchenabfluss ist verstopft." and note["callback_number"] == "01712345678"


async def test_a_caller_who_adds_something_gets_a_note_from_the_whole_call(tmp_path: Path, note_model: NoteServer) -> None:
    note = await _call(tmp_path, note_model, ["Ja, bitte rufen Sie vorher kurz an, ich bin erst ab zehn da.",
                                                    "Nein, danke, tschüss."])
    assert note["requests"] == 2  # the draft, and the note after the call that read the added words
    assert note["extra"]["note_source"] == f"parsers+{note_model.url}"
    assert "vorher" in str(note["concern"]) or "vorher" in note_model.requests[-1][1]["messages"][-1]["content"]


async def test_the_real_qwen_drafts_the_note_during_the_call_and_it_is_the_stored_note(tmp_path: Path) -> None:
    """The same call with the bundled instruct model itself: its draft (JSON grammar, German summary) is the note."""
    note = await _call(tmp_path, None, ["Nein, danke, tschüss."])
    assert note["extra"]["note_source"] == "parsers+qwen2.5-coder-1.5b (drafted during the call)", note["extra"]
    assert note["callback_number"] == "01712345678" and note["extra"]["provenance"]["callback_number"] == "confirmed"
    assert "schmidt" in note["name"].lower() and len(note["summary"]) > 20
    assert "abfluss" in (note["summary"] + " " + str(note["concern"])).lower(), note
