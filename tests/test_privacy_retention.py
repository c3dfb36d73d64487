"""Retention: cut-offs per data kind, the purge on a real SQLite file (also while calls are being written), its audit
entry, and the daemon's scheduled purge."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.privacy_helpers import add_call, raw_bytes
from voicebridge.config import RetentionConfig, parse_config
from voicebridge.privacy.audit_log import AuditLog
from voicebridge.privacy.purge import PurgeSchedule, purge_all, purge_tenant
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.privacy.retention import cutoffs, is_due, stamp
from voicebridge.store.call_store import CallStore, StoreWriter

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
RULES = RetentionConfig(recordings_days=1, transcripts_days=10, notes_days=20, metadata_days=30, audit_log_days=40)


def days_ago(days: float) -> str:
    return stamp(NOW - timedelta(days=days))


def test_cutoffs_per_kind_and_open_calls_never_due() -> None:
    cut = cutoffs(RULES, NOW)
    assert cut.recordings == "2026-11-24T12:00:00.000+00:00"
    assert cut.metadata == "2026-10-26T12:00:00.000+00:00"
    assert is_due(days_ago(31), cut.metadata) and not is_due(days_ago(29), cut.metadata)
    assert not is_due(None, cut.recordings) and not is_due("", cut.recordings)


@pytest.fixture
def store(tmp_path: Path) -> CallStore:
    return CallStore(tmp_path / "calls.db")


def test_each_kind_is_purged_at_its_own_age(store: CallStore, tmp_path: Path) -> None:
    recordings = RecordingStore(tmp_path / "recordings", None)
    note = {"name": "Erika Muster", "concern": "NOTE-MARKER-15"}
    for cid, age in (("d05", 5), ("d15", 15), ("d25", 25), ("d35", 35)):
        add_call(store, cid, caller="+49301234567", texts=(f"TURN-MARKER-{age}",), note=note, started=days_ago(age), ended=days_ago(age), recording="on")
        rec = recordings.start("default", cid, 8000)
        rec.write(bytes(1600))
        rec.close()
    add_call(store, "open", texts=("still talking",), started=days_ago(100), ended=None)  # in progress: untouchable
    result = purge_tenant(store.db.conn, recordings, RULES, "default", "daemon", now=NOW)
    assert {k: result.counts[k] for k in ("calls", "turns", "notes", "recordings", "audit_log")} == {
        "calls": 1, "turns": 3, "notes": 1, "recordings": 4, "audit_log": 0}
    remaining = {r["id"]: r for r in store.list_calls(10)}
    assert set(remaining) == {"d05", "d15", "d25", "open"}
    assert [len(store.turns(c)) for c in ("d05", "d15", "d25", "open")] == [1, 0, 0, 1]
    assert remaining["d05"]["note"] and remaining["d15"]["note"] and remaining["d25"]["note"] is None
    assert remaining["d05"]["recording"] == "purged"  # the call row says its recording is gone
    assert list(recordings.files()) == []
    entry = AuditLog(store.db.conn).entries("default")[-1]
    assert entry.action == "purge" and entry.actor == "daemon" and entry.detail["deleted"] == result.counts
    # secure_delete and the checkpoint: purged transcript text is not left in the file's free space or the WAL
    data = raw_bytes(store.path)
    assert b"TURN-MARKER-35" not in data and b"TURN-MARKER-25" not in data and b"TURN-MARKER-5" in data


def test_dry_run_changes_nothing(store: CallStore, tmp_path: Path) -> None:
    add_call(store, "old", texts=("x",), started=days_ago(99), ended=days_ago(99))
    result = purge_tenant(store.db.conn, RecordingStore(tmp_path / "r", None), RULES, "default", "cli:alice", now=NOW, dry_run=True)
    assert result.dry_run and result.counts["calls"] == 1
    assert store.get_call("old") is not None and AuditLog(store.db.conn).entries("default") == []


def test_purge_is_scoped_to_one_tenant(store: CallStore, tmp_path: Path) -> None:
    add_call(store, "a1", tenant="a", started=days_ago(99), ended=days_ago(99))
    add_call(store, "b1", tenant="b", started=days_ago(99), ended=days_ago(99))
    purge_tenant(store.db.conn, RecordingStore(tmp_path / "r", None), RULES, "a", "cli:alice", now=NOW)
    assert store.get_call("a1") is None and store.get_call("b1") is not None
    assert AuditLog(store.db.conn).entries("b") == []


def test_old_audit_entries_are_purged_and_the_chain_still_verifies(store: CallStore, tmp_path: Path) -> None:
    audit = AuditLog(store.db.conn)
    for i in range(3):
        audit.append("default", "cli:alice", "read", f"call-{i}")
    later = datetime.now(UTC) + timedelta(days=RULES.audit_log_days + 1)  # all three entries are now past retention
    result = purge_tenant(store.db.conn, RecordingStore(tmp_path / "r", None), RULES, "default", "daemon", now=later)
    assert result.counts["audit_log"] == 3
    entries = audit.entries("default")
    assert [e.action for e in entries] == ["purge"]
    report = audit.verify("default")
    assert report.ok, report.problems
    # Removing entries by hand (no purge recorded them) is still caught.
    audit.append("default", "cli:alice", "read", "call-9")
    conn = store.db.conn
    conn.execute("drop trigger audit_log_no_delete")
    conn.execute("delete from audit_log where action = 'purge'")
    conn.commit()
    assert any("links to no purge anchor" in p for p in audit.verify("default").problems)


def test_purge_while_calls_are_being_written(tmp_path: Path) -> None:
    """A writer thread (the daemon's connection) keeps adding expired and fresh calls while purges run on another."""
    db = tmp_path / "calls.db"
    writer_store = CallStore(db)
    purger_store = CallStore(db)
    recordings = RecordingStore(tmp_path / "recordings", None)
    stop = threading.Event()
    written: dict[str, list[str]] = {"expired": [], "fresh": []}
    errors: list[BaseException] = []

    def write_calls() -> None:
        i = 0
        try:
            while not stop.is_set():
                kind = "expired" if i % 2 else "fresh"
                ended = days_ago(365) if kind == "expired" else stamp(datetime.now(UTC))
                add_call(writer_store, f"{kind}-{i}", caller="+4930111", texts=(f"hello {i}", "answer", "more"), started=ended, ended=ended)
                written[kind].append(f"{kind}-{i}")
                i += 1
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=write_calls)
    thread.start()
    purged_calls = 0
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        purged_calls += purge_tenant(purger_store.db.conn, recordings, RULES, "default", "daemon", now=NOW).counts["calls"]
        time.sleep(0.01)
    stop.set()
    thread.join()
    purged_calls += purge_tenant(purger_store.db.conn, recordings, RULES, "default", "daemon", now=NOW).counts["calls"]
    assert not errors, errors
    assert len(written["expired"]) > 20, "the writer was starved"
    assert purged_calls == len(written["expired"])
    ids = {r["id"] for r in writer_store.list_calls(100000)}
    assert ids == set(written["fresh"])
    assert all(len(writer_store.turns(cid)) == 3 for cid in written["fresh"][:50])  # nothing of a kept call was touched
    audited = sum(e.detail["deleted"]["calls"] for e in AuditLog(purger_store.db.conn).entries("default") if e.action == "purge")
    assert audited == purged_calls
    assert AuditLog(purger_store.db.conn).verify("default").ok


