"""Consistent online backups (SQLite's backup API, safe while the daemon writes) with a manifest of checksums, and a
restore that refuses a backup whose files, integrity check, schema version or audit chain do not hold."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from voicebridge.errors import VoicebridgeError
from voicebridge.privacy.audit_log import AuditLog
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.store.call_store import utc_now
from voicebridge.store.migrations import SCHEMA_VERSION

FORMAT = "voicebridge backup 1"
DB_NAME = "calls.db"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    calls: int
    recordings: int
    created_at: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


def backup(conn: sqlite3.Connection, recordings: RecordingStore, out_dir: Path) -> BackupSummary:
    if out_dir.exists() and any(out_dir.iterdir()):
        raise VoicebridgeError(f"{out_dir} is not empty; fix: name a new directory for the backup")
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(out_dir, 0o700)
    db_copy = out_dir / DB_NAME
    _private_file(db_copy)
    target = sqlite3.connect(db_copy)
    try:
        conn.backup(target)  # one step: a consistent snapshot even while the daemon is writing
        target.execute("pragma journal_mode = delete")  # one self-contained file, no -wal beside it
        _check_integrity(target, db_copy)
        calls = target.execute("select count(*) from calls").fetchone()[0]
    finally:
        target.close()
    files = {DB_NAME: _sha256(db_copy)}
    for rec in recordings.files():
        rel = Path("recordings") / rec.tenant / rec.path.name
        _private_file(out_dir / rel)
        shutil.copyfile(rec.path, out_dir / rel)
        files[str(rel)] = _sha256(out_dir / rel)
    created = utc_now()
    manifest = {"format": FORMAT, "created_at": created, "schema_version": SCHEMA_VERSION, "calls": calls, "files": files}
    _private_file(out_dir / MANIFEST)
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return BackupSummary(out_dir, calls, len(files) - 1, created)


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("pragma integrity_check").fetchall()
    if result != [("ok",)]:
        raise VoicebridgeError(f"{path} fails SQLite's integrity check: {'; '.join(str(r[0]) for r in result[:3])}")


def check_backup(backup_dir: Path) -> dict[str, object]:
    """The manifest, once every file matches its checksum, the database passes integrity_check, its schema is one this
    voicebridge can read, and every tenant's audit chain verifies. Raises on the first thing that does not hold."""
    manifest_path = backup_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VoicebridgeError(f"{backup_dir} is not a voicebridge backup (no {MANIFEST}); fix: name the directory `voicebridge backup` wrote") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise VoicebridgeError(f"{manifest_path} cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise VoicebridgeError(f"{manifest_path} has format {manifest.get('format')!r}; this voicebridge restores {FORMAT!r}")
    if int(manifest.get("schema_version", 0)) > SCHEMA_VERSION:
        raise VoicebridgeError(f"the backup's schema version {manifest['schema_version']} is newer than this voicebridge ({SCHEMA_VERSION})")
    for rel, expected in manifest["files"].items():
        path = backup_dir / rel
        if not path.is_file():
            raise VoicebridgeError(f"backup file {rel} is missing")
        if _sha256(path) != expected:
            raise VoicebridgeError(f"backup file {rel} does not match its checksum: it was changed or damaged")
    conn = sqlite3.connect(f"file:{backup_dir / DB_NAME}?mode=ro", uri=True)
    try:
        _check_integrity(conn, backup_dir / DB_NAME)
        audit = AuditLog(conn)
        for tenant in audit.tenants():
            report = audit.verify(tenant)
            if not report.ok:
                raise VoicebridgeError(f"the backup's audit log of tenant {tenant!r} does not verify: {report.problems[0]}")
    finally:
        conn.close()
    return dict(manifest)


def restore(backup_dir: Path, db_path: Path, recordings: RecordingStore, force: bool) -> dict[str, object]:
    manifest = check_backup(backup_dir)
    if db_path.exists() and not force:
        raise VoicebridgeError(f"{db_path} exists; fix: stop the daemon and pass --force to replace it with the backup")
    db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not db_path.exists():
        _private_file(db_path)
    source = sqlite3.connect(f"file:{backup_dir / DB_NAME}?mode=ro", uri=True)
    target = sqlite3.connect(db_path, timeout=10)
    try:
        source.backup(target)  # through SQLite, so a -wal beside the old file is handled, not left stale
        target.execute("pragma journal_mode = wal")
        _check_integrity(target, db_path)
    finally:
        source.close()
        target.close()
    os.chmod(db_path, 0o600)
    for rel in manifest["files"]:  # type: ignore[attr-defined]
        parts = Path(rel).parts
        if parts[0] != "recordings" or len(parts) != 3:
            continue
        dest = recordings.root / parts[1] / parts[2]
        _private_file(dest)
        shutil.copyfile(backup_dir / rel, dest)
    return manifest
