"""The model scheduler: off the event loop, live work before background work, clean shutdown."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from voicebridge.models.scheduler import BACKGROUND, LIVE, LLM, NOTE, POST_CALL, SPEECH, ModelScheduler, QueueTimeout


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


async def test_a_long_llm_job_never_delays_speech_work() -> None:
    scheduler = ModelScheduler()
    generating = threading.Event()

    def generation() -> str:
        generating.set()
        time.sleep(0.6)
        return "note"

    note = asyncio.create_task(scheduler.run(generation, priority=POST_CALL, lane=LLM))
    await asyncio.get_running_loop().run_in_executor(None, generating.wait, 2)
    stt = await scheduler.run(lambda: "heard", lane=SPEECH)
    assert stt.value == "heard" and stt.queued_ms < 100, stt  # the speech lane has its own worker
    assert not note.done()
    assert (await note).run_ms >= 550
    scheduler.shutdown()


async def test_a_hint_for_a_live_reply_never_waits_behind_a_note() -> None:
    """The note model's seconds go to a lane of their own: a hint that may wait 100 ms runs at once beside one."""
    scheduler = ModelScheduler()
    note = asyncio.create_task(scheduler.run(time.sleep, 0.6, priority=POST_CALL, lane=NOTE))
    await asyncio.sleep(0.05)
    hint = await scheduler.run(lambda: "hint", lane=LLM, max_wait_ms=100)
    assert hint.value == "hint" and hint.queued_ms < 100 and not note.done()
    assert (await note).run_ms >= 550
    scheduler.shutdown()


async def test_queued_optional_work_gives_up_and_never_runs() -> None:
    scheduler = ModelScheduler()
    ran: list[str] = []
    blocker = asyncio.create_task(scheduler.run(time.sleep, 0.4, priority=POST_CALL, lane=LLM))
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    with pytest.raises(QueueTimeout, match="did not start within 100 ms in lane llm"):
        await scheduler.run(ran.append, "hint", lane=LLM, max_wait_ms=100)
    assert (time.perf_counter() - started) < 0.3  # the caller did not wait for the blocker
    await blocker
    await scheduler.run(time.sleep, 0.01, lane=LLM)  # the lane works on, the dropped job never ran
    assert ran == []
    # A job that starts in time is awaited to its end, however long it runs.
    slow = await scheduler.run(time.sleep, 0.2, lane=LLM, max_wait_ms=100)
    assert slow.run_ms >= 190
    scheduler.shutdown()


async def test_abandoning_a_lane_frees_its_awaiters_and_leaves_the_other_lane_alone() -> None:
    scheduler = ModelScheduler()
    running = asyncio.create_task(scheduler.run(time.sleep, 0.5, priority=POST_CALL, lane=LLM))
    queued = asyncio.create_task(scheduler.run(time.sleep, 0.5, priority=POST_CALL, lane=LLM))
    speech = asyncio.create_task(scheduler.run(time.sleep, 0.2, lane=SPEECH))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    scheduler.abandon(LLM)
    for task in (running, queued):
        with pytest.raises(asyncio.CancelledError):
            await task
    assert time.perf_counter() - started < 0.3  # not after the running generation
    assert (await speech).run_ms >= 190
    with pytest.raises(asyncio.CancelledError):  # a note asked for after the stop began is not waited for either
        await scheduler.run(time.sleep, 5, priority=POST_CALL, lane=LLM)
    assert (await scheduler.run(time.sleep, 0.01, lane=SPEECH)).run_ms >= 5
    scheduler.shutdown()


async def test_an_awaiter_cancelled_while_its_optional_job_runs_leaves_no_unread_error() -> None:
    """A note draft cancelled at hang-up while its generation runs: the generation's later error is nobody's, and must
    not surface as asyncio's "Future exception was never retrieved" (or run at all, when it had not started)."""
    import gc

    scheduler = ModelScheduler()
    loop = asyncio.get_running_loop()
    unread: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: unread.append(context))
    running = threading.Event()

    def failing() -> None:
        running.set()
        time.sleep(0.2)
        raise RuntimeError("note model server unreachable")

    ran: list[str] = []
    draft = asyncio.create_task(scheduler.run(failing, priority=POST_CALL, lane=LLM, max_wait_ms=5000))
    queued = asyncio.create_task(scheduler.run(ran.append, "late draft", priority=POST_CALL, lane=LLM, max_wait_ms=5000))
    await loop.run_in_executor(None, running.wait, 2)
    draft.cancel()
    queued.cancel()
    for task in (draft, queued):
        with pytest.raises(asyncio.CancelledError):
            await task
    await asyncio.sleep(0.4)  # the running generation fails now, with no one awaiting it
    await scheduler.run(time.sleep, 0.01, lane=LLM)
    gc.collect()  # an unread exception is reported when its future is collected
    await asyncio.sleep(0)
    assert unread == [] and ran == []
    scheduler.shutdown()
