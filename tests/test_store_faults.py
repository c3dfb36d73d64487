"""The database failing under live calls, through the real daemon with four calls up: another process holding an
exclusive lock for 15 s, and the disk filling up (a real, tiny tmpfs). Calls go on at once, nothing is lost, and the
turns land afterwards."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.callsim import greet_and_wait, wait_call_closed
from tests.conftest import DaemonFactory
from tests.test_store import hold_exclusive_lock
from voicebridge.daemon import Daemon
from voicebridge.transport.audiosocket_client import AsteriskPeer


def caller_texts(db: Path, call_id: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("select text from turns where call_id = ? and role = 'caller'", [call_id])]
    finally:
        conn.close()


async def talk(daemon: Daemon, speech: bytes) -> AsteriskPeer:
    """A call that is greeted, says one sentence and hears the reply begin."""
    assert daemon.audiosocket is not None
    peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
    await greet_and_wait(peer, timeout=10)
    sent = await peer.say(speech)
    assert await peer.wait_for_speech(sent.last_sample_at, 30) is not None, "no reply while the database was unavailable"
    return peer


LOAD_CALLS = 4  # the faults below hit a daemon with this many calls up at once, not an idle one


async def test_an_exclusive_lock_held_15_s_delays_no_call_and_loses_nothing(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    daemon = await start_daemon()
    db = daemon.config.database_path
    locker = await hold_exclusive_lock(db, 15)
    try:
        # Every call is greeted and answered while the lock is held.
        peers = await asyncio.gather(*(talk(daemon, say("My heating is broken.")) for _ in range(LOAD_CALLS)))
        assert locker.returncode is None, "the calls only went on after the lock was released"
        for peer in peers:
            await peer.hang_up()
        assert all(caller_texts(db, peer.call_id) == [] for peer in peers)  # nothing could be written yet ...
    finally:
        await locker.wait()
    for peer in peers:  # ... and all of it once the lock is gone
        row = await wait_call_closed(daemon, peer.call_id, timeout=60)
        assert row["end_reason"] == "caller_hangup"
        assert any("heating" in t.lower() for t in caller_texts(db, peer.call_id)), peer.call_id


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB filesystem for the database (tmpfs; mounting needs root, as the CI container has)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=700", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"this test mounts a tmpfs and needs root: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(bytes(64 * 1024))
                out.flush()
                os.fsync(out.fileno())
        except OSError:
            pass
    return filler


async def test_a_full_disk_keeps_calls_going_and_writes_the_turns_when_space_returns(
        start_daemon: DaemonFactory, say: Callable[..., bytes], tiny_disk: Path, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    daemon = await start_daemon(storage={"database": str(tiny_disk / "calls.db")})
    db = daemon.config.database_path
    filler = fill(tiny_disk)
    peers = await asyncio.gather(*(talk(daemon, say("My heating is broken.")) for _ in range(LOAD_CALLS)))  # answered on a full disk
    for peer in peers:
        await peer.hang_up()
    for _ in range(100):  # the writer's first attempt, on its own thread
        if "database or disk is full" in caplog.text:
            break
        await asyncio.sleep(0.1)
    assert "call store write failed (database or disk is full)" in caplog.text  # one clear line
    filler.unlink()  # space returns
    for peer in peers:
        row = await wait_call_closed(daemon, peer.call_id, timeout=60)
        assert row["end_reason"] == "caller_hangup"
        assert any("heating" in t.lower() for t in caller_texts(db, peer.call_id)), peer.call_id
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.close()
