"""The web app's connections to the call database: one short-lived connection per request, beside the daemon's writer.

WAL mode lets these read while the daemon writes a call; writes take the lock with BEGIN IMMEDIATE and wait for it (busy timeout).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from voicebridge.store.call_store import CallStore

BUSY_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class WebDatabase:
    path: Path

    @classmethod
    def open(cls, path: Path) -> WebDatabase:
        """Create or migrate the schema once (the daemon does the same at its start), then hand out connections."""
        CallStore(path).close()
        return cls(path)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")
            yield conn
        finally:
            conn.close()


def rows(conn: sqlite3.Connection, sql: str, params: list[object] | tuple[object, ...] = ()) -> list[dict[str, object]]:
    return [dict(r) for r in conn.execute(sql, list(params)).fetchall()]
