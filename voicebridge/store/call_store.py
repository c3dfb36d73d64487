"""Calls and turns in SQLite through sqlite-utils, in WAL mode, each write committed at once.

The daemon reaches it through `StoreWriter`, which owns the connection on one thread so the event loop never waits on disk.
Call ids are unique: a reused one is refused at the call's start (`has_call`), never written over.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
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

    def has_call(self, call_id: str) -> bool:
        """Whether a call with this id was ever stored, read on a connection of its own: in WAL mode a reader is not
        held up by another process's write lock, nor by this writer's queue."""
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("select 1 from calls where id = ?", [call_id]).fetchone() is not None
        finally:
            conn.close()

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
    """Serialises all database work on one thread, in order. Writes from a call go in without waiting (`write`), so the
    audio path never waits on disk or on a lock held by another process. A write that fails for a passing reason (disk
    full, database locked) is kept and retried with backoff, never dropped; one refused for good (a duplicate call id)
    is logged and dropped, so it never blocks the writes behind it."""

    def __init__(self, store: CallStore, retry_s: float = 0.2, max_retry_s: float = 5.0, close_timeout_s: float = 30.0) -> None:
        self.store = store
        self._retry_s = retry_s
        self._max_retry_s = max_retry_s
        self._close_timeout_s = close_timeout_s
        self._ops: deque[_Op] = deque()
        self._wake = threading.Condition()
        self._closing: float | None = None  # monotonic deadline for the last retries once close() was called
        self.dropped = 0  # writes refused for good (logged one by one)
        self._thread = threading.Thread(target=self._run, name="store", daemon=True)
        self._thread.start()

    def write(self, fn: Callable[..., None], *args: Any) -> None:
        """Queue a write and return at once; it is applied in order, retried until it lands."""
        self._put(_Op(lambda: fn(*args), True))

    async def submit(self, fn: Callable[..., None], *args: Any) -> bool:
        """Queue a write and wait for its first attempt: True if it is stored, False if it failed (kept for retry
        unless it was refused for good)."""
        done = self._future()
        self._put(_Op(lambda: fn(*args), True, done))
        return bool(await done)

    async def query(self, fn: Callable[..., T], *args: Any) -> T:
        done = self._future()
        self._put(_Op(lambda: fn(*args), False, done))
        result: T = await done
        return result

    @property
    def backlog(self) -> int:
        """Writes not stored yet (queued, or failed and waiting for their retry)."""
        with self._wake:
            return sum(1 for op in self._ops if op.write)

    async def close(self) -> None:
        """Store what is queued (retrying up to close_timeout_s), then close the database."""
        with self._wake:
            self._closing = time.monotonic() + self._close_timeout_s
            self._wake.notify()
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join)

    def _future(self) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().create_future()

    def _put(self, op: _Op) -> None:
        with self._wake:
            if self._closing is not None and not self._thread.is_alive():
                raise StoreError("the call store is closed")
            self._ops.append(op)
            self._wake.notify()

    def _run(self) -> None:
        delay = self._retry_s
        while True:
            with self._wake:
                while not self._ops and self._closing is None:
                    self._wake.wait()
                if not self._ops:
                    break
                op = self._ops[0]
            try:
                result = op.fn()
            except sqlite3.OperationalError as exc:  # locked, disk full, I/O: passes; the write stays first in line
                if op.write:
                    if not op.failed:
                        log.error("call store write failed (%s); %d write(s) kept for retry", exc, self.backlog)
                    op.failed = True
                    op.resolve(False)
                    if self._closing is not None and time.monotonic() > self._closing:
                        log.error("call store: %d write(s) could not be stored before shutdown (%s)", self.backlog, exc)
                        break
                    with self._wake:
                        self._wake.wait(delay)
                    delay = min(delay * 2, self._max_retry_s)
                    continue
                self._pop()
                op.fail(exc)
                continue
            except Exception as exc:  # refused for good (constraint, a call never opened): this one only is dropped
                self._pop()
                if op.write:
                    self.dropped += 1
                    log.error("call store write refused and dropped (%s); the other writes go on", exc)
                    op.resolve(False)
                else:
                    op.fail(exc)
                continue
            self._pop()
            if op.failed:
                log.warning("call store writable again; the kept writes are being stored")
            delay = self._retry_s
            op.resolve(True if op.write else result)
        self.store.close()

    def _pop(self) -> None:
        with self._wake:
            self._ops.popleft()


class _Op:
    """One unit of database work and, when someone waits for it, the future that gets its outcome."""

    def __init__(self, fn: Callable[[], Any], write: bool, done: asyncio.Future[Any] | None = None) -> None:
        self.fn = fn
        self.write = write
        self.failed = False
        self._done = done
        self._loop = done.get_loop() if done is not None else None

    def resolve(self, value: Any) -> None:
        if self._done is not None and self._loop is not None:
            done, self._done = self._done, None
            self._loop.call_soon_threadsafe(_settle, done, value, None)

    def fail(self, exc: BaseException) -> None:
        if self._done is not None and self._loop is not None:
            done, self._done = self._done, None
            self._loop.call_soon_threadsafe(_settle, done, None, exc)


def _settle(done: asyncio.Future[Any], value: Any, exc: BaseException | None) -> None:
    if done.done():
        return
    if exc is not None:
        done.set_exception(exc)
    else:
        done.set_result(value)
