"""The call store on a real SQLite file: WAL, migrations, turns as they happen, orphan recovery, permissions."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from voicebridge.errors import StoreError
from voicebridge.store.call_store import CallClosed, CallOpened, CallStore, StoreWriter, TurnRecord
from voicebridge.store.migrations import SCHEMA_VERSION


def turn(call_id: str, seq: int, text: str) -> TurnRecord:
    return TurnRecord(call_id, seq, "caller", text, "2026-11-25T10:00:00.000+00:00", "2026-11-25T10:00:02.000+00:00", 100, 2000, {"stt_ms": 900.0})


def test_schema_wal_and_permissions(tmp_path: Path) -> None:
    db_path = tmp_path / "sub" / "calls.db"
    store = CallStore(db_path)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    store.close()
    CallStore(db_path).close()  # reopening does not re-run migrations


def test_turns_are_visible_to_another_connection_at_once(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    store.open_call(CallOpened("c1", "audiosocket", "de", 8000, started_at="2026-11-25T10:00:00.000+00:00"))
    store.add_turn(turn("c1", 1, "Die Heizung ist kaputt"))
    # A second process (the CLI, or the daemon after a crash) sees it without any close.
    other = sqlite3.connect(tmp_path / "calls.db")
    assert other.execute("select text from turns where call_id='c1'").fetchone()[0] == "Die Heizung ist kaputt"
    store.close_call(CallClosed("c1", "caller_hangup", ended_at="2026-11-25T10:00:30.000+00:00"))
    row = store.get_call("c1")
    assert row is not None and row["duration_s"] == 30.0 and row["end_reason"] == "caller_hangup"


def test_orphaned_calls_are_closed_keeping_their_turns(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    store.open_call(CallOpened("c2", "audiosocket", "de", 8000, started_at="2026-11-25T10:00:00.000+00:00"))
    store.add_turn(turn("c2", 1, "Hallo"))
    store.close()
    reopened = CallStore(tmp_path / "calls.db")
    assert reopened.close_orphans() == 1
    row = reopened.get_call("c2")
    assert row is not None and row["end_reason"] == "daemon_restart" and row["ended_at"] == "2026-11-25T10:00:02.000+00:00"
    assert [t["text"] for t in reopened.turns("c2")] == ["Hallo"]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this voicebridge"):
        CallStore(path)


def test_unopenable_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot be opened"):
        CallStore(tmp_path / "file" / "calls.db")


def test_find_call_by_unique_prefix(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    for cid in ("abc-1", "abd-2"):
        store.open_call(CallOpened(cid, "audiosocket", "de", 8000))
    found = store.find_call("abc")
    assert found is not None and found["id"] == "abc-1"
    assert store.find_call("ab") is None


async def test_failed_write_is_kept_and_retried(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    writer = StoreWriter(store)
    await writer.submit(store.open_call, CallOpened("c3", "audiosocket", "de", 8000))
    # A write that fails like a full disk does: the record waits in the backlog.
    store.db.execute("PRAGMA query_only = ON")
    assert await writer.submit(store.add_turn, turn("c3", 1, "kept")) is False
    assert writer.backlog == 1
    store.db.execute("PRAGMA query_only = OFF")
    assert await writer.submit(store.add_turn, turn("c3", 2, "later")) is True
    assert [t["text"] for t in store.turns("c3")] == ["kept", "later"]
    await writer.close()


async def test_a_refused_write_never_blocks_the_others(tmp_path: Path) -> None:
    """A reused call id (UNIQUE constraint) is refused for good: logged and dropped, and the writes behind it land."""
    store = CallStore(tmp_path / "calls.db")
    writer = StoreWriter(store)
    assert await writer.submit(store.open_call, CallOpened("c1", "audiosocket", "de", 8000)) is True
    assert await writer.submit(store.open_call, CallOpened("c1", "audiosocket", "de", 8000)) is False
    writer.write(store.open_call, CallOpened("c2", "audiosocket", "de", 8000))
    assert await writer.submit(store.add_turn, turn("c2", 1, "after the refused one")) is True
    assert writer.backlog == 0 and writer.dropped == 1
    assert [t["text"] for t in store.turns("c2")] == ["after the refused one"]
    assert store.has_call("c1") and store.has_call("c2") and not store.has_call("c3")
    await writer.close()


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


async def hold_exclusive_lock(path: Path, seconds: float) -> asyncio.subprocess.Process:
    """Another process (as a backup tool or a careless sqlite3 shell would) holds an exclusive lock on the database."""
    locker = await asyncio.create_subprocess_exec(sys.executable, "-c", LOCKER, str(path), str(seconds), stdout=asyncio.subprocess.PIPE)
    assert locker.stdout is not None and (await locker.stdout.readline()).strip() == b"locked"
    return locker


async def test_writes_queue_behind_another_process_lock_and_all_land(tmp_path: Path) -> None:
    """Another process holds an exclusive lock: `write` returns at once (the caller never waits), reads of whether a
    call exists still answer (WAL), and every queued write is stored in order once the lock goes."""
    path = tmp_path / "calls.db"
    store = CallStore(path)
    writer = StoreWriter(store, retry_s=0.05, max_retry_s=0.5)
    await writer.submit(store.open_call, CallOpened("c1", "audiosocket", "de", 8000))
    locker = await hold_exclusive_lock(path, 4)
    try:
        for seq in range(1, 21):
            writer.write(store.add_turn, turn("c1", seq, f"turn {seq}"))  # returns without waiting on the lock
        assert store.has_call("c1")  # a separate reader is not held up by the lock
        assert locker.returncode is None and writer.backlog > 0  # the lock is still held: nothing could be written yet
        await locker.wait()
        for _ in range(200):
            if writer.backlog == 0:
                break
            await asyncio.sleep(0.05)
        assert writer.backlog == 0
        assert [t["text"] for t in store.turns("c1")] == [f"turn {seq}" for seq in range(1, 21)]
    finally:
        if locker.returncode is None:
            locker.kill()
        await writer.close()
