"""Schema versions, applied in order and recorded in PRAGMA user_version."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlite_utils import Database


def _v1(db: Database) -> None:
    db.table("calls").create(
        {
            "id": str,
            "transport": str,
            "started_at": str,
            "ended_at": str,
            "duration_s": float,
            "caller_number": str,
            "called_number": str,
            "channel": str,
            "language": str,
            "sample_rate": int,
            "end_reason": str,
            "end_detail": str,
            "note": str,
            "audio_stats": str,
        },
        pk="id",
        not_null={"started_at", "transport"},
    )
    db.table("turns").create(
        {
            "id": int,
            "call_id": str,
            "seq": int,
            "role": str,
            "text": str,
            "started_at": str,
            "ended_at": str,
            "offset_ms": int,
            "duration_ms": int,
            "timings": str,
            "interrupted": int,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "seq", "role"},
    )
    db.table("turns").create_index(["call_id", "seq"], unique=True)
    db.table("calls").create_index(["started_at"])


MIGRATIONS: list[Callable[[Database], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: Database) -> int:
    """Bring the schema up to date; refuses a database written by a newer voicebridge."""
    conn: sqlite3.Connection = db.conn
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"database schema version {current} is newer than this voicebridge ({SCHEMA_VERSION})")
    for version in range(current, SCHEMA_VERSION):
        with conn:
            MIGRATIONS[version](db)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return SCHEMA_VERSION
