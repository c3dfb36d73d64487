"""A data subject's calls: those from their number, and those whose note gave it as the number to call back."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from voicebridge.privacy.phone import digits_of, same_number


def _note_number(note: str | None) -> str:
    try:
        return str(json.loads(note or "{}").get("callback_number") or "")
    except (json.JSONDecodeError, AttributeError):
        return ""


def subject_calls(conn: sqlite3.Connection, tenant: str, phone: str) -> list[dict[str, Any]]:
    cursor = conn.execute("select * from calls where tenant = ? order by started_at", [tenant])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [r for r in rows if same_number(r["caller_number"], phone) or same_number(_note_number(r["note"]), phone)]


def phone_forms(phone: str, calls: list[dict[str, Any]]) -> list[str]:
    """The subject's number as typed and as stored, so every spelling of it is found and removed."""
    forms = {phone.strip()}
    for row in calls:
        for number in (row["caller_number"], _note_number(row["note"])):
            if number and same_number(number, phone):
                forms.add(number.strip())
    return sorted(f for f in forms if len(digits_of(f)) >= 6)
