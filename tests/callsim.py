"""Helpers for end-to-end tests: wait on the real call store and judge the pacing of received audio."""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

import numpy as np

from voicebridge.daemon import Daemon
from voicebridge.store.call_store import CallStore
from voicebridge.transport.audiosocket_client import AsteriskPeer, ReceivedFrame

_readers: weakref.WeakKeyDictionary[Daemon, CallStore] = weakref.WeakKeyDictionary()


def store_of(daemon: Daemon) -> CallStore:
    """The test's own connection to the daemon's database, as the CLI would open it.

    The daemon's connection belongs to its writer thread; reading through it from the test's loop thread races the
    writer's savepoints ("no such savepoint: sqlite_utils_query")."""
    reader = _readers.get(daemon)
    if reader is None:
        reader = _readers[daemon] = CallStore(daemon.config.database_path)
    return reader


async def wait_call_closed(daemon: Daemon, call_id: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = store_of(daemon).get_call(call_id)
        if row is not None and row["ended_at"]:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"call {call_id} was not closed within {timeout} s")


async def wait_note(daemon: Daemon, call_id: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = store_of(daemon).get_call(call_id)
        if row is not None and row["note"]:
            return str(row["note"])
        await asyncio.sleep(0.1)
    raise AssertionError(f"call {call_id} got no note within {timeout} s")


def caller_turns(daemon: Daemon, call_id: str) -> list[str]:
    return [t["text"] for t in store_of(daemon).turns(call_id) if t["role"] == "caller"]


def trimmed(pcm: bytes) -> bytes:
    """The speech without the synthesizer's trailing silence, so the pause the test adds is the pause the line carries."""
    samples = np.frombuffer(pcm, dtype="<i2")
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 500)
    return samples[: loud[-1] + 1].tobytes() if loud.size else pcm


def pacing(frames: list[ReceivedFrame]) -> tuple[float, float, int]:
    """(mean gap ms, max gap ms, frames that came in a burst <5 ms after the previous one)."""
    gaps = [(b.at - a.at) * 1000 for a, b in zip(frames, frames[1:], strict=False)]
    return sum(gaps) / len(gaps), max(gaps), sum(g < 5 for g in gaps)


async def greet_and_wait(peer: AsteriskPeer, timeout: float = 10.0) -> float:
    """Connect, wait for the greeting to start and finish; returns seconds until the greeting's first sound."""
    start = time.monotonic()
    await peer.connect()
    heard = await peer.wait_for_speech(start, timeout)
    assert heard is not None, "no greeting heard"
    assert await peer.wait_for_quiet(0.8, 20)
    return heard - start
