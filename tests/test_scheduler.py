"""The model scheduler: off the event loop, live work before background work, clean shutdown."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from voicebridge.models.scheduler import BACKGROUND, LIVE, ModelScheduler


async def test_jobs_run_off_the_loop_and_are_timed() -> None:
    scheduler = ModelScheduler()
    loop_thread = threading.get_ident()
    result = await scheduler.run(lambda: (time.sleep(0.05), threading.get_ident())[1])
    assert result.value != loop_thread and result.run_ms >= 45
    scheduler.shutdown()


async def test_live_work_overtakes_queued_background_work() -> None:
    scheduler = ModelScheduler()
    order: list[str] = []

    def job(name: str) -> str:
        time.sleep(0.05)
        order.append(name)
        return name

    first = asyncio.create_task(scheduler.run(job, "running"))
    await asyncio.sleep(0.01)  # the worker is busy with "running"
    notes = asyncio.create_task(scheduler.run(job, "note", priority=BACKGROUND))
    await asyncio.sleep(0.01)
    stt = asyncio.create_task(scheduler.run(job, "stt", priority=LIVE))
    await asyncio.gather(first, notes, stt)
    assert order == ["running", "stt", "note"]
    assert (await stt).queued_ms < (await notes).queued_ms
    scheduler.shutdown()


async def test_errors_reach_the_caller_and_shutdown_cancels_queued_jobs() -> None:
    scheduler = ModelScheduler()
    with pytest.raises(ZeroDivisionError):
        await scheduler.run(lambda: 1 / 0)
    blocker = asyncio.create_task(scheduler.run(time.sleep, 0.2))
    await asyncio.sleep(0.02)
    queued = asyncio.create_task(scheduler.run(lambda: "never"))
    await asyncio.sleep(0.02)
    scheduler.shutdown()
    with pytest.raises(asyncio.CancelledError):
        await queued
    await blocker
    with pytest.raises(asyncio.CancelledError):
        await scheduler.run(lambda: "after shutdown")
