"""Where a call's personal data lives: its `calls` row and every table with a `call_id` column (turns, and any later
table such as outbound delivery logs), found from the schema so that purge, erasure and export never miss a new one."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any

# Tables that are about the system, not about a caller; the audit log keeps no transcript text and no full number.
NOT_PERSONAL = ("audit_log", "audit_head", "audit_purge_permit", "sqlite_sequence")


def tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").fetchall()
    return [r[0] for r in rows]


def columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(name, declared type) of each column."""
    return [(r[1], (r[2] or "").lower()) for r in conn.execute(f'pragma table_info("{table}")').fetchall()]


def call_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table that holds rows belonging to a call (turns first, as it is the biggest)."""
    found = [t for t in tables(conn) if t not in NOT_PERSONAL and t != "calls" and any(c == "call_id" for c, _ in columns(conn, t))]
    return sorted(found, key=lambda t: (t != "turns", t))


def text_columns(conn: sqlite3.Connection, *, personal_only: bool = True) -> list[tuple[str, str]]:
    """(table, column) of every column that can hold text."""
    out = []
    for table in tables(conn):
        if personal_only and table in NOT_PERSONAL:
            continue
        for name, kind in columns(conn, table):
            if kind in ("", "text") or "char" in kind or "clob" in kind:
                out.append((table, name))
    return out


def _placeholders(ids: Sequence[str]) -> str:
    return ",".join("?" * len(ids))


def rows_of_calls(conn: sqlite3.Connection, table: str, call_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not call_ids:
        return []
    cursor = conn.execute(f'select * from "{table}" where call_id in ({_placeholders(call_ids)}) order by rowid', list(call_ids))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def delete_calls(conn: sqlite3.Connection, call_ids: Sequence[str]) -> dict[str, int]:
    """Delete calls with every row that belongs to them; counts per table. The caller owns the transaction."""
    counts: dict[str, int] = {}
    for start in range(0, len(call_ids), 500):  # SQLite's limit on bound parameters
        chunk = list(call_ids[start : start + 500])
        for table in call_tables(conn):
            deleted = conn.execute(f'delete from "{table}" where call_id in ({_placeholders(chunk)})', chunk).rowcount
            counts[table] = counts.get(table, 0) + deleted
        counts["calls"] = counts.get("calls", 0) + conn.execute(f"delete from calls where id in ({_placeholders(chunk)})", chunk).rowcount
    return counts


def checkpoint(conn: sqlite3.Connection, attempts: int = 20) -> bool:
    """Move the WAL into the database file and truncate it to zero bytes, so deleted text is gone from the -wal file too.

    False if another connection kept reading the whole time (the daemon mid-query); the next write or purge retries.
    """
    for _ in range(attempts):
        busy, _log, _done = conn.execute("pragma wal_checkpoint(truncate)").fetchone()
        if busy == 0:
            return True
        time.sleep(0.05)
    return False
