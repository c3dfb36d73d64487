"""Calls and turns in SQLite through sqlite-utils, in WAL mode, each write committed at once.

The daemon reaches it through `StoreWriter`, which owns the connection on one thread so the event loop never waits on disk.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from voicebridge.errors import StoreError
from voicebridge.store.migrations import migrate

log = logging.getLogger(__name__)
T = TypeVar("T")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class CallOpened:
    call_id: str
    transport: str
    language: str
    sample_rate: int
    caller_number: str | None = None
    called_number: str | None = None
    channel: str | None = None
    started_at: str = field(default_factory=utc_now)
    tenant: str = "default"  # the business the dialled number belongs to (config [[tenants]])
    recording: str = "off"  # off | on (caller audio is being recorded) | refused


@dataclass(frozen=True)
class TurnRecord:
    call_id: str
    seq: int
    role: str  # "caller" | "agent"
    text: str
    started_at: str
    ended_at: str
    offset_ms: int  # from call start
    duration_ms: int
    timings: dict[str, float]
    interrupted: bool = False


@dataclass(frozen=True)
class CallClosed:
    call_id: str
    end_reason: str
    end_detail: str = ""
    audio_stats: dict[str, Any] = field(default_factory=dict)
    ended_at: str = field(default_factory=utc_now)


class CallStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            created = not path.exists()
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
            if created:
                os.chmod(path, 0o600)
            self.db = Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            # Deleted rows (purge, erasure) are overwritten with zeros, so their text does not linger in free space.
            self.db.execute("PRAGMA secure_delete=ON")
            migrate(self.db)
        except (sqlite3.Error, OSError, RuntimeError) as exc:
            raise StoreError(
                f"call database {path} cannot be opened ({exc}); fix: check storage.database, its directory's permissions and free disk space"
            ) from None

    def close(self) -> None:
        self.db.conn.close()

    def open_call(self, call: CallOpened) -> None:
        self.db.table("calls").insert(
            {
                "id": call.call_id,
                "transport": call.transport,
                "started_at": call.started_at,
                "caller_number": call.caller_number,
                "called_number": call.called_number,
                "channel": call.channel,
                "language": call.language,
                "sample_rate": call.sample_rate,
                "tenant": call.tenant,
                "recording": call.recording,
            },
            replace=False,
        )

    def add_turn(self, turn: TurnRecord) -> None:
        self.db.table("turns").insert(
            {
                "call_id": turn.call_id,
                "seq": turn.seq,
                "role": turn.role,
                "text": turn.text,
                "started_at": turn.started_at,
                "ended_at": turn.ended_at,
                "offset_ms": turn.offset_ms,
                "duration_ms": turn.duration_ms,
                "timings": json.dumps(turn.timings),
                "interrupted": int(turn.interrupted),
            }
        )

    def finish_turn(self, call_id: str, seq: int, ended_at: str, duration_ms: int, interrupted: bool, text: str | None = None) -> None:
        """Close an agent turn; an interrupted one keeps only the words that were really played."""
        self.db.execute(
            "update turns set ended_at = ?, duration_ms = ?, interrupted = ?, text = coalesce(?, text) where call_id = ? and seq = ?",
            [ended_at, duration_ms, int(interrupted), text, call_id, seq],
        )
        self.db.conn.commit()

    def close_call(self, closed: CallClosed) -> None:
        row = self.get_call(closed.call_id)
        if row is None:
            raise StoreError(f"call {closed.call_id} was never opened")
        started = datetime.fromisoformat(row["started_at"])
        duration = (datetime.fromisoformat(closed.ended_at) - started).total_seconds()
        self.db.table("calls").update(
            closed.call_id,
            {
                "ended_at": closed.ended_at,
                "duration_s": round(duration, 3),
                "end_reason": closed.end_reason,
                "end_detail": closed.end_detail,
                "audio_stats": json.dumps(closed.audio_stats),
            },
        )

    def set_note(self, call_id: str, note_json: str, source: str = "") -> None:
        """`source`: who wrote the note ("parsers", "parsers+qwen2.5-coder-1.5b", or why the model's part is missing)."""
        self.db.table("calls").update(call_id, {"note": note_json, "note_source": source})

    def set_recording(self, call_id: str, state: str) -> None:
        self.db.table("calls").update(call_id, {"recording": state})

    def close_orphans(self, reason: str = "daemon_restart") -> int:
        """Calls left open by a killed daemon are closed at the next start; their turns are already stored."""
        rows = list(self.db.query("select id from calls where ended_at is null"))
        for row in rows:
            last = self.db.execute("select max(ended_at) from turns where call_id = ?", [row["id"]]).fetchone()[0]
            self.close_call(CallClosed(row["id"], reason, "the daemon stopped during the call", ended_at=last or utc_now()))
        return len(rows)

    def get_call(self, call_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from calls where id = ?", [call_id]))
        return rows[0] if rows else None

    def find_call(self, prefix: str, tenant: str | None = None) -> dict[str, Any] | None:
        """A unique id prefix is enough, as with git hashes; with a tenant, only that tenant's calls are found."""
        rows = list(
            self.db.query(
                "select * from calls where id like ? and (? is null or tenant = ?) limit 2", [prefix.lower() + "%", tenant, tenant]
            )
        )
        return rows[0] if len(rows) == 1 else None

    def turns(self, call_id: str) -> list[dict[str, Any]]:
        return list(self.db.query("select * from turns where call_id = ? order by seq", [call_id]))

    def list_calls(self, limit: int = 20, tenant: str | None = None) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select c.*, (select count(*) from turns t where t.call_id = c.id) as turn_count "
                "from calls c where ? is null or c.tenant = ? order by started_at desc limit ?",
                [tenant, tenant, limit],
            )
        )


class StoreWriter:
    """Serialises all writes on one thread; a failed write (disk full) is kept and retried, never dropped."""

    def __init__(self, store: CallStore) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._backlog: list[Callable[[], None]] = []

    async def submit(self, fn: Callable[..., None], *args: Any) -> bool:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._write, lambda: fn(*args))

    async def query(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, lambda: fn(*args))

    def _write(self, op: Callable[[], None]) -> bool:
        self._backlog.append(op)
        while self._backlog:
            try:
                self._backlog[0]()
            except sqlite3.Error as exc:
                log.error("call store write failed (%s); %d write(s) kept for retry", exc, len(self._backlog))
                return False
            self._backlog.pop(0)
        return True

    @property
    def backlog(self) -> int:
        return len(self._backlog)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._pool, self._final_flush)
        self._pool.shutdown(wait=True)

    def _final_flush(self) -> None:
        self._write(lambda: None)
        self.store.close()
