"""`voicebridge notes`, `notes show` and the note in `calls show`, run as an operator runs them (real processes), and the
one-line error for a bad template at start-up."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.notify_helpers import note
from tests.test_cli import assert_one_line_error, run_cli, write_config
from voicebridge.notify import note_store
from voicebridge.notify.note_store import Delivery
from voicebridge.notify.templates import EMERGENCY, NoteTemplates
from voicebridge.store.call_store import CallOpened, CallStore

QUIET = "aaaa1111-0000-4000-8000-000000000001"
URGENT = "bbbb2222-0000-4000-8000-000000000002"


def prepared(tmp_path: Path) -> Path:
    """A database as the daemon leaves it: two calls with notes, one an emergency that failed once before it was mailed."""
    config = write_config(tmp_path)
    store = CallStore(tmp_path / "calls.db")
    templates = NoteTemplates("Miller Plumbing", "en")
    for call_id in (QUIET, URGENT):
        store.open_call(CallOpened(call_id, "audiosocket", "en", 8000, caller_number="+4930998877"))
    conn = store.db.conn
    quiet = note(QUIET, language="en")
    note_store.save_note(conn, quiet, "final", templates.render(quiet), [])
    urgent = note(URGENT, language="en", urgency="emergency", urgency_reason="burst pipe")
    stored = note_store.save_note(conn, urgent, EMERGENCY, templates.render(urgent, EMERGENCY), [("email", "office@miller.example")])
    assert stored is not None
    delivery = Delivery(stored.id, URGENT, "email", "office@miller.example")
    note_store.log_attempt(conn, delivery, 1, "retrying", "ConnectionRefusedError: [Errno 111] Connection refused")
    note_store.log_attempt(conn, delivery, 2, "sent")
    store.close()
    return config


def test_notes_lists_newest_first_and_filters_emergencies(tmp_path: Path) -> None:
    config = prepared(tmp_path)
    listing = run_cli("--config", str(config), "notes")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(URGENT) and "EMERGENCY" in lines[0] and "sent 1/1" in lines[0] and "!!! EMERGENCY: Call from Jürgen Müller" in lines[0]
    assert lines[1].startswith(QUIET) and "stored (no channels)" in lines[1]
    only = run_cli("--config", str(config), "notes", "--emergencies", "--limit", "5")
    assert only.returncode == 0 and len(only.stdout.splitlines()) == 1 and URGENT in only.stdout


def test_notes_show_renders_the_note_with_its_delivery_log(tmp_path: Path) -> None:
    config = prepared(tmp_path)
    shown = run_cli("--config", str(config), "notes", "show", URGENT[:8])
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "** EMERGENCY **" in out
    assert "!!! EMERGENCY – PLEASE CALL BACK NOW !!!" in out and "Reason: burst pipe" in out
    assert "Call back:      +49 171 23 45 67 89 (confirmed)" in out
    assert "attempt 1  retrying  ConnectionRefusedError" in out and "attempt 2  sent" in out
    as_json = json.loads(run_cli("--config", str(config), "notes", "show", URGENT, "--json").stdout)
    assert [d["status"] for d in as_json[0]["deliveries"]] == ["queued", "retrying", "sent"]
    assert as_json[0]["note"]["urgency_reason"] == "burst pipe"
    # Each read is in the tenant's audit log, with the call and the notes shown; never the note's text.
    with sqlite3.connect(tmp_path / "calls.db") as conn:
        rows = conn.execute("select action, target, detail from audit_log order by seq").fetchall()
    assert [(a, t) for a, t, _ in rows] == [("read", URGENT), ("read", URGENT)]
    assert all("Müller" not in d for _, _, d in rows)


def test_calls_show_prints_the_rendered_note_and_deliveries(tmp_path: Path) -> None:
    config = prepared(tmp_path)
    shown = run_cli("--config", str(config), "calls", "show", URGENT)
    assert shown.returncode == 0, shown.stderr
    assert "note 2 (emergency)" in shown.stdout and "Concern:        Heizung im Bad" in shown.stdout
    assert "deliveries:" in shown.stdout and "attempt 2  sent" in shown.stdout
    assert '"callback_number"' not in shown.stdout  # the rendered note replaces the raw JSON
    as_json = json.loads(run_cli("--config", str(config), "calls", "show", URGENT, "--json").stdout)
    assert as_json["notes"][0]["kind"] == "emergency"


def test_notes_errors_are_one_line(tmp_path: Path) -> None:
    config = prepared(tmp_path)
    assert_one_line_error(run_cli("--config", str(config), "notes", "show", "ffff"), "no single call with notes", "voicebridge notes")
    assert_one_line_error(run_cli("--config", str(config), "notes", "--limit", "0"), "at least 1")
    (tmp_path / "fresh").mkdir()
    empty = write_config(tmp_path / "fresh")
    assert_one_line_error(run_cli("--config", str(empty), "notes"), "no call database")


def test_a_bad_template_stops_serve_with_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, extra='[notify]\nsummary_template = "Kunde $kunde"\n')
    result = run_cli("--config", str(config), "serve", timeout=60)
    assert_one_line_error(result, "'notify.summary_template'", "$kunde")
