"""The audit log: a hash chain per tenant that `verify` checks, append-only by trigger, safe under concurrent appends."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from voicebridge.privacy.audit_log import GENESIS, AuditLog, entry_hash
from voicebridge.store.call_store import CallStore


@pytest.fixture
def store(tmp_path: Path) -> CallStore:
    return CallStore(tmp_path / "calls.db")


def fill(audit: AuditLog, n: int, tenant: str = "default") -> None:
    for i in range(n):
        audit.append(tenant, "cli:alice", "read", f"call-{i}", {"turns": i})


def test_entries_form_a_chain_that_verifies(store: CallStore) -> None:
    audit = AuditLog(store.db.conn)
    fill(audit, 3)
    entries = audit.entries("default")
    assert [e.target for e in entries] == ["call-0", "call-1", "call-2"]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    e = entries[1]
    assert e.hash == entry_hash(e.prev_hash, e.seq, e.at, e.tenant, e.actor, e.action, e.target, '{"turns": 1}')
    report = audit.verify("default")
    assert report.ok and report.entries == 3 and report.head == entries[-1].hash


def _tamper(db: Path, sql: str, args: list[object]) -> None:
    """What someone with write access to the file could do: bypass the trigger and change a row."""
    conn = sqlite3.connect(db)
    conn.execute("drop trigger if exists audit_log_no_update")
    conn.execute("drop trigger if exists audit_log_no_delete")
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def test_an_edited_entry_is_named(store: CallStore) -> None:
    audit = AuditLog(store.db.conn)
    fill(audit, 4)
    victim = audit.entries("default")[2].seq
    _tamper(store.path, "update audit_log set target = 'someone-else' where seq = ?", [victim])
    report = audit.verify("default")
    assert not report.ok
    assert report.problems == (f"entry {victim} was altered: its content does not match its hash",)


def test_a_removed_entry_and_a_removed_newest_entry_are_noticed(store: CallStore) -> None:
    audit = AuditLog(store.db.conn)
    fill(audit, 5)
    seqs = [e.seq for e in audit.entries("default")]
    _tamper(store.path, "delete from audit_log where seq = ?", [seqs[2]])
    problems = audit.verify("default").problems
    assert problems == (f"entry {seqs[3]} does not link to the entry before it: an entry was removed, inserted or altered",)
    _tamper(store.path, "delete from audit_log where seq = ?", [seqs[4]])  # the newest: no successor to break
    assert any("chain head does not match" in p for p in audit.verify("default").problems)


def test_rehashing_an_edited_entry_still_breaks_the_link(store: CallStore) -> None:
    audit = AuditLog(store.db.conn)
    fill(audit, 3)
    e = audit.entries("default")[1]
    forged = entry_hash(e.prev_hash, e.seq, e.at, e.tenant, e.actor, e.action, "forged", '{"turns": 1}')
    _tamper(store.path, "update audit_log set target = 'forged', hash = ? where seq = ?", [forged, e.seq])
    problems = audit.verify("default").problems
    assert problems and f"entry {e.seq + 1} does not link" in problems[0]


def test_triggers_refuse_update_and_delete(store: CallStore) -> None:
    audit = AuditLog(store.db.conn)
    fill(audit, 1)
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("update audit_log set actor = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("delete from audit_log")
    assert audit.verify("default").ok


def test_tenants_have_separate_chains(store: CallStore) -> None:
    audit = AuditLog(store.db.conn)
    fill(audit, 2, "a")
    fill(audit, 2, "b")
    assert [e.tenant for e in audit.entries("a")] == ["a", "a"]
    assert audit.entries("b")[0].prev_hash == GENESIS
    _tamper(store.path, "update audit_log set detail = '{}' where tenant = 'a'", [])
    assert not audit.verify("a").ok and audit.verify("b").ok
    assert audit.tenants() == ["a", "b"]


def test_concurrent_appends_from_two_processes_keep_one_chain(tmp_path: Path) -> None:
    first = CallStore(tmp_path / "calls.db")
    second = CallStore(tmp_path / "calls.db")  # as the daemon and a CLI command each have their own connection
    errors: list[BaseException] = []

    def append(store: CallStore, who: str) -> None:
        try:
            for i in range(40):
                AuditLog(store.db.conn).append("default", who, "read", f"{who}-{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(s, w)) for s, w in ((first, "daemon"), (second, "cli:bob"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = AuditLog(first.db.conn).verify("default")
    assert report.ok, report.problems
    assert report.entries == 80


def test_a_v1_database_is_migrated_with_its_calls_in_the_default_tenant(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from voicebridge.store.migrations import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "calls.db"
    old = Database(path)
    MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old.execute("insert into calls (id, transport, started_at) values ('v1-call', 'audiosocket', '2026-01-01T00:00:00.000+00:00')")
    old.conn.commit()
    old.conn.close()
    store = CallStore(path)
    row = store.get_call("v1-call")
    assert row is not None and (row["tenant"], row["recording"]) == ("default", "off")
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert AuditLog(store.db.conn).verify("default").ok
