"""The data-protection commands as an operator runs them: real `voicebridge` processes on a real SQLite file."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.privacy_helpers import add_call, raw_bytes, voiced
from voicebridge.privacy.audit_log import AuditLog
from voicebridge.privacy.backup import backup
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.store.call_store import CallStore

VOICEBRIDGE = [sys.executable, "-m", "voicebridge"]
KEY = "42" * 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A config with two tenants and encrypted recordings, and a database with calls of both."""
    key = tmp_path / "recording.key"
    key.write_text(KEY)
    key.chmod(0o600)
    config = tmp_path / "voicebridge.toml"
    config.write_text(f"""
[server]
audiosocket_port = {free_port()}
[storage]
database = "{tmp_path / 'data' / 'calls.db'}"
[business]
name = "Sanitär Huber"
[privacy]
recording_key_file = "{key}"
[[tenants]]
id = "praxis"
name = "Praxis Dr. Weber"
numbers = ["+49 30 1111"]
""", encoding="utf-8")
    store = CallStore(tmp_path / "data" / "calls.db")
    add_call(store, "huber-call-0001", caller="+49 171 2345678", texts=("PELIKAN-1 Wasserrohrbruch im Bad", "Wie ist Ihr Name?"),
             note={"name": "Erika Muster", "callback_number": "0171 2345678", "concern": "PELIKAN-2", "urgency": "emergency"})
    add_call(store, "huber-call-0002", caller="+49 89 555000", texts=("FLAMINGO-1 Angebot für eine Heizung",))
    add_call(store, "praxis-call-0001", caller="+49 171 2345678", texts=("KOLIBRI-1 Termin verschieben",), tenant="praxis")
    rec = RecordingStore(tmp_path / "data" / "recordings", bytes.fromhex(KEY)).start("default", "huber-call-0001", 8000)
    rec.write(voiced(1.0))
    rec.close()
    store.close()
    return config


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VOICEBRIDGE, "--config", str(config), *args], capture_output=True, text=True, timeout=60)


def db_of(config: Path) -> Path:
    return config.parent / "data" / "calls.db"


def audit_entries(config: Path, tenant: str = "default") -> list[tuple[str, str]]:
    store = CallStore(db_of(config))
    try:
        return [(e.action, e.target) for e in AuditLog(store.db.conn).entries(tenant)]
    finally:
        store.close()


def test_reads_are_scoped_to_one_tenant_and_audited(site: Path) -> None:
    listing = cli(site, "calls", "list")
    assert listing.returncode == 0 and "huber-call-0001" in listing.stdout and "praxis-call" not in listing.stdout
    praxis = cli(site, "--tenant", "praxis", "calls", "list")
    assert "praxis-call-0001" in praxis.stdout and "huber-call" not in praxis.stdout
    hidden = cli(site, "calls", "show", "praxis-call")  # another tenant's call does not exist for this one
    assert hidden.returncode == 2 and hidden.stderr.count("\n") == 1 and "no single call of tenant default" in hidden.stderr
    shown = cli(site, "--tenant", "praxis", "calls", "show", "praxis-call")
    assert shown.returncode == 0 and "KOLIBRI-1" in shown.stdout
    unknown = cli(site, "--tenant", "nope", "calls", "list")
    assert unknown.returncode == 2 and "known tenants: default, praxis" in unknown.stderr
    assert audit_entries(site) == [("read", "calls list")]
    assert audit_entries(site, "praxis") == [("read", "calls list"), ("read", "praxis-call-0001")]


