"""One shared queue for model work, so concurrent calls take turns on the cores instead of thrashing them.

Jobs run in a worker thread (the event loop only moves audio). Live turn work (STT, TTS) goes before background
work (call notes); within a priority it is first come, first served. A running job is never preempted.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
SLOW_JOB_MS = 1500  # every call waits behind a job this long: worth a line in the log

LIVE = 0  # a caller is waiting for this
BACKGROUND = 1  # nobody is waiting: after-call notes


@dataclass(frozen=True)
class Timed(Generic[T]):
    value: T
    queued_ms: float  # waiting for the worker
    run_ms: float  # computing


class ModelScheduler:
    def __init__(self) -> None:
        self._jobs: queue.PriorityQueue[tuple[int, int, Callable[[], None] | None, Future[Any] | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._worker = threading.Thread(target=self._work, name="model-scheduler", daemon=True)
        self._worker.start()
        self._closed = False

    def _work(self) -> None:
        while True:
            _, _, job, _ = self._jobs.get()
            if job is None:
                return
            job()

    async def run(self, fn: Callable[..., T], *args: Any, priority: int = LIVE) -> Timed[T]:
        if self._closed:
            raise asyncio.CancelledError("the model scheduler is shut down")
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
                log.warning("model job %s ran %.0f ms; work queued behind it waited as long", getattr(fn, "__qualname__", fn), took_ms)

        self._jobs.put((priority, next(self._order), job, done))
        value, started, finished = await asyncio.wrap_future(done, loop=loop)
        return Timed(value, (started - submitted) * 1000, (finished - started) * 1000)

    def shutdown(self) -> None:
        """Stop after the running job; queued jobs are dropped and their awaiters cancelled."""
        self._closed = True
        while True:
            try:
                _, _, _, pending = self._jobs.get_nowait()
            except queue.Empty:
                break
            if pending is not None:
                pending.cancel()  # its awaiter gets CancelledError instead of waiting forever
        self._jobs.put((-1, -1, None, None))