async def test_the_daemon_schedule_purges_every_tenant_and_stops_cleanly(tmp_path: Path) -> None:
    config = parse_config({
        "storage": {"database": str(tmp_path / "calls.db")},
        "retention": {"purge_interval_s": 1},
        "tenants": [{"id": "praxis", "name": "Praxis Weber", "numbers": ["+49301111"]}],
    })
    store = CallStore(config.database_path)
    add_call(store, "old-default", started=days_ago(999), ended=days_ago(999))
    add_call(store, "old-praxis", tenant="praxis", started=days_ago(999), ended=days_ago(999))
    add_call(store, "old-removed", tenant="gone", started=days_ago(999), ended=days_ago(999))  # tenant no longer configured
    writer = StoreWriter(store)
    schedule = PurgeSchedule(writer, RecordingStore.from_config(config), config)
    schedule.start()
    for _ in range(100):  # up to 5 s
        if schedule.runs >= 2:
            break
        await asyncio.sleep(0.05)
    await schedule.stop()
    assert schedule.runs >= 2  # at start and again after the interval
    assert store.list_calls(10) == []
    audit = AuditLog(store.db.conn)
    assert {t: audit.entries(t)[0].detail["deleted"]["calls"] for t in ("default", "praxis", "gone")} == {"default": 1, "praxis": 1, "gone": 1}
    await writer.close()


def test_purge_all_is_what_the_daemon_runs(tmp_path: Path) -> None:
    config = parse_config({"storage": {"database": str(tmp_path / "calls.db")}})
    store = CallStore(config.database_path)
    add_call(store, "x", started=days_ago(999), ended=days_ago(999))
    assert [r.counts["calls"] for r in purge_all(store, RecordingStore.from_config(config), config)] == [1]
    assert os.stat(config.database_path).st_mode & 0o077 == 0
