"""What the web app reads and writes about calls: the inbox listing, one call with its turns, notes and deliveries,
and the web-only state of a call (open/done, assignee, remarks). Plain functions of a sqlite3 connection."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from voicebridge.notify import note_store
from voicebridge.privacy.audit_log import write_transaction
from voicebridge.privacy.phone import digits_of, same_number
from voicebridge.store.call_store import utc_now
from voicebridge.web.db import rows

STATES = ("open", "done")
URGENCY_FILTERS = ("emergency", "soon", "no_rush", "unknown")
MAX_INBOX = 200
MAX_REMARK = 2000


@dataclass(frozen=True)
class InboxFilter:
    tenants: tuple[str, ...]
    state: str = ""  # "" | open | done
    urgency: str = ""  # "" | one of URGENCY_FILTERS
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""
    query: str = ""  # a number in any spelling, or part of a name


@dataclass(frozen=True)
class InboxRow:
    id: str
    tenant: str
    started_at: str
    in_progress: bool
    caller_number: str
    name: str
    callback_number: str
    concern: str
    urgency: str
    emergency: bool
    state: str
    assignee: str


NOTE_FIELDS = ("name", "company", "callback_number", "address", "concern", "urgency", "urgency_reason", "preferred_window", "intent",
               "summary", "transferred_to", "missing")


@dataclass(frozen=True)
class NoteField:
    key: str
    value: str
    source: str  # where the value came from (the note's per-field provenance), "" when the note does not say


@dataclass(frozen=True)
class CallDetail:
    call: dict[str, Any]
    note: dict[str, Any] | None
    provenance: dict[str, str]
    turns: list[dict[str, Any]]
    notes: list[dict[str, Any]]  # as sent, each with its delivery attempts
    state: str
    assignee: str
    remarks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def note_fields(self) -> list[NoteField]:
        """The note's filled fields in reading order, then any further field the provenance names (kept in `extra`)."""
        if not self.note:
            return []
        raw_extra = self.note.get("extra")
        extra: dict[str, Any] = raw_extra if isinstance(raw_extra, dict) else {}
        keys = [*NOTE_FIELDS, *(k for k in self.provenance if k not in NOTE_FIELDS)]
        out = []
        for key in keys:
            value = self.note.get(key, extra.get(key))
            if isinstance(value, dict):
                value = value.get("label", "")
            elif isinstance(value, list):
                value = ", ".join(map(str, value))
            if key == "callback_number" and value and self.note.get("callback_confirmed"):
                value = f"{value} ✓"
            if value not in (None, "", "unknown") or (key == "urgency" and value):
                out.append(NoteField(key, str(value), self.provenance.get(key, "")))
        return out


def _note(text: object) -> dict[str, Any]:
    try:
        data = json.loads(str(text)) if text else {}
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def inbox(conn: sqlite3.Connection, flt: InboxFilter) -> list[InboxRow]:
    """Emergencies first, then open calls, newest first within each; a number matches in any spelling."""
    if not flt.tenants:
        return []
    where = [f"c.tenant in ({','.join('?' * len(flt.tenants))})"]
    params: list[object] = list(flt.tenants)
    if flt.date_from:
        where.append("c.started_at >= ?")
        params.append(flt.date_from)
    if flt.date_to:
        where.append("substr(c.started_at, 1, 10) <= ?")
        params.append(flt.date_to)
    if flt.state in STATES:
        where.append("coalesce(s.state, 'open') = ?")
        params.append(flt.state)
    found = rows(conn, "select c.id, c.tenant, c.started_at, c.ended_at, c.caller_number, c.note, coalesce(s.state, 'open') as state, "
                 "coalesce(s.assignee, '') as assignee, exists(select 1 from notes n where n.call_id = c.id and n.emergency = 1) as flagged "
                 f"from calls c left join call_state s on s.call_id = c.id where {' and '.join(where)} order by c.started_at desc limit 2000", params)
    out = []
    for r in found:
        note = _note(r["note"])
        urgency = str(note.get("urgency") or "unknown")
        emergency = urgency == "emergency" or bool(r["flagged"])
        if flt.urgency and (("emergency" if emergency else urgency) != flt.urgency):
            continue
        row = InboxRow(str(r["id"]), str(r["tenant"]), str(r["started_at"]), r["ended_at"] is None, str(r["caller_number"] or ""),
                       str(note.get("name") or ""), str(note.get("callback_number") or ""), str(note.get("concern") or ""),
                       "emergency" if emergency else urgency, emergency, str(r["state"]), str(r["assignee"]))
        if flt.query and not _matches(row, flt.query):
            continue
        out.append(row)
    out.sort(key=lambda r: (not r.emergency, r.state != "open"))  # stable: newest first within each group
    return out[:MAX_INBOX]


def _matches(row: InboxRow, query: str) -> bool:
    digits = digits_of(query)
    if len(digits) >= 3:
        for number in (row.caller_number, row.callback_number):
            if number and (same_number(number, query) or digits in digits_of(number) or digits.lstrip("0") in digits_of(number)):
                return True
    return query.casefold() in row.name.casefold()


def tenant_of(conn: sqlite3.Connection, call_id: str) -> str | None:
    row = conn.execute("select tenant from calls where id = ?", [call_id]).fetchone()
    return str(row[0]) if row else None


def call_detail(conn: sqlite3.Connection, call_id: str) -> CallDetail | None:
    found = rows(conn, "select * from calls where id = ?", [call_id])
    if not found:
        return None
    call = found[0]
    note = _note(call.get("note")) or None
    provenance = {}
    if note:
        raw = note.get("provenance") or (note.get("extra") or {}).get("provenance") or {}
        if isinstance(raw, dict):
            provenance = {str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in raw.items()}
    turns = rows(conn, "select seq, role, text, offset_ms, duration_ms, timings, interrupted from turns where call_id = ? order by seq", [call_id])
    for t in turns:
        t["timings"] = _note(t["timings"])
    notes = []
    for n in note_store.notes_of_call(conn, call_id):
        notes.append({"id": n.id, "kind": n.kind, "created_at": n.created_at, "subject": n.subject,
                      "deliveries": note_store.delivery_log(conn, n.id)})
    state = conn.execute("select state, assignee from call_state where call_id = ?", [call_id]).fetchone()
    remarks = rows(conn, "select author, text, at from call_remarks where call_id = ? order by id", [call_id])
    return CallDetail(call, note, provenance, turns, notes, str(state[0]) if state else "open", str(state[1]) if state else "", remarks)


def set_state(conn: sqlite3.Connection, call_id: str, state: str, assignee: str, by: str) -> None:
    if state not in STATES:
        raise ValueError(f"state {state!r}: one of {', '.join(STATES)}")
    with write_transaction(conn):
        conn.execute(
            "insert into call_state (call_id, state, assignee, updated_at, updated_by) values (?, ?, ?, ?, ?) "
            "on conflict (call_id) do update set state = excluded.state, assignee = excluded.assignee, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [call_id, state, assignee[:64], utc_now(), by],
        )


def add_remark(conn: sqlite3.Connection, call_id: str, author: str, text: str) -> None:
    with write_transaction(conn):
        conn.execute("insert into call_remarks (call_id, author, text, at) values (?, ?, ?, ?)", [call_id, author, text[:MAX_REMARK], utc_now()])
