"""One shared queue for model work, so concurrent calls take turns on the cores instead of thrashing them.

Jobs run in worker threads (the event loop only moves audio); order is first come, first served.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Timed(Generic[T]):
    value: T
    queued_ms: float  # waiting for a worker
    run_ms: float  # computing


class ModelScheduler:
    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="model")

    async def run(self, fn: Callable[..., T], *args: object) -> Timed[T]:
        submitted = time.perf_counter()
        started: list[float] = []

        def job() -> T:
            started.append(time.perf_counter())
            return fn(*args)

        value = await asyncio.get_running_loop().run_in_executor(self._pool, job)
        finished = time.perf_counter()
        begin = started[0] if started else submitted
        return Timed(value, (begin - submitted) * 1000, (finished - begin) * 1000)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
