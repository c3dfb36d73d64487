"""The retention purge: deletes what has outlived its retention, per tenant, and records the counts in the audit log.

Runs inside the daemon on a schedule (through the store's writer thread, between call writes) and from `voicebridge purge`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from voicebridge.config import Config, RetentionConfig
from voicebridge.privacy.audit_log import AuditLog, write_transaction
from voicebridge.privacy.recordings import RecordingStore, shred
from voicebridge.privacy.records import checkpoint, delete_calls
from voicebridge.privacy.retention import Cutoffs, cutoffs, is_due, stamp
from voicebridge.privacy.retention_settings import retention_for
from voicebridge.store.call_store import CallStore, StoreWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeResult:
    tenant: str
    counts: dict[str, int] = field(default_factory=dict)  # calls, turns, notes, recordings, audit_log, other call tables
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        shown = ", ".join(f"{n} {kind}" for kind, n in self.counts.items() if n) or "nothing"
        return f"tenant {self.tenant}: {'would delete' if self.dry_run else 'deleted'} {shown}"


def purge_tenant(
    conn: sqlite3.Connection, recordings: RecordingStore, retention: RetentionConfig, tenant: str, actor: str,
    now: datetime | None = None, dry_run: bool = False,
) -> PurgeResult:
    cut = cutoffs(retention, now)
    with write_transaction(conn, commit=not dry_run):
        counts, anchor = _delete_due(conn, recordings, cut, tenant, dry_run)
        if not dry_run:
            detail: dict[str, object] = {"deleted": counts, "cutoffs": cut.as_dict()}
            if anchor:
                detail["audit_log_anchor"] = anchor  # what the first kept entry links to; `audit verify` checks it
            AuditLog(conn).append_in_transaction(tenant, actor, "purge", "retention", detail)
    if not dry_run:
        checkpoint(conn, attempts=5)
    return PurgeResult(tenant, counts, dry_run)


def _delete_due(conn: sqlite3.Connection, recordings: RecordingStore, cut: Cutoffs, tenant: str, dry_run: bool) -> tuple[dict[str, int], str | None]:
    ended = dict(conn.execute("select id, ended_at from calls where tenant = ?", [tenant]).fetchall())
    expired = [cid for cid, end in ended.items() if is_due(end, cut.metadata)]
    counts = {"calls": 0, **delete_calls(conn, expired)}
    gone = set(expired)
    counts["turns"] = counts.get("turns", 0) + conn.execute(
        "delete from turns where call_id in (select id from calls where tenant = ? and ended_at is not null and ended_at < ?)",
        [tenant, cut.transcripts],
    ).rowcount
    # Notes of expired calls went with them (the `notes` table has a call_id); these are the calls that outlive their note.
    counts["notes"] = counts.get("notes", 0) + conn.execute(
        "update calls set note = null where tenant = ? and note is not null and ended_at is not null and ended_at < ?", [tenant, cut.notes]
    ).rowcount
    # Recordings: due with their call, by their own retention, or, with no call row (restored without it), by the file's age.
    due_files = [
        f for f in recordings.files(tenant)
        if f.call_id in gone or is_due(ended[f.call_id] if f.call_id in ended else _modified(f.path), cut.recordings)
    ]
    counts["recordings"] = len(due_files)
    if not dry_run:
        for f in due_files:
            shred(f.path)
        ids = [f.call_id for f in due_files if f.call_id in ended and f.call_id not in gone]
        if ids:
            conn.execute(f"update calls set recording = 'purged' where recording = 'on' and id in ({','.join('?' * len(ids))})", ids)
    counts["audit_log"], anchor = _purge_audit_log(conn, tenant, cut.audit_log)
    return counts, anchor


def _modified(path: Path) -> str:
    try:
        return stamp(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    except FileNotFoundError:
        return ""


def _purge_audit_log(conn: sqlite3.Connection, tenant: str, cutoff: str) -> tuple[int, str | None]:
    last = conn.execute("select seq, hash from audit_log where tenant = ? and at < ? order by seq desc limit 1", [tenant, cutoff]).fetchone()
    if last is None:
        return 0, None
    # The append-only trigger lets rows go only below a permit held inside this transaction.
    conn.execute("insert or replace into audit_purge_permit (tenant, up_to_seq) values (?, ?)", [tenant, last[0]])
    deleted = conn.execute("delete from audit_log where tenant = ? and seq <= ?", [tenant, last[0]]).rowcount
    conn.execute("delete from audit_purge_permit where tenant = ?", [tenant])
    return deleted, str(last[1])


def known_tenants(conn: sqlite3.Connection, config: Config) -> list[str]:
    """Configured tenants and any tenant that still has data (one removed from the config is purged all the same)."""
    stored = [r[0] for r in conn.execute("select distinct tenant from calls union select distinct tenant from audit_log").fetchall()]
    return list(dict.fromkeys([t.id for t in config.all_tenants] + sorted(stored)))


def purge_all(store: CallStore, recordings: RecordingStore, config: Config, actor: str = "daemon") -> list[PurgeResult]:
    conn = store.db.conn
    return [purge_tenant(conn, recordings, retention_for(conn, config, tenant), tenant, actor) for tenant in known_tenants(conn, config)]


class PurgeSchedule:
    """The daemon's purge: once at start, then every retention.purge_interval_s, on the store's writer thread."""

    def __init__(self, writer: StoreWriter, recordings: RecordingStore, config: Config) -> None:
        self._writer = writer
        self._recordings = recordings
        self._config = config
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention-purge")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                results = await self._writer.query(purge_all, self._writer.store, self._recordings, self._config)
                for result in results:
                    if result.total:
                        log.info("retention purge: %s", result.summary())
            except (sqlite3.Error, OSError) as exc:  # try again next time; the calls go on
                log.error("retention purge failed: %s", exc)
            self.runs += 1
            await asyncio.sleep(self._config.retention.purge_interval_s)
