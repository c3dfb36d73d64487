"""The audit log: who read, exported, erased or purged what and when, one hash chain per tenant.

Append-only (SQLite triggers refuse updates and deletes outside the retention purge); `verify` finds any edited, removed or added entry.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from voicebridge.store.call_store import utc_now

GENESIS = "0" * 64


def current_actor(via: str = "cli") -> str:
    """Who is acting: the OS account (sudo's caller when run through sudo), and the way in."""
    try:
        user = os.environ.get("SUDO_USER") or getpass.getuser()
    except (KeyError, OSError):
        user = f"uid{os.getuid()}"
    return f"{via}:{user}"


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    tenant: str
    actor: str
    action: str  # read | export | erase | purge | backup | restore
    target: str  # what was touched: a call id, "calls list", a masked phone number
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    tenant: str
    entries: int
    first_seq: int | None
    head: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def entry_hash(prev_hash: str, seq: int, at: str, tenant: str, actor: str, action: str, target: str, detail: str) -> str:
    payload = json.dumps([prev_hash, seq, at, tenant, actor, action, target, detail], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@contextmanager
def write_transaction(conn: sqlite3.Connection, commit: bool = True) -> Iterator[None]:
    """BEGIN IMMEDIATE: take the write lock first, so a read-then-write (the chain head) cannot race another process.

    commit=False rolls everything back at the end: a dry run sees exactly what the real run would do.
    """
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    if commit:
        conn.commit()
    else:
        conn.rollback()


class AuditLog:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def append(self, tenant: str, actor: str, action: str, target: str, detail: dict[str, Any] | None = None) -> AuditEntry:
        with write_transaction(self.conn):
            return self.append_in_transaction(tenant, actor, action, target, detail)

    def append_in_transaction(self, tenant: str, actor: str, action: str, target: str, detail: dict[str, Any] | None = None) -> AuditEntry:
        """For callers that already hold the write transaction (the purge records its counts atomically with the deletes)."""
        detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        head = self.conn.execute("select hash from audit_head where tenant = ?", [tenant]).fetchone()
        prev_hash = head[0] if head else GENESIS
        at = utc_now()
        # Inside BEGIN IMMEDIATE nobody else inserts, so the next number is known before the row (and its hash) is written.
        seq = 1 + int(
            self.conn.execute(
                "select max(coalesce((select seq from sqlite_sequence where name = 'audit_log'), 0), coalesce((select max(seq) from audit_log), 0))"
            ).fetchone()[0]
        )
        digest = entry_hash(prev_hash, seq, at, tenant, actor, action, target, detail_json)
        self.conn.execute(
            "insert into audit_log (seq, at, tenant, actor, action, target, detail, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [seq, at, tenant, actor, action, target, detail_json, prev_hash, digest],
        )
        self.conn.execute("insert or replace into audit_head (tenant, seq, hash) values (?, ?, ?)", [tenant, seq, digest])
        return AuditEntry(seq, at, tenant, actor, action, target, detail or {}, prev_hash, digest)

    def entries(self, tenant: str, limit: int | None = None) -> list[AuditEntry]:
        sql = "select * from audit_log where tenant = ? order by seq"
        rows = self.conn.execute(sql, [tenant]).fetchall()
        cols = [c[0] for c in self.conn.execute("select * from audit_log limit 0").description]
        entries = []
        for row in rows:
            data = dict(zip(cols, row, strict=True))
            data["detail"] = json.loads(data["detail"])
            entries.append(AuditEntry(**data))
        return entries[-limit:] if limit else entries

    def tenants(self) -> list[str]:
        rows = self.conn.execute("select tenant from audit_head union select distinct tenant from audit_log order by 1").fetchall()
        return [r[0] for r in rows]

    def verify(self, tenant: str) -> ChainReport:
        """Recompute every hash and link; the first entry links to the genesis or to the anchor its last purge recorded."""
        problems: list[str] = []
        rows = self.conn.execute(
            "select seq, at, tenant, actor, action, target, detail, prev_hash, hash from audit_log where tenant = ? order by seq", [tenant]
        ).fetchall()
        head = self.conn.execute("select seq, hash from audit_head where tenant = ?", [tenant]).fetchone()
        expected_prev: str | None = None
        anchor = _purge_anchor(rows)
        for seq, at, row_tenant, actor, action, target, detail, prev_hash, digest in rows:
            if entry_hash(prev_hash, seq, at, row_tenant, actor, action, target, detail) != digest:
                problems.append(f"entry {seq} was altered: its content does not match its hash")
            if expected_prev is None:
                if prev_hash not in (GENESIS, anchor):
                    problems.append(f"entry {seq} is the first one kept but links to no purge anchor: earlier entries were removed")
            elif prev_hash != expected_prev:
                problems.append(f"entry {seq} does not link to the entry before it: an entry was removed, inserted or altered")
            expected_prev = digest
        if rows:
            if head is None or head[0] != rows[-1][0] or head[1] != rows[-1][-1]:
                problems.append(f"the chain head does not match entry {rows[-1][0]}: newer entries were removed or the head was changed")
        elif head is not None:
            problems.append(f"the chain head names entry {head[0]} but the log of tenant {tenant!r} is empty: entries were removed")
        return ChainReport(tenant, len(rows), rows[0][0] if rows else None, head[1] if head else GENESIS, tuple(problems))


def _purge_anchor(rows: list[Any]) -> str | None:
    """The hash of the last entry the newest purge removed, as that purge recorded it."""
    for row in reversed(rows):
        if row[4] == "purge":
            anchor = json.loads(row[6]).get("audit_log_anchor")
            if anchor:
                return str(anchor)
    return None
