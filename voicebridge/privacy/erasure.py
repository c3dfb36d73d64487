"""Erasure of a data subject (GDPR Art. 17): their calls, transcripts, notes, recordings and every call-linked row
(outbound delivery logs included), then VACUUM and a WAL checkpoint, then a check of the files' bytes that nothing is left."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from voicebridge.privacy.audit_log import AuditLog, write_transaction
from voicebridge.privacy.phone import mask, same_number
from voicebridge.privacy.recordings import RecordingStore, shred
from voicebridge.privacy.records import call_tables, checkpoint, columns, delete_calls, rows_of_calls, text_columns
from voicebridge.privacy.redaction import PHONE
from voicebridge.privacy.subjects import phone_forms, subject_calls

MIN_NEEDLE = 6  # shorter strings ("Ja", "Hallo") say nothing about anyone and occur everywhere
NEEDLE_PREFIX = 200  # a long text may continue on an overflow page; its start is always on the row's own page
REDACTED = "[erased]"


@dataclass(frozen=True)
class ErasureReport:
    tenant: str
    subject: str  # masked: the report and the audit log must not keep the number that was erased
    counts: dict[str, int] = field(default_factory=dict)
    leftovers: tuple[str, ...] = ()
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.leftovers

    def summary(self) -> str:
        shown = ", ".join(f"{n} {kind}" for kind, n in self.counts.items() if n) or "nothing stored"
        verb = "would erase" if self.dry_run else "erased"
        return f"subject {self.subject} (tenant {self.tenant}): {verb} {shown}"


def database_file(conn: sqlite3.Connection) -> Path:
    return Path(conn.execute("pragma database_list").fetchone()[2])


def erase_subject(
    conn: sqlite3.Connection, recordings: RecordingStore, tenant: str, phone: str, actor: str, dry_run: bool = False
) -> ErasureReport:
    calls = subject_calls(conn, tenant, phone)
    call_ids = [c["id"] for c in calls]
    forms = phone_forms(phone, calls)
    needles = _needles(conn, calls, forms)
    files = [f for cid in call_ids for f in recordings.for_call(cid, tenant)]
    with write_transaction(conn, commit=not dry_run):
        counts = {"calls": 0, **delete_calls(conn, call_ids)}
        counts["recordings"] = len(files)
        counts["mentions_elsewhere"] = _redact_mentions(conn, tenant, phone)
        if not dry_run:
            AuditLog(conn).append_in_transaction(tenant, actor, "erase", f"phone {mask(phone)}", {"deleted": counts})
    report = ErasureReport(tenant, mask(phone), counts, dry_run=dry_run)
    if dry_run:
        return report
    for f in files:
        shred(f.path)
    conn.execute("pragma temp_store = memory")  # VACUUM's copy of the database stays off the disk
    conn.execute("VACUUM")  # rebuilds every page: nothing of the deleted rows stays in free pages
    checkpoint(conn)
    leftovers = verify_erased(conn, recordings, tenant, phone, call_ids, needles)
    return ErasureReport(tenant, mask(phone), counts, tuple(leftovers))


def _needles(conn: sqlite3.Connection, calls: list[dict[str, object]], forms: list[str]) -> list[str]:
    """Strings that belong to the subject: numbers, call ids, transcript texts, note fields, call-linked rows."""
    found = set(forms) | {str(c["id"]) for c in calls}
    for call in calls:
        try:
            note = json.loads(str(call["note"] or "{}"))
        except json.JSONDecodeError:
            note = {}
        if isinstance(note, dict):
            found |= {str(v) for v in note.values()}
    ids = [str(c["id"]) for c in calls]
    for table in call_tables(conn):
        for row in rows_of_calls(conn, table, ids):
            # What was said or sent, not bookkeeping (roles, timestamps, timing JSON) that other calls share.
            found |= {v for k, v in row.items() if isinstance(v, str) and k not in ("role", "timings") and not k.endswith("_at")}
    return sorted({n[:NEEDLE_PREFIX] for n in found if len(n) >= MIN_NEEDLE})


def _redact_mentions(conn: sqlite3.Connection, tenant: str, phone: str) -> int:
    """The number said or noted in someone else's call of this tenant (any spelling) is replaced; the rest of that call is theirs."""
    changed = 0
    scopes = [("calls", "tenant = ?")] + [(t, "call_id in (select id from calls where tenant = ?)") for t in call_tables(conn)]
    for table, where in scopes:
        for column, kind in columns(conn, table):
            if column in ("id", "call_id") or not (kind in ("", "text") or "char" in kind):
                continue
            rows = conn.execute(f'select rowid, "{column}" from "{table}" where {where} and "{column}" glob \'*[0-9]*\'', [tenant]).fetchall()
            for rowid, value in rows:
                redacted = PHONE.sub(lambda m: REDACTED if same_number(m.group(), phone) else m.group(), str(value))
                if redacted != value:
                    conn.execute(f'update "{table}" set "{column}" = ? where rowid = ?', [redacted, rowid])
                    changed += 1
    return changed


def verify_erased(
    conn: sqlite3.Connection, recordings: RecordingStore, tenant: str, phone: str, call_ids: list[str], needles: list[str]
) -> list[str]:
    """What is still there, described without repeating it. Empty means: not in any table, not in the files' bytes, not on disk."""
    problems = []
    if subject_calls(conn, tenant, phone):
        problems.append("calls of the subject are still in the database")
    for table in call_tables(conn):
        if rows_of_calls(conn, table, call_ids):
            problems.append(f"rows of the erased calls are still in table {table}")
    if any(recordings.for_call(cid) for cid in call_ids):
        problems.append("a recording of an erased call is still on disk")
    path = database_file(conn)
    for suffix in ("", "-wal", "-shm"):
        file = Path(f"{path}{suffix}")
        data = file.read_bytes() if file.exists() else b""
        left = [n for n in needles if n.encode("utf-8") in data and not _still_stored(conn, n)]
        if left:
            problems.append(f"{len(left)} erased string(s) still readable in the bytes of {file.name} (another process holds it open; run erase again)")
    return problems


def _still_stored(conn: sqlite3.Connection, needle: str) -> bool:
    """A string that also belongs to data kept legitimately (another caller said the same sentence, a word that is also a
    column name such as "emergency") is not a trace."""
    if conn.execute("select 1 from sqlite_master where instr(sql, ?) > 0 limit 1", [needle]).fetchone():
        return True
    for table, column in text_columns(conn, personal_only=False):
        if conn.execute(f'select 1 from "{table}" where instr("{column}", ?) > 0 limit 1', [needle]).fetchone():
            return True
    return False
