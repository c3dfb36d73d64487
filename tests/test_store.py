"""The call store on a real SQLite file: WAL, migrations, turns as they happen, orphan recovery, permissions."""

from __future__ import annotations

import sqlite3
import stat
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
