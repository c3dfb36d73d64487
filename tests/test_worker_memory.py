"""Flat memory in the model workers: the malloc arena cap really holds in a process with many threads, and the real
speech worker runs Whisper and Piper under it (benchmarks/worker_memory.py measures the growth it stops)."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_config
from voicebridge.config import parse_config
from voicebridge.errors import ConfigError
from voicebridge.models.malloc_tuning import glibc_malloc, trim_every
from voicebridge.models.worker import ModelWorker, _trim_when_idle

ROOT = Path(__file__).resolve().parents[1]
# Eight threads alive at once, each allocating: glibc gives each new thread an arena of its own up to its limit.
THREADS = """
import sys, threading
from voicebridge.models.malloc_tuning import glibc_malloc, trim_every
allocator = glibc_malloc()
allocator.limit_arenas(int(sys.argv[1]))
barrier = threading.Barrier(8)
kept = []
def work():
    barrier.wait()
    kept.append([bytearray(4096) for _ in range(200)])
threads = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print(allocator.arena_count(), allocator.trim())
"""


def _arenas_with(limit: int) -> tuple[int, str]:
    out = subprocess.run([sys.executable, "-c", THREADS, str(limit)], capture_output=True, text=True, timeout=60, cwd=ROOT, check=True)
    count, trimmed = out.stdout.split()
    return int(count), trimmed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator: Linux only")
def test_the_arena_cap_holds_with_eight_allocating_threads() -> None:
    uncapped, _ = _arenas_with(0)
    capped, trimmed = _arenas_with(2)
    assert uncapped > 2, f"without the cap glibc should give the threads more arenas ({uncapped}): the test cannot tell"
    assert 1 <= capped <= 2, capped
    assert trimmed in ("True", "False")  # malloc_trim ran (it says whether it found pages to give back)


def test_the_arena_cap_is_in_the_validated_config() -> None:
    assert parse_config({}).models.malloc_arena_max == 2 and parse_config({}).models.malloc_trim_interval_s > 0
    with pytest.raises(ConfigError):
        parse_config({"models": {"malloc_arena_max": -1}})


@pytest.mark.e2e
def test_the_real_speech_worker_keeps_to_two_arenas(tmp_path: Path) -> None:
    """Whisper (CTranslate2's thread pool) and Piper (onnxruntime's) both ran in the worker, and it still has two arenas;
    the same worker with glibc's default has more, so this is the setting doing it, not the workload."""
    counts = {}
    for limit in (2, 0):
        worker = ModelWorker(make_config(tmp_path, models={"malloc_arena_max": limit}), role="speech")
        worker.start()
        try:
            speech = worker.tts.synthesize("Hello, my heating stopped working this morning.", "en", 8000)
            heard = worker.stt.transcribe(speech.pcm, 8000, "en")
            # The worker's voice is the shipped, varied one (Piper's noise is unseeded), so Whisper may hear "eating":
            # the point is that both models ran, so most of the sentence must come back, not one given word.
            words = set(heard.text.lower().replace(",", " ").replace(".", " ").split())
            assert len(words & {"hello", "my", "heating", "stopped", "working", "this", "morning"}) >= 5, heard.text
            counts[limit] = worker.call("malloc.arenas")
        finally:
            worker.stop()
    assert 1 <= counts[2] <= 2, counts
    assert counts[0] > 2, counts


def test_the_idle_trim_waits_for_its_interval_and_never_for_a_waiting_job() -> None:
    allocator = glibc_malloc()
    assert allocator is not None, "glibc expected on this Linux machine"
    ours, theirs = multiprocessing.Pipe()
    try:
        long_ago = time.monotonic() - 60
        assert _trim_when_idle(allocator, theirs, 30.0, long_ago) > long_ago  # idle and due: trimmed now
        recent = time.monotonic() - 1
        assert _trim_when_idle(allocator, theirs, 30.0, recent) == recent  # not due yet
        assert _trim_when_idle(allocator, theirs, 30.0, recent, job_s=5.0) > recent  # after a long job (a note): at once
        assert _trim_when_idle(allocator, theirs, 0.0, long_ago, job_s=5.0) == long_ago  # off means off
        assert _trim_when_idle(allocator, theirs, 0.0, long_ago) == long_ago  # switched off
        ours.send(("stt.transcribe", ()))
        assert _trim_when_idle(allocator, theirs, 30.0, long_ago) == long_ago  # a request waits: it goes first
        assert _trim_when_idle(allocator, theirs, 30.0, long_ago, job_s=5.0) == long_ago  # even after a long job
    finally:
        ours.close()
        theirs.close()


async def test_the_daemon_trims_its_heap_every_interval_from_a_thread() -> None:
    """`voicebridge serve` hands its free heap back on a timer (it has no idle moments to wait for), never on the loop."""
    import asyncio
    import threading

    class Counting:
        def __init__(self) -> None:
            self.threads: list[str] = []

        def trim(self) -> bool:
            self.threads.append(threading.current_thread().name)
            return True

    allocator = Counting()
    task = asyncio.create_task(trim_every(allocator, 0.05))  # type: ignore[arg-type]
    await asyncio.sleep(0.33)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert 3 <= len(allocator.threads) <= 7, allocator.threads
    assert threading.current_thread().name not in allocator.threads
    trimmed = len(allocator.threads)
    await asyncio.wait_for(trim_every(allocator, 0.0), 1)  # 0 switches it off: returns at once, trims nothing  # type: ignore[arg-type]
    assert len(allocator.threads) == trimmed
