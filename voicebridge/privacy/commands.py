"""The data-protection commands of the `voicebridge` CLI: purge, subject export|erase, audit verify|list, backup, restore.

Each parses nothing itself and prints little: the work is in the modules beside this one. Every command that reads
personal data writes an audit entry first; every command but backup/restore (the whole installation) is scoped to one tenant.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import stat
from pathlib import Path

from voicebridge.config import Config, TenantConfig
from voicebridge.errors import VoicebridgeError
from voicebridge.privacy.audit_log import AuditLog, current_actor
from voicebridge.privacy.backup import backup, restore
from voicebridge.privacy.erasure import erase_subject
from voicebridge.privacy.export import pseudonymised_export, subject_export, write_subject_export
from voicebridge.privacy.phone import digits_of, mask
from voicebridge.privacy.purge import known_tenants, purge_tenant
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.privacy.retention_settings import retention_for
from voicebridge.store.call_store import CallStore

COMMANDS = ("purge", "subject", "audit", "backup", "restore")


def _phone(text: str) -> str:
    if len(digits_of(text)) < 6:
        raise argparse.ArgumentTypeError(f"{text!r} is not a phone number (at least 6 digits)")
    return text


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    purge = sub.add_parser("purge", help="delete what has outlived its retention ([retention] in the config) now; counted in the audit log")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    subject = sub.add_parser("subject", help="a caller's rights: export everything stored about them, or erase it")
    subject_sub = subject.add_subparsers(dest="subject_command", required=True, metavar="SUBCOMMAND")
    export = subject_sub.add_parser("export", help="everything stored about a caller: export.json, export.txt and their recordings")
    export.add_argument("--phone", required=True, type=_phone, metavar="NUMBER", help="the caller's number (any spelling: +49 171 ..., 0171 ...)")
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="a new directory for the export (created owner-only)")
    erase = subject_sub.add_parser("erase", help="erase a caller's calls, transcripts, notes, recordings and delivery logs, then verify")
    erase.add_argument("--phone", required=True, type=_phone, metavar="NUMBER", help="the caller's number (any spelling)")
    erase.add_argument("--yes", action="store_true", help="really erase (without it: only say what would be erased)")

    audit = sub.add_parser("audit", help="the audit log of reads, exports, erasures and purges")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="SUBCOMMAND")
    audit_sub.add_parser("verify", help="check the tenant's hash chain: no entry altered, removed or inserted")
    listing = audit_sub.add_parser("list", help="the newest entries")
    listing.add_argument("--limit", type=int, default=50, help="how many (default 50)")

    back = sub.add_parser("backup", help="consistent online backup of the database and recordings (all tenants), with checksums")
    back.add_argument("--out", required=True, type=Path, metavar="DIR", help="a new directory for the backup (created owner-only)")
    rest = sub.add_parser("restore", help="check a backup (checksums, integrity, audit chain) and restore it; the daemon must be stopped")
    rest.add_argument("--from", dest="source", required=True, type=Path, metavar="DIR", help="a directory written by `voicebridge backup`")
    rest.add_argument("--force", action="store_true", help="replace an existing database")


def check_private(path: Path) -> None:
    """Access control on the box: personal data only in files no other account can read."""
    for target in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0
        if mode & 0o077:
            raise VoicebridgeError(f"{target} can be read by other accounts (mode {mode:o}); fix: chmod 600 {target}")


def open_store(config: Config) -> CallStore:
    path = config.database_path
    if not path.exists():
        raise VoicebridgeError(f"no call database at {path} yet; fix: start `voicebridge serve` or check storage.database")
    check_private(path)
    return CallStore(path)


def resolve_tenant(config: Config, store: CallStore, tenant_id: str | None) -> TenantConfig:
    """The configured tenant, or one removed from the config that still has data (so it can still be exported and erased)."""
    tenant_id = tenant_id or config.all_tenants[0].id
    if any(t.id == tenant_id for t in config.all_tenants) or tenant_id not in known_tenants(store.db.conn, config):
        return config.tenant(tenant_id)
    return TenantConfig(tenant_id, tenant_id)


def run(config: Config, args: argparse.Namespace) -> int:
    if args.command == "restore":
        return _restore(config, args)
    store = open_store(config)
    try:
        recordings = RecordingStore.from_config(config)
        if args.command == "backup":
            return _backup(config, store, recordings, args)
        tenant = resolve_tenant(config, store, args.tenant)
        actor = current_actor()
        conn = store.db.conn
        if args.command == "purge":
            retention = retention_for(conn, config, tenant.id)  # the owner's setting from the web app, else [retention]
            print(purge_tenant(conn, recordings, retention, tenant.id, actor, dry_run=args.dry_run).summary())
            return 0
        if args.command == "subject":
            return _subject(config, store, recordings, tenant, actor, args)
        return _audit(AuditLog(conn), tenant, args)
    finally:
        store.close()


def export_calls(store: CallStore, tenant: TenantConfig, out: Path | None) -> str:
    """The pseudonymised export for analysis, audited like any read; written owner-only, or returned for stdout."""
    if out is not None and out.exists():
        raise VoicebridgeError(f"{out} exists; fix: name a new file for the export")
    data = pseudonymised_export(store.db.conn, tenant.id)
    AuditLog(store.db.conn).append(tenant.id, current_actor(), "export", "calls (pseudonymised)", {"calls": len(data["calls"]), "to": str(out or "stdout")})
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        return text
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise VoicebridgeError(f"{out} exists; fix: name a new file for the export") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return f"pseudonymised export of {len(data['calls'])} call(s) (tenant {tenant.id}) written to {out}\n"


def _subject(config: Config, store: CallStore, recordings: RecordingStore, tenant: TenantConfig, actor: str, args: argparse.Namespace) -> int:
    conn = store.db.conn
    if args.subject_command == "export":
        export = subject_export(conn, recordings, config, tenant, args.phone)
        AuditLog(conn).append(tenant.id, actor, "export", f"phone {mask(args.phone)}",
                              {"calls": export.call_ids, "recordings": len(export.recordings), "to": str(args.out)})
        write_subject_export(export, args.out)
        print(f"exported {len(export.call_ids)} call(s) of {mask(args.phone)} (tenant {tenant.id}) to {args.out}: "
              f"export.json, export.txt, {len(export.recordings)} recording(s)")
        return 0
    report = erase_subject(conn, recordings, tenant.id, args.phone, actor, dry_run=not args.yes)
    if report.dry_run:
        raise VoicebridgeError(f"{report.summary()}; nothing was erased yet: add --yes to erase")
    print(report.summary())
    if not report.ok:
        raise VoicebridgeError("erasure not verified: " + "; ".join(report.leftovers))
    print("verified: nothing of it is left in the database, its WAL or free pages, or the recordings directory")
    return 0


def _audit(audit: AuditLog, tenant: TenantConfig, args: argparse.Namespace) -> int:
    if args.audit_command == "list":
        for e in audit.entries(tenant.id, limit=args.limit):
            print(f"#{e.seq:<6} {e.at}  {e.actor:<20} {e.action:<8} {e.target}  {json.dumps(e.detail, ensure_ascii=False)}")
        return 0
    report = audit.verify(tenant.id)
    if not report.ok:
        for problem in report.problems:
            print(f"audit log of tenant {tenant.id}: {problem}")
        return 1
    since = f" from entry {report.first_seq}" if report.first_seq else ""
    print(f"audit log of tenant {tenant.id}: ok, {report.entries} entries{since}; head {report.head} (note it down to detect a rollback)")
    return 0


def _backup(config: Config, store: CallStore, recordings: RecordingStore, args: argparse.Namespace) -> int:
    summary = backup(store.db.conn, recordings, args.out)
    audit = AuditLog(store.db.conn)
    for tenant in known_tenants(store.db.conn, config):
        audit.append(tenant, current_actor(), "backup", str(args.out), {"calls": summary.calls, "recordings": summary.recordings})
    print(f"backup of {summary.calls} call(s) and {summary.recordings} recording(s) written to {args.out} and checked (integrity ok)")
    return 0


def _daemon_listening(config: Config) -> bool:
    try:
        with socket.create_connection((config.server.host, config.server.audiosocket_port), timeout=0.5):
            return True
    except OSError:
        return False


def _restore(config: Config, args: argparse.Namespace) -> int:
    if config.server.audiosocket_port and _daemon_listening(config):
        raise VoicebridgeError(f"voicebridge is running on {config.server.host}:{config.server.audiosocket_port}; fix: stop it before restoring")
    manifest = restore(args.source, config.database_path, RecordingStore.from_config(config), args.force)
    store = CallStore(config.database_path)  # migrates a backup from an older voicebridge
    try:
        audit = AuditLog(store.db.conn)
        for tenant in known_tenants(store.db.conn, config):
            audit.append(tenant, current_actor(), "restore", str(args.source), {"backup_created_at": manifest["created_at"]})
    finally:
        store.close()
    print(f"restored {manifest['calls']} call(s) from {args.source} (made {manifest['created_at']}): checksums, integrity and audit chains ok")
    return 0
