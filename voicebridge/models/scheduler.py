"""Queues for model work, one lane per kind, so a caller's transcription never waits behind a language-model job.

Lane SPEECH (STT, TTS), lane LLM (hints for live replies) and lane NOTE (post-call notes and their in-call drafts,
seconds each) each have their own worker thread (and, with models.isolation = "process", their own process). Within a
lane: lower priority number first, then first come. A running job is never preempted; a job may instead give up if it has not started within `max_wait_ms`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from voicebridge.errors import ModelError

T = TypeVar("T")
log = logging.getLogger(__name__)
SLOW_JOB_MS = 1500  # work queued behind a job this long in the same lane waited as long: worth a line in the log

LIVE = 0  # a caller is waiting for this
BACKGROUND = 1  # nobody waits, but the call is still on (late emergency check)
POST_CALL = 2  # after-call notes: last in their lane

SPEECH = "speech"  # transcription and synthesis: the live path
LLM = "llm"  # language-model work for live replies: never in front of SPEECH
NOTE = "note"  # the note model's long generations: never in front of a hint
LANES = (SPEECH, LLM, NOTE)


class QueueTimeout(ModelError):
    """A job that did not start within its max_wait_ms; it was taken off the queue and will not run."""


@dataclass(frozen=True)
class Timed(Generic[T]):
    value: T
    queued_ms: float  # waiting for the lane's worker
    run_ms: float  # computing


class RunTimes:
    """How long one kind of job has lately run, so a caller of `run` can tell whether a queued one could still finish in
    time; nothing but a bounded list of figures."""

    def __init__(self, keep: int = 20) -> None:
        self._recent: deque[float] = deque(maxlen=keep)

    def add(self, run_ms: float) -> None:
        self._recent.append(run_ms)

    def expected_ms(self, default_ms: float) -> float:
        """The slowest of the recent runs bar the top tenth; `default_ms` until three have run."""
        if len(self._recent) < 3:
            return default_ms
        ordered = sorted(self._recent)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


_Entry = tuple[int, int, Callable[[], None] | None, "Future[Any] | None"]


class _Lane:
    """One queue and the thread that works it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.jobs: queue.PriorityQueue[_Entry] = queue.PriorityQueue()
        self.thread = threading.Thread(target=self._work, name=f"model-{name}", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            _, _, job, _ = self.jobs.get()
            if job is None:
                return
            job()

    def stop(self) -> None:
        while True:
            try:
                _, _, _, pending = self.jobs.get_nowait()
            except queue.Empty:
                break
            if pending is not None:
                pending.cancel()  # its awaiter gets CancelledError instead of waiting forever
        self.jobs.put((-1, -1, None, None))


class ModelScheduler:
    def __init__(self) -> None:
        self._order = itertools.count()
        self._lanes = {name: _Lane(name) for name in LANES}
        self._awaited: dict[str, set[asyncio.Future[Any]]] = {name: set() for name in LANES}
        self._abandoned: set[str] = set()
        self._closed = False

    async def run(self, fn: Callable[..., T], *args: Any, priority: int = LIVE, lane: str = SPEECH,
                  max_wait_ms: float | None = None) -> Timed[T]:
        """Run fn(*args) in `lane`'s worker. With max_wait_ms, a job still queued after that long is dropped and
        QueueTimeout raised: for optional work (LLM hints) that is worth less than the caller's wait."""
        if self._closed:
            raise asyncio.CancelledError("the model scheduler is shut down")
        if lane in self._abandoned:  # a note asked for after the stop began would be waited for past the store's close
            raise asyncio.CancelledError(f"the {lane} lane is abandoned: the daemon is stopping")
        loop = asyncio.get_running_loop()
        done: Future[tuple[T, float, float]] = Future()
        submitted = time.perf_counter()

        def job() -> None:
            if not done.set_running_or_notify_cancel():
                return
            started = time.perf_counter()
            try:
                value = fn(*args)
            except BaseException as exc:  # handed to the awaiting coroutine
                done.set_exception(exc)
            else:
                done.set_result((value, started, time.perf_counter()))
            took_ms = (time.perf_counter() - started) * 1000
            if took_ms > SLOW_JOB_MS:  # logged here: an abandoned speculative job is never awaited
                log.warning("model job %s ran %.0f ms; %s work queued behind it waited as long",
                            getattr(fn, "__qualname__", fn), took_ms, lane)

        self._lanes[lane].jobs.put((priority, next(self._order), job, done))
        waiting = asyncio.wrap_future(done, loop=loop)
        awaited = self._awaited[lane]
        awaited.add(waiting)
        try:
            if max_wait_ms is not None:
                await asyncio.wait({waiting}, timeout=max_wait_ms / 1000)
                if not waiting.done() and done.cancel():  # cancel() fails once the job is running: then it is awaited
                    waiting.cancel()
                    raise QueueTimeout(f"{getattr(fn, '__qualname__', fn)} did not start within {max_wait_ms:.0f} ms in lane {lane}")
            value, started, finished = await waiting
        except asyncio.CancelledError:
            # The awaiter went away (a call hung up, a draft was dropped) while `waiting` was only watched by
            # asyncio.wait: cancel it too, so a job not yet started never runs and the outcome of one already running
            # (a ModelError, say) is not left behind as a "Future exception was never retrieved".
            waiting.cancel()
            raise
        finally:
            awaited.discard(waiting)
        return Timed(value, (started - submitted) * 1000, (finished - started) * 1000)

    def abandon(self, lane: str) -> None:
        """Stop waiting for `lane`'s jobs: their awaiters get CancelledError now (queued jobs will not run; a running one
        finishes unheard). The daemon does this to the LLM lane first when it stops, so post-call notes fall back to the
        parsers' note and are sent while the notifier still runs, instead of waiting for a generation."""
        self._abandoned.add(lane)  # and later jobs in it are refused the same way
        for waiting in list(self._awaited[lane]):
            waiting.cancel()

    def shutdown(self) -> None:
        """Stop after the running jobs; queued jobs are dropped and their awaiters cancelled."""
        self._closed = True
        for lane in self._lanes.values():
            lane.stop()
