"""The `notes` and `deliveries` tables: a note is stored with its queued deliveries before anything is sent, and every attempt is logged.

Plain functions on a sqlite3 connection; the daemon runs them on the store's writer thread, the CLI on its own connection.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from voicebridge.dialogue.call_note import CallNote
from voicebridge.notify.templates import FINAL, RenderedNote
from voicebridge.store.call_store import utc_now

QUEUED = "queued"  # attempt 0: written with the note, before any attempt
SENT = "sent"
RETRYING = "retrying"  # this attempt failed; another follows after the back-off (also after a restart)
GAVE_UP = "gave_up"  # this attempt failed and it was the last one (or the failure cannot heal); the note stays stored
OPEN = (QUEUED, RETRYING)

EMAIL = "email"
WEBHOOK = "webhook"
ERROR_CHARS = 300


@dataclass(frozen=True)
class StoredNote:
    id: int
    call_id: str
    tenant: str
    kind: str
    created_at: str
    note: CallNote
    subject: str
    body: str

    @property
    def emergency(self) -> bool:
        return self.note.is_emergency or self.kind != FINAL


@dataclass(frozen=True)
class Delivery:
    """One note to one recipient over one channel; `attempts` is how many were made so far."""

    note_id: int
    call_id: str
    channel: str
    recipient: str
    attempts: int = 0


def save_note(conn: sqlite3.Connection, note: CallNote, kind: str, rendered: RenderedNote, targets: list[tuple[str, str]]) -> StoredNote | None:
    """Store the note with one queued delivery per target, in one transaction; None if the call already has a note of this kind."""
    created = utc_now()
    with conn:
        cursor = conn.execute(
            "insert or ignore into notes (call_id, tenant, kind, created_at, urgency, emergency, json, subject, body) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [note.call_id, note.tenant, kind, created, note.urgency, int(note.is_emergency or kind != FINAL), note.to_json(),
             rendered.subject, rendered.body],
        )
        if cursor.rowcount == 0:
            return None
        note_id = int(cursor.lastrowid or 0)
        for channel, recipient in targets:
            conn.execute(
                "insert into deliveries (note_id, call_id, channel, recipient, attempt, status, at) values (?, ?, ?, ?, 0, ?, ?)",
                [note_id, note.call_id, channel, recipient, QUEUED, created],
            )
        # The call row carries the newest note too: `calls show`, the retention purge, subject export and erasure read it there.
        conn.execute("update calls set note = ? where id = ? and (? = ? or note is null)", [note.to_json(), note.call_id, kind, FINAL])
    return StoredNote(note_id, note.call_id, note.tenant, kind, created, note, rendered.subject, rendered.body)


def log_attempt(conn: sqlite3.Connection, delivery: Delivery, attempt: int, status: str, error: str = "") -> None:
    with conn:
        conn.execute(
            "insert into deliveries (note_id, call_id, channel, recipient, attempt, status, error, at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [delivery.note_id, delivery.call_id, delivery.channel, delivery.recipient, attempt, status, error[:ERROR_CHARS], utc_now()],
        )


def pending(conn: sqlite3.Connection) -> list[Delivery]:
    """Deliveries whose newest row is queued or retrying, of notes still stored: what a restart resumes."""
    rows = conn.execute(
        "select d.note_id, d.call_id, d.channel, d.recipient, d.attempt from deliveries d join notes n on n.id = d.note_id "
        "where d.status in (?, ?) and d.id = (select max(x.id) from deliveries x "
        "where x.note_id = d.note_id and x.channel = d.channel and x.recipient = d.recipient) order by d.id",
        list(OPEN),
    ).fetchall()
    return [Delivery(int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]


def _stored(row: sqlite3.Row | tuple[Any, ...]) -> StoredNote:
    note_id, call_id, tenant, kind, created, data, subject, body = row
    return StoredNote(int(note_id), call_id, tenant, kind, created, CallNote.from_dict(json.loads(data)), subject, body)


_COLUMNS = "id, call_id, tenant, kind, created_at, json, subject, body"


def load_note(conn: sqlite3.Connection, note_id: int) -> StoredNote | None:
    row = conn.execute(f"select {_COLUMNS} from notes where id = ?", [note_id]).fetchone()
    return _stored(row) if row else None


def notes_of_call(conn: sqlite3.Connection, call_id: str) -> list[StoredNote]:
    return [_stored(r) for r in conn.execute(f"select {_COLUMNS} from notes where call_id = ? order by id", [call_id]).fetchall()]


def list_notes(conn: sqlite3.Connection, tenant: str, limit: int, emergencies_only: bool = False) -> list[StoredNote]:
    rows = conn.execute(
        f"select {_COLUMNS} from notes where tenant = ? and (? = 0 or emergency = 1) order by created_at desc, id desc limit ?",
        [tenant, int(emergencies_only), limit],
    ).fetchall()
    return [_stored(r) for r in rows]


def delivery_log(conn: sqlite3.Connection, note_id: int) -> list[dict[str, Any]]:
    cursor = conn.execute(
        "select channel, recipient, attempt, status, error, at from deliveries where note_id = ? order by id", [note_id]
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def delivery_states(conn: sqlite3.Connection, note_id: int) -> dict[tuple[str, str], str]:
    """The newest status per (channel, recipient) of one note."""
    states: dict[tuple[str, str], str] = {}
    for row in delivery_log(conn, note_id):
        states[(row["channel"], row["recipient"])] = row["status"]
    return states
