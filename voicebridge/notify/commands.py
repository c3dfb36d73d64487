"""The `voicebridge notes` command and the notes part of `calls show`: stored call notes with their delivery log.

Every read is written to the tenant's audit log before anything is shown, as for `calls show`.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from typing import Any

from voicebridge.config import Config
from voicebridge.errors import VoicebridgeError
from voicebridge.notify import note_store
from voicebridge.notify.note_store import SENT, StoredNote


def add_commands(sub: argparse._SubParsersAction, positive_int: Any) -> None:  # type: ignore[type-arg]
    notes = sub.add_parser("notes", help="call notes (newest first) and whether they were delivered; `notes show ID` for one call")
    notes.add_argument("--limit", type=positive_int, default=20, help="how many notes (default 20)")
    notes.add_argument("--emergencies", action="store_true", help="only notes flagged as emergencies")
    notes_sub = notes.add_subparsers(dest="notes_command", metavar="SUBCOMMAND")
    show = notes_sub.add_parser("show", help="one call's notes as they were sent, with every delivery attempt")
    show.add_argument("call_id", metavar="CALL_ID", help="the call's UUID (a unique prefix is enough)")
    show.add_argument("--json", action="store_true", help="machine-readable output")


def run(config: Config, args: argparse.Namespace) -> int:
    from voicebridge.privacy import commands as privacy_commands
    from voicebridge.privacy.audit_log import AuditLog, current_actor

    store = privacy_commands.open_store(config)  # refuses a database other accounts can read
    try:
        conn = store.db.conn
        tenant = privacy_commands.resolve_tenant(config, store, args.tenant)
        audit = AuditLog(conn)
        if args.notes_command == "show":
            call_id = find_noted_call(conn, args.call_id, tenant.id)
            notes = note_store.notes_of_call(conn, call_id)
            audit.append(tenant.id, current_actor(), "read", call_id, {"notes": [n.id for n in notes]})
            if args.json:
                print(json.dumps(notes_json(conn, notes), indent=2, ensure_ascii=False))
            else:
                print(format_notes(conn, notes))
            return 0
        listed = note_store.list_notes(conn, tenant.id, args.limit, args.emergencies)
        audit.append(tenant.id, current_actor(), "read", "notes list", {"calls": sorted({n.call_id for n in listed})})
        if not listed:
            print("no emergency notes" if args.emergencies else "no notes yet")
        for stored in listed:
            flag = "EMERGENCY" if stored.emergency else stored.note.urgency
            print(f"{stored.call_id}  {stored.created_at[:19]}  {stored.kind:<9} {flag:<9}  {delivery_summary(conn, stored.id):<22}  {stored.subject}")
        return 0
    finally:
        store.close()


def find_noted_call(conn: sqlite3.Connection, prefix: str, tenant: str) -> str:
    rows = conn.execute(
        "select distinct call_id from notes where call_id like ? and tenant = ? limit 2", [prefix.lower() + "%", tenant]
    ).fetchall()
    if len(rows) != 1:
        raise VoicebridgeError(f"no single call with notes of tenant {tenant} matches '{prefix}'; fix: copy a call id from `voicebridge notes`")
    return str(rows[0][0])


def delivery_summary(conn: sqlite3.Connection, note_id: int) -> str:
    states = note_store.delivery_states(conn, note_id)
    if not states:
        return "stored (no channels)"
    counts: dict[str, int] = {}
    for status in states.values():
        counts[status] = counts.get(status, 0) + 1
    if counts.get(SENT) == len(states):
        return f"sent {len(states)}/{len(states)}"
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def format_notes(conn: sqlite3.Connection, notes: list[StoredNote]) -> str:
    lines: list[str] = []
    for stored in notes:
        flag = "  ** EMERGENCY **" if stored.emergency else ""
        lines += [f"note {stored.id} ({stored.kind}) of call {stored.call_id}, {stored.created_at}{flag}",
                  f"subject: {stored.subject}", "", stored.body.rstrip(), "", "deliveries:"]
        log = note_store.delivery_log(conn, stored.id)
        if not log:
            lines.append("  none (no e-mail or webhook configured when the note was stored)")
        for row in log:
            error = f"  {row['error']}" if row["error"] else ""
            lines.append(f"  {row['at'][:19]}  {row['channel']:<7}  {row['recipient']:<32}  attempt {row['attempt']}  {row['status']}{error}")
        lines.append("")
    return "\n".join(lines).rstrip()


def notes_json(conn: sqlite3.Connection, notes: list[StoredNote]) -> list[dict[str, Any]]:
    return [
        {"id": n.id, "kind": n.kind, "created_at": n.created_at, "emergency": n.emergency, "subject": n.subject, "body": n.body,
         "note": n.note.to_dict(), "deliveries": note_store.delivery_log(conn, n.id)}
        for n in notes
    ]
