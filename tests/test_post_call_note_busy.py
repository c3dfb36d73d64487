"""A busy note model: a note that could no longer finish within the timeout is not generated for nobody; its call gets the
parsers' note at once. With a new call every few seconds the lane used to start every note late, run it, and drop it."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from voicebridge.call_services import CallServices, PhraseCache
from voicebridge.config import parse_config
from voicebridge.dialogue.call_note import CallNote
from voicebridge.models.instruct import Proposed
from voicebridge.models.registry import Models
from voicebridge.models.scheduler import ModelScheduler, RunTimes
from voicebridge.post_call_note import post_call_note

TURNS = [("agent", "Sanitär Huber, guten Tag."), ("caller", "Hier ist Peter Schmidt, mein Abfluss ist verstopft.")]


class SlowWriter:
    """Stands in for the instruct model: every proposal takes `run_s` of the note lane's one thread."""

    name = "slow-model"

    def __init__(self, run_s: float) -> None:
        self.run_s = run_s
        self.started: list[float] = []
        self._lock = threading.Lock()

    def propose(self, transcript: str, language: str) -> Proposed:
        with self._lock:
            self.started.append(time.monotonic())
        time.sleep(self.run_s)
        return Proposed(None, self.run_s * 1000)


def services(writer: SlowWriter, timeout_s: float, scheduler: ModelScheduler) -> CallServices:
    config = parse_config({"models": {"note_llm": {"model": "", "timeout_s": timeout_s}}})
    models = Models(stt=None, tts=None, notes=None, writer=writer)  # type: ignore[arg-type]  # only the writer is used
    store: Any = None  # post_call_note stores nothing itself
    return CallServices(config, models, scheduler, store, PhraseCache())


def test_run_times_give_the_slow_end_of_recent_runs() -> None:
    runs = RunTimes(keep=10)
    assert runs.expected_ms(default_ms=5000) == 5000
    for ms in (100, 200, 300, 400, 500, 600, 700, 800, 900, 9000):
        runs.add(ms)
    assert runs.expected_ms(default_ms=5000) == 9000  # 10 runs: the top tenth is the tenth
    for ms in (100,) * 10:
        runs.add(ms)
    assert runs.expected_ms(default_ms=5000) == 100  # only the last ten count


async def test_notes_that_would_finish_too_late_are_not_generated_and_go_out_at_once() -> None:
    scheduler = ModelScheduler()
    writer = SlowWriter(run_s=1.5)
    svc = services(writer, timeout_s=2.0, scheduler=scheduler)
    for _ in range(3):
        svc.note_runs.add(1500)  # the model's recent notes took 1.5 s: a note may wait 1 s (the floor) for the lane
    try:
        began = time.monotonic()
        calls = [CallNote(call_id=f"call-{i}", name="Peter Schmidt") for i in range(4)]

        async def one(note: CallNote) -> tuple[str, float]:
            done = await post_call_note(svc, note, TURNS, "de")
            return done.extra["note_source"], time.monotonic() - began

        results = await asyncio.gather(*(one(note) for note in calls))
    finally:
        scheduler.shutdown()
    sources = [source for source, _ in results]
    assert sources[0] == "parsers; slow-model gave no usable answer"  # it ran, in time
    assert sources[1:] == ["parsers; slow-model busy"] * 3
    # Only the first note was generated: the others were refused before they started, not run for nobody.
    assert len(writer.started) == 1
    assert all(took < 1.45 for _, took in results[1:]), results  # at the queue limit (1 s), not at the 2 s timeout
    assert all(note.name == "Peter Schmidt" for note in calls)


async def test_a_quiet_lane_still_runs_every_note() -> None:
    scheduler = ModelScheduler()
    writer = SlowWriter(run_s=0.05)
    svc = services(writer, timeout_s=2.0, scheduler=scheduler)
    try:
        sources = [(await post_call_note(svc, CallNote(call_id=f"c{i}"), TURNS, "de")).extra["note_source"] for i in range(5)]
    finally:
        scheduler.shutdown()
    assert sources == ["parsers; slow-model gave no usable answer"] * 5
    assert len(writer.started) == 5
    assert svc.note_runs.expected_ms(default_ms=0) < 1000  # the runs were recorded