def test_subject_export_writes_json_text_and_recordings(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "for-erika"
    result = cli(site, "subject", "export", "--phone", "0171-2345678", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "exported 1 call(s) of 0********78 (tenant default)" in result.stdout and "1 recording(s)" in result.stdout
    data = json.loads((out / "export.json").read_text())
    [call] = data["calls"]
    assert call["id"] == "huber-call-0001" and call["note"]["name"] == "Erika Muster" and data["controller"] == "Sanitär Huber"
    assert [t["text"] for t in call["turns"]] == ["PELIKAN-1 Wasserrohrbruch im Bad", "Wie ist Ihr Name?"]
    assert data["retention_days"]["transcripts"] == 30
    text = (out / "export.txt").read_text()
    assert "Caller: PELIKAN-1 Wasserrohrbruch im Bad" in text and "Recording: recordings/huber-call-0001.wav" in text
    wav = out / "recordings" / "huber-call-0001.wav"
    assert wav.read_bytes()[:4] == b"RIFF" and voiced(1.0)[:64] in wav.read_bytes()  # decrypted for the caller
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in (out / "export.json", out / "export.txt", wav)} == {0o600}
    assert audit_entries(site)[-1] == ("export", "phone 0********78")
    assert cli(site, "subject", "export", "--phone", "12", "--out", str(tmp_path / "x")).returncode == 2  # not a number


def test_subject_erase_needs_yes_then_leaves_nothing(site: Path) -> None:
    dry = cli(site, "subject", "erase", "--phone", "+491712345678")
    assert dry.returncode == 2 and "would erase 1 calls" in dry.stderr and "add --yes" in dry.stderr
    assert b"PELIKAN-1" in raw_bytes(db_of(site))
    done = cli(site, "subject", "erase", "--phone", "+491712345678", "--yes")
    assert done.returncode == 0, done.stderr
    assert "erased 1 calls, 2 turns, 1 recordings" in done.stdout and "verified: nothing of it is left" in done.stdout
    data = raw_bytes(db_of(site))
    assert b"PELIKAN" not in data and b"Erika Muster" not in data and b"huber-call-0001" not in data
    assert b"FLAMINGO-1" in data and b"KOLIBRI-1" in data  # another caller, and the same caller at another tenant
    assert not list((site.parent / "data" / "recordings").rglob("*.enc"))
    assert audit_entries(site)[-1] == ("erase", "phone +49********78")


def test_purge_command_counts_into_the_audit_log(site: Path) -> None:
    dry = cli(site, "purge", "--dry-run")
    assert dry.returncode == 0 and dry.stdout.strip() == "tenant default: would delete 2 calls, 3 turns, 1 recordings"
    assert audit_entries(site) == []
    done = cli(site, "purge")
    assert done.stdout.strip() == "tenant default: deleted 2 calls, 3 turns, 1 recordings"
    store = CallStore(db_of(site))
    assert [r["id"] for r in store.list_calls(10)] == ["praxis-call-0001"]  # scoped: praxis is purged with --tenant praxis
    [entry] = AuditLog(store.db.conn).entries("default")
    assert entry.action == "purge" and entry.detail["deleted"]["calls"] == 2
    store.close()


def test_audit_verify_names_a_tampered_entry(site: Path) -> None:
    for _ in range(3):
        cli(site, "calls", "list")
    ok = cli(site, "audit", "verify")
    assert ok.returncode == 0 and "audit log of tenant default: ok, 3 entries" in ok.stdout
    conn = sqlite3.connect(db_of(site))
    conn.execute("drop trigger audit_log_no_update")
    conn.execute("update audit_log set actor = 'cli:nobody' where seq = 2")
    conn.commit()
    conn.close()
    bad = cli(site, "audit", "verify")
    assert bad.returncode == 1 and bad.stdout.strip() == "audit log of tenant default: entry 2 was altered: its content does not match its hash"


def test_backup_and_restore_round_trip(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup-1"
    made = cli(site, "backup", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert "backup of 3 call(s) and 1 recording(s)" in made.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {"calls.db", "recordings/default/huber-call-0001.wav.enc"}
    assert stat.S_IMODE((out / "calls.db").stat().st_mode) == 0o600 and not (out / "calls.db-wal").exists()
    store = CallStore(db_of(site))
    add_call(store, "after-backup", texts=("written later",))
    store.close()
    refused = cli(site, "restore", "--from", str(out))
    assert refused.returncode == 2 and "pass --force" in refused.stderr
    restored = cli(site, "restore", "--from", str(out), "--force")
    assert restored.returncode == 0, restored.stderr
    assert "restored 3 call(s)" in restored.stdout and "audit chains ok" in restored.stdout
    store = CallStore(db_of(site))
    assert store.get_call("after-backup") is None and len(store.turns("huber-call-0001")) == 2
    assert store.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    store.close()
    assert cli(site, "audit", "verify").returncode == 0
    assert audit_entries(site)[-1] == ("restore", str(out))


def test_a_damaged_backup_and_a_running_daemon_are_refused(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup-2"
    assert cli(site, "backup", "--out", str(out)).returncode == 0
    copy = bytearray((out / "calls.db").read_bytes())
    copy[-100] ^= 0xFF
    (out / "calls.db").write_bytes(bytes(copy))
    damaged = cli(site, "restore", "--from", str(out), "--force")
    assert damaged.returncode == 2 and "does not match its checksum" in damaged.stderr
    port = int(next(line for line in site.read_text().splitlines() if line.startswith("audiosocket_port")).split("=")[1])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        running = cli(site, "restore", "--from", str(out), "--force")
    assert running.returncode == 2 and "stop it before restoring" in running.stderr


def test_a_database_other_accounts_can_read_is_refused(site: Path) -> None:
    os.chmod(db_of(site), 0o644)
    result = cli(site, "calls", "list")
    assert result.returncode == 2 and f"fix: chmod 600 {db_of(site)}" in result.stderr


def test_backup_is_consistent_while_calls_are_written(tmp_path: Path) -> None:
    """The backup API copies one snapshot: every turn in the copy has its call, and the copy passes integrity_check."""
    writer = CallStore(tmp_path / "calls.db")
    stop = threading.Event()

    written = threading.Event()

    def write() -> None:
        i = 0
        while not stop.is_set():
            add_call(writer, f"c{i}", texts=("a", "b", "c"))
            i += 1
            if i == 20:
                written.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert written.wait(10)
        reader = CallStore(tmp_path / "calls.db")
        summary = backup(reader.db.conn, RecordingStore(tmp_path / "recordings", None), tmp_path / "backup")
    finally:
        stop.set()
        thread.join()
    copy = sqlite3.connect(tmp_path / "backup" / "calls.db")
    assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert copy.execute("pragma foreign_key_check").fetchall() == []
    assert copy.execute("select count(*) from calls").fetchone()[0] == summary.calls > 0


def test_pseudonymised_export_to_a_private_file(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "analysis.json"
    result = cli(site, "calls", "export", "--out", str(out))
    assert result.returncode == 0 and "pseudonymised export of 2 call(s) (tenant default)" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    assert "PELIKAN-1" in text and "Erika" not in text and "2345678" not in text and "huber-call" not in text
    assert json.loads(text)["calls"][0]["note"]["name"] == "PERSON_1"
    again = cli(site, "calls", "export", "--out", str(out))
    assert again.returncode == 2 and "exists" in again.stderr and again.stderr.count("\n") == 1
    assert audit_entries(site) == [("export", "calls (pseudonymised)")]
