"""One slow model job never stalls another call, through a real Asterisk: call A hangs up and its post-call note runs on
the real instruct model (default config: models in their worker processes) for seconds, while call B talks. B's replies
come as quickly as ever on the line, and B's stored queue times say what B really waited."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.callsim import store_of, wait_call_closed
from tests.conftest import make_config
from tests.pbx.asterisk import Asterisk
from tests.pbx.conftest import pbx_sections
from tests.pbx.test_pbx_line_latency import stored_gaps
from voicebridge.audio.line_gaps import turn_gaps
from voicebridge.daemon import Daemon

NOTE_MODEL = "qwen2.5-coder-1.5b"  # the shipped default
PENDING = "parsers (note model pending)"
LANE_JOB = re.compile(r"model job RemoteNoteWriter\.propose ran (\d+) ms; note work")
# Issue 10, defect 3: a caller waited through 8.4 s of silence behind another call's LLM job. On the busy 2-core box a
# reply comes 1-2 s after the caller stops while a note generates beside it; far below a stall of the job's length.
MAX_LINE_GAP_MS = 4000
MAX_STT_QUEUE_MS = 500  # a transcription that waited behind anything of seconds would store that


@pytest_asyncio.fixture(loop_scope="session")
async def noting_daemon(pbx: Asterisk, tmp_path: Path) -> AsyncIterator[Daemon]:
    """The daemon as shipped (speech, LLM and the note model in their own processes) with the real note model, behind this Asterisk."""
    sections = pbx_sections(pbx, business={"language": "en"},
                            models={"isolation": "process", "note_llm": {"model": NOTE_MODEL, "timeout_s": 600}})
    daemon = Daemon(make_config(tmp_path, **sections))
    await daemon.start()
    try:
        assert daemon.ami is not None and await daemon.ami.wait_connected(10), "the daemon did not log in to Asterisk's AMI"
        yield daemon
    finally:
        await daemon.stop()


def _at(iso: str) -> float:
    return datetime.fromisoformat(iso).astimezone(UTC).timestamp()


async def test_a_post_call_note_generating_does_not_stall_another_call(
    pbx: Asterisk, noting_daemon: Daemon, say: Callable[..., bytes], caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    daemon = noting_daemon
    assert pbx.ami is not None
    # An urgent concern: the policy asks the LLM for no late emergency check, so A's note is the only LLM job A makes.
    concern = pbx.sound("a", say("Hello, this is Martina Keller. My radiator is leaking, please send someone urgently.", "en"))
    lines = [say("Hello, my name is Peter Brown. My shower is leaking.", "en"), say("Yes, please call me on this number.", "en")]
    b_steps = ["n", "q", "g"]  # B is greeted, then waits for A's note to be under way
    for i, pcm in enumerate(lines):
        b_steps += [f"p{pbx.sound(f'b{i}', pcm)}", "n", "q"]
    a = await pbx.place_call(["n", "q", f"p{concern}", "n", "q", "h"], caller_id="A <+4930111111>")
    b = await pbx.place_call([*b_steps, "h"], caller_id="B <+4930222222>")
    await pbx.wait_hangup(a.caller_channel, 90)
    a_id = await _note_queued(daemon, "+4930111111")
    await pbx.go(b)
    await pbx.wait_hangup(b.caller_channel, 150)

    rows = {row["caller_number"]: row for row in store_of(daemon).list_calls(5)}
    a_row = await wait_call_closed(daemon, a_id)
    b_row = await wait_call_closed(daemon, rows["+4930222222"]["id"])
    b_turns = store_of(daemon).turns(b_row["id"])
    pairs = [(t, after) for t, after in zip(b_turns, b_turns[1:], strict=False) if t["role"] == "caller" and after["role"] == "agent"]
    assert len(pairs) == len(lines), [(t["role"], t["text"]) for t in b_turns]

    # What B heard: each answer's gap on the real line is short, and the stored gap does not hide any of it.
    heard, rate = b.heard()
    said, _ = b.said()
    line = [g.gap_ms for g in turn_gaps(said, heard, rate)]
    stored = stored_gaps(b_turns)
    queued = [json.loads(t["timings"])["stt_queue_ms"] for t, _ in pairs]
    assert len(line) == len(stored) == len(lines), (line, stored)
    assert all(gap < MAX_LINE_GAP_MS for gap in line), (line, stored, queued)
    assert all(g - s < 1000 for g, s in zip(line, stored, strict=True)), (line, stored, queued)
    assert all(q < MAX_STT_QUEUE_MS for q in queued), queued

    # The overlap is shown, not assumed: a caller turn of B ended, and its reply began, while A's note was generating.
    job = await _note_job(daemon, a_row["id"], caplog)
    assert job["run_ms"] > 3000, job  # a real generation of seconds: queueing behind it would have shown
    start, end = job["finished"] - job["run_ms"] / 1000, job["finished"]
    overlapped = [t for t, reply in pairs if start < _at(t["ended_at"]) and _at(reply["started_at"]) < end]
    assert overlapped, (job, [(t["ended_at"], reply["started_at"]) for t, reply in pairs], a_row["ended_at"])


async def _note_queued(daemon: Daemon, caller: str, timeout_s: float = 30) -> str:
    """A's call id, once its note job is in the note lane (the parsers' note is stored as pending when it is queued)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for row in store_of(daemon).list_calls(5):
            if row["caller_number"] == caller and row["note_source"] == PENDING:
                return str(row["id"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"the note of {caller}'s call was not queued within {timeout_s:g} s")


async def _note_job(daemon: Daemon, call_id: str, caplog: pytest.LogCaptureFixture, timeout_s: float = 300) -> dict[str, Any]:
    """When A's note job ran in the note lane: the lane's own line for every job over 1.5 s, logged as it ends. The first
    note job is A's (B's note queues after it, same priority). Whether the model then answered in time (on a loaded box a
    starved SCHED_IDLE generation can pass the worker's 120 s limit) is the note's business, not this test's: it held the lane."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for record in caplog.records:
            found = LANE_JOB.search(record.getMessage())
            row = store_of(daemon).get_call(call_id)
            if found and row is not None and row["note_source"] not in (None, "", PENDING):
                assert NOTE_MODEL in row["note_source"], row["note_source"]
                return {"finished": record.created, "run_ms": float(found[1]), "note_source": row["note_source"]}
        await asyncio.sleep(0.2)
    raise AssertionError(f"no note job of {call_id} ended within {timeout_s:g} s")
