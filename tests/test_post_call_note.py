"""The post-call note through the whole daemon: the real Qwen model reads a real call after hang-up and its reading is
reconciled into the stored note with provenance; a note server that fails, is slow, or answers is handled over real HTTP
on loopback, and the parsers' note is never lost."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.callsim import greet_and_wait, store_of, wait_call_closed
from tests.conftest import PhrasesOf, make_config
from voicebridge.daemon import Daemon
from voicebridge.models.registry import Models, load_note_writer
from voicebridge.models.scheduler import LLM, NOTE
from voicebridge.transport.audiosocket_client import AsteriskPeer

pytestmark = pytest.mark.e2e


class NoteServer:
    """An OpenAI-compatible /v1/chat/completions on loopback: answers `reply` (a dict) after `delay_s`, or `status`."""

    def __init__(self, reply: dict[str, Any] | None = None, status: int = 200, delay_s: float = 0.0) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append((dict(self.headers), body))
                threading.Event().wait(delay_s)
                if status != 200:
                    self.send_error(status)
                    return
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": json.dumps(reply)}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def note_server() -> Iterator[Callable[..., NoteServer]]:
    servers: list[NoteServer] = []

    def start(**kwargs: Any) -> NoteServer:
        servers.append(NoteServer(**kwargs))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


async def _call(daemon: Daemon, lines: list[bytes]) -> str:
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer)
    for speech in lines:
        sent = await peer.say(speech)
        assert await peer.wait_for_speech(sent.last_sample_at, 30) is not None, "the agent did not answer"
        await peer.wait_for_quiet(0.8, 40)
    await peer.hang_up()
    await wait_call_closed(daemon, peer.call_id)
    return peer.call_id


async def _final_note(daemon: Daemon, call_id: str, timeout_s: float = 300) -> dict[str, Any]:
    """The note once the post-call step is done (the parsers' note is stored first, marked pending)."""
    for _ in range(int(timeout_s * 10)):
        row = store_of(daemon).get_call(call_id)
        if row is not None and row["note"] and row["note_source"] != "parsers (note model pending)":
            note: dict[str, Any] = json.loads(row["note"])
            assert note["extra"]["note_source"] == row["note_source"]
            return note
        await asyncio.sleep(0.1)
    raise AssertionError(f"no final note for {call_id}")


async def _daemon_with_writer(tmp_path: Path, models: Models, phrases: PhrasesOf, **note_llm: Any) -> Daemon:
    config = make_config(tmp_path, models={"note_llm": note_llm})
    daemon = Daemon(config, dataclasses.replace(models, writer=load_note_writer(config)), phrases(models))
    await daemon.start()
    return daemon


async def test_the_real_qwen_model_reads_the_call_and_its_fields_carry_their_source(
        tmp_path: Path, models: Models, phrases: PhrasesOf, say: Callable[..., bytes]) -> None:
    # timeout_s: this test is about what the model reads, not about the fallback (on a loaded machine a note takes minutes)
    daemon = await _daemon_with_writer(tmp_path, models, phrases, model="qwen2.5-coder-1.5b", timeout_s=600)
    try:
        call_id = await _call(daemon, [
            say("Hello, this is Martina Keller from Keller Roofing. I would like a quote for new gutters on our office."),
            say("My number is 0171 234 5678."),
            say("Yes, that's right."),
        ])
        note = await _final_note(daemon, call_id, timeout_s=900)
    finally:
        await daemon.stop()
    provenance = note["extra"]["provenance"]
    assert note["extra"]["note_source"] == "parsers+qwen2.5-coder-1.5b", note
    assert note["callback_number"] == "01712345678" and provenance["callback_number"] == "confirmed"
    assert "keller" in note["name"].lower() and provenance["name"] in ("heard", "inferred")
    assert note["intent"] == "quote" and "quote" in note["summary"].lower()  # Whisper base hears "gutters" as "getters"
    assert "keller roofing" in note["company"].lower() and "roofing" not in note["name"].lower()
    assert provenance.get("summary") == "inferred" and len(note["summary"]) > 20
    assert set(provenance.values()) <= {"confirmed", "heard", "inferred"}


async def test_a_failing_note_server_still_sends_the_parsers_note_marked(
        tmp_path: Path, models: Models, phrases: PhrasesOf, say: Callable[..., bytes], note_server: Callable[..., NoteServer]) -> None:
    server = note_server(status=500)
    key = tmp_path / "note.key"
    key.write_text("sk-test-secret-123\n")
    daemon = await _daemon_with_writer(tmp_path, models, phrases, url=server.url, api_key_file=str(key), server_model="qwen")
    try:
        call_id = await _call(daemon, [say("Hello, my name is Peter Smith. My kitchen sink is blocked.")])
        note = await _final_note(daemon, call_id, timeout_s=60)
    finally:
        await daemon.stop()
    assert note["extra"]["note_source"] == f"parsers; {server.url} failed"
    assert note["name"] == "Peter Smith" and note["extra"]["provenance"]["name"] == "heard"
    headers, body = server.requests[0]
    assert headers["Authorization"] == "Bearer sk-test-secret-123" and body["model"] == "qwen"
    assert body["response_format"]["type"] == "json_schema" and "intent" in body["response_format"]["json_schema"]["schema"]["properties"]
    assert "Peter Smith" in body["messages"][-1]["content"]


async def test_a_slow_note_model_does_not_hold_the_note_and_an_answer_is_reconciled(
        tmp_path: Path, models: Models, phrases: PhrasesOf, say: Callable[..., bytes], note_server: Callable[..., NoteServer],
        caplog: pytest.LogCaptureFixture) -> None:
    slow = note_server(reply={"name": "Peter Smith"}, delay_s=4)
    daemon = await _daemon_with_writer(tmp_path, models, phrases, url=slow.url, timeout_s=1)
    try:
        call_id = await _call(daemon, [say("Hello, my name is Peter Smith. My kitchen sink is blocked.")])
        note = await _final_note(daemon, call_id, timeout_s=60)
    finally:
        await daemon.stop()
    assert note["extra"]["note_source"] == f"parsers; {slow.url} too slow (over 1 s)"
    answering = note_server(reply={"name": "Peter Smith", "company": "Smith Bakery", "intent": "appointment",
                                   "summary": "Peter Smith's kitchen sink is blocked."})
    daemon = await _daemon_with_writer(tmp_path / "b", models, phrases, url=answering.url, timeout_s=600)
    try:
        call_id = await _call(daemon, [say("Hello, this is Peter Smith from Smith Bakery. My kitchen sink is blocked.")])
        note = await _final_note(daemon, call_id)
    finally:
        await daemon.stop()
    assert note["extra"]["note_source"] == f"parsers+{answering.url}"
    # The model's summary is taken; its company only where the parsers heard none (Whisper base writes "Smith Bakery"
    # as "Smith Bakering" on some days, and a heard company is never replaced by an unsaid one: test_note_reconcile).
    assert note["summary"] == "Peter Smith's kitchen sink is blocked." and note["extra"]["provenance"]["summary"] == "inferred"
    assert note["company"] and note["extra"]["provenance"]["company"] in ("heard", "inferred")
    assert "sk-" not in caplog.text


async def test_a_daemon_stopping_during_the_generation_still_stores_the_parsers_note(
        tmp_path: Path, models: Models, phrases: PhrasesOf, say: Callable[..., bytes], note_server: Callable[..., NoteServer]) -> None:
    hanging = note_server(reply={"name": "Peter Smith"}, delay_s=60)
    daemon = await _daemon_with_writer(tmp_path, models, phrases, url=hanging.url, timeout_s=600)
    try:
        call_id = await _call(daemon, [say("Hello, my name is Peter Smith. My kitchen sink is blocked.")])
        for _ in range(6000):  # the model has the call (after any late hints in its lane: minutes on a loaded machine)
            if hanging.requests:
                break
            await asyncio.sleep(0.1)
        assert hanging.requests, "the note model was never asked"
    finally:
        await daemon.stop()  # does not wait a minute for the generation
    row = store_of(daemon).get_call(call_id)
    assert row is not None and row["note_source"] == f"parsers; {hanging.url} cancelled (daemon stopping)"
    assert json.loads(row["note"])["name"] == "Peter Smith"


@pytest.mark.parametrize("own_process", [True, False])
async def test_the_note_model_answers_from_its_worker_process(
        tmp_path: Path, say: Callable[..., bytes], note_server: Callable[..., NoteServer], own_process: bool) -> None:
    server = note_server(reply={"name": "Peter Smith", "summary": "Peter Smith's kitchen sink is blocked."})
    note_llm = {"url": server.url, "timeout_s": 600, "own_process": own_process}
    daemon = Daemon(make_config(tmp_path, models={"isolation": "process", "note_llm": note_llm}))
    await daemon.start()  # no models given: the worker processes load them
    try:
        assert daemon.services is not None and daemon.llm_worker is not None
        if own_process:  # its own process, below every other (SCHED_IDLE), and its own lane beside the hints'
            worker = daemon.note_worker
            assert worker is not None and worker.pid not in (None, daemon.llm_worker.pid) and daemon.llm_worker.writer is None
            assert os.sched_getscheduler(worker.pid) == os.SCHED_IDLE and daemon.services.models.note_lane == NOTE
        else:  # shared with the hints model, as one process fewer
            worker = daemon.llm_worker
            assert daemon.note_worker is None and daemon.services.models.note_lane == LLM
        assert worker.writer is not None and daemon.services.models.writer is worker.writer
        call_id = await _call(daemon, [say("Hello, my name is Peter Smith. My kitchen sink is blocked.")])
        note = await _final_note(daemon, call_id)
    finally:
        await daemon.stop()
    assert note["extra"]["note_source"] == f"parsers+{server.url}"
    assert note["summary"] == "Peter Smith's kitchen sink is blocked." and note["extra"]["provenance"]["summary"] == "inferred"
