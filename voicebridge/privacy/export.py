"""Exports: everything stored about one caller (GDPR Art. 15 and 20) as JSON and readable text with their recordings,
and a pseudonymised export of a tenant's calls for analysis."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicebridge.audio.wavfile import write_wav
from voicebridge.config import Config, TenantConfig
from voicebridge.errors import VoicebridgeError
from voicebridge.privacy.recordings import RecordedAudio, RecordingStore
from voicebridge.privacy.records import call_tables, rows_of_calls
from voicebridge.privacy.redaction import Pseudonymiser
from voicebridge.privacy.retention import KINDS
from voicebridge.privacy.retention_settings import retention_for
from voicebridge.privacy.subjects import subject_calls
from voicebridge.store.call_store import utc_now

PURPOSE = (
    "The business's AI phone assistant answered these calls to take a message (name, number to call back, concern) "
    "so that the business can call back. Everything is stored only on the business's own server."
)
_INTERNAL = ("tenant", "audio_stats")  # technical line statistics, not about the caller


@dataclass(frozen=True)
class SubjectExport:
    data: dict[str, Any]
    recordings: dict[str, RecordedAudio] = field(default_factory=dict)  # call id -> decrypted audio

    @property
    def call_ids(self) -> list[str]:
        return [c["id"] for c in self.data["calls"]]

    def text(self) -> str:
        d = self.data
        lines = [
            f"Data stored about the caller {d['subject']['phone']}",
            f"Controller: {d['controller']} (exported {d['exported_at']})",
            f"Purpose: {d['purpose']}",
            "Kept for: " + ", ".join(f"{k.replace('_', ' ')} {v} days" for k, v in d["retention_days"].items()),
            f"Calls: {len(d['calls'])}",
        ]
        for call in d["calls"]:
            lines += ["", f"Call {call['id']} on {call['started_at']} ({call['duration_s'] or 0:.0f} s), from {call['caller_number'] or 'unknown number'}"]
            for turn in call["turns"]:
                who = "Caller" if turn["role"] == "caller" else "Assistant"
                lines.append(f"  {who}: {turn['text']}")
            if call["note"]:
                lines.append("  Note: " + "; ".join(f"{k}: {v}" for k, v in call["note"].items() if v))
            if call["recording_file"]:
                lines.append(f"  Recording: {call['recording_file']}")
            for table, rows in call["linked_records"].items():
                lines.append(f"  {table}: {len(rows)} record(s), see export.json")
        return "\n".join(lines) + "\n"


def subject_export(conn: sqlite3.Connection, recordings: RecordingStore, config: Config, tenant: TenantConfig, phone: str) -> SubjectExport:
    calls = subject_calls(conn, tenant.id, phone)
    ids = [c["id"] for c in calls]
    linked = {t: rows_of_calls(conn, t, ids) for t in call_tables(conn) if t != "turns"}
    turns = rows_of_calls(conn, "turns", ids)
    audio: dict[str, RecordedAudio] = {}
    out_calls = []
    for call in calls:
        cid = call["id"]
        files = recordings.for_call(cid, tenant.id)
        if files:
            audio[cid] = recordings.read(files[0].path)
        out_calls.append({
            **{k: v for k, v in call.items() if k not in _INTERNAL and k != "note"},
            "note": _json(call["note"]),
            "turns": [
                {k: (_json(v) if k == "timings" else v) for k, v in t.items() if k not in ("id", "call_id")} for t in turns if t["call_id"] == cid
            ],
            "recording_file": f"recordings/{cid}.wav" if cid in audio else None,
            "linked_records": {t: [r for r in rows if r["call_id"] == cid] for t, rows in linked.items() if any(r["call_id"] == cid for r in rows)},
        })
    data = {
        "format": "voicebridge subject export 1",
        "exported_at": utc_now(),
        "controller": tenant.name,
        "tenant": tenant.id,
        "subject": {"phone": phone},
        "purpose": PURPOSE,
        "retention_days": {k: getattr(retention_for(conn, config, tenant.id), f"{k}_days") for k in KINDS if k != "audit_log"},
        "calls": out_calls,
    }
    return SubjectExport(data, audio)


def write_subject_export(export: SubjectExport, out_dir: Path) -> list[Path]:
    """export.json, export.txt and recordings/<call>.wav in a new owner-only directory."""
    if out_dir.exists() and any(out_dir.iterdir()):
        raise VoicebridgeError(f"{out_dir} is not empty; fix: name a new directory for the export")
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(out_dir, 0o700)
    written = [_write_private(out_dir / "export.json", json.dumps(export.data, indent=2, ensure_ascii=False) + "\n"),
               _write_private(out_dir / "export.txt", export.text())]
    for cid, audio in export.recordings.items():
        folder = out_dir / "recordings"
        folder.mkdir(exist_ok=True, mode=0o700)
        path = folder / f"{cid}.wav"
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        write_wav(path, audio.pcm, audio.sample_rate)
        written.append(path)
    return written


def _write_private(path: Path, text: str) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _json(value: str | None) -> Any:
    try:
        return json.loads(value) if value else None
    except json.JSONDecodeError:
        return value


def pseudonymised_export(conn: sqlite3.Connection, tenant: str) -> dict[str, Any]:
    """Calls for analysis: timings, reasons and redacted texts; names, numbers, addresses, e-mail and IBANs replaced by
    pseudonyms that are consistent across the export (a repeat caller stays PHONE_3). The mapping is not kept anywhere."""
    cursor = conn.execute("select * from calls where tenant = ? order by started_at", [tenant])
    names = [d[0] for d in cursor.description]
    calls = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    turns = rows_of_calls(conn, "turns", [c["id"] for c in calls])
    pseudo = Pseudonymiser()
    notes = {c["id"]: (_json(c["note"]) if c["note"] else None) for c in calls}
    pseudo.learn_names(str(n.get("name", "")) for n in notes.values() if isinstance(n, dict))
    out = []
    for i, call in enumerate(calls, 1):
        note = notes[call["id"]]
        if isinstance(note, dict):
            note = {k: (pseudo.phone(str(v)) if k == "callback_number" else pseudo.token("PERSON", str(v)) if k == "name" and v else
                        v if k == "urgency" else pseudo.text(str(v))) for k, v in note.items()}
        out.append({
            "call": f"CALL_{i}",
            "started_at": call["started_at"], "ended_at": call["ended_at"], "duration_s": call["duration_s"],
            "transport": call["transport"], "language": call["language"], "sample_rate": call["sample_rate"],
            "end_reason": call["end_reason"], "end_detail": pseudo.text(call["end_detail"]), "recording": call["recording"],
            "caller": pseudo.phone(call["caller_number"]),
            "note": note,
            "turns": [
                {"seq": t["seq"], "role": t["role"], "text": pseudo.text(t["text"]), "offset_ms": t["offset_ms"],
                 "duration_ms": t["duration_ms"], "timings": _json(t["timings"]), "interrupted": bool(t["interrupted"])}
                for t in turns if t["call_id"] == call["id"]
            ],
        })
    return {"format": "voicebridge pseudonymised export 1", "pseudonymised": True, "tenant": tenant, "exported_at": utc_now(), "calls": out}
