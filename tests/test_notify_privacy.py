"""Stored notes and delivery logs under the data-protection rules: erased with the caller, purged with the note, exported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.notify_helpers import note, notify_config
from voicebridge.notify import note_store
from voicebridge.notify.note_store import Delivery
from voicebridge.notify.templates import NoteTemplates
from voicebridge.privacy.erasure import erase_subject
from voicebridge.privacy.export import subject_export
from voicebridge.privacy.purge import purge_tenant
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.store.call_store import CallClosed, CallOpened, CallStore

CALL = "cccc3333-0000-4000-8000-000000000003"
KEPT = "dddd4444-0000-4000-8000-000000000004"
OLD = "2020-01-01T10:00:00.000+00:00"


def stored_calls(tmp_path: Path) -> CallStore:
    store = CallStore(tmp_path / "calls.db")
    templates = NoteTemplates("Sanitär Schulz", "de")
    for call_id, callback in ((CALL, "+4917123456789"), (KEPT, "+4915199998888")):
        store.open_call(CallOpened(call_id, "audiosocket", "de", 8000, caller_number=callback, started_at=OLD))
        store.close_call(CallClosed(call_id, "caller_hangup", ended_at=OLD))
        n = note(call_id, callback_number=callback, name="Jürgen Müller" if call_id == CALL else "Erika Beispiel")
        stored = note_store.save_note(store.db.conn, n, "final", templates.render(n), [("email", "buero@sanitaer-schulz.de")])
        assert stored is not None
        note_store.log_attempt(store.db.conn, Delivery(stored.id, call_id, "email", "buero@sanitaer-schulz.de"), 1, "sent")
    return store


def test_erasing_a_caller_erases_their_notes_and_delivery_logs(tmp_path: Path) -> None:
    store = stored_calls(tmp_path)
    conn = store.db.conn
    report = erase_subject(conn, RecordingStore(tmp_path / "rec", None), "default", "0171 23456789", "test")
    assert report.ok, report.leftovers
    assert report.counts["notes"] == 1 and report.counts["deliveries"] == 2
    assert note_store.notes_of_call(conn, CALL) == []
    assert conn.execute("select count(*) from deliveries where call_id = ?", [CALL]).fetchone()[0] == 0
    assert len(note_store.notes_of_call(conn, KEPT)) == 1  # another caller's note stays
    assert b"J\xc3\xbcrgen" not in (tmp_path / "calls.db").read_bytes()


def test_the_retention_purge_takes_the_stored_notes_with_it(tmp_path: Path) -> None:
    store = stored_calls(tmp_path)
    conn = store.db.conn
    config = notify_config(tmp_path)
    ended = (datetime.now(UTC) - timedelta(days=120)).isoformat(timespec="milliseconds")  # notes (90 days) due, the call (180) not
    with conn:
        conn.execute("update calls set ended_at = ?", [ended])
    result = purge_tenant(conn, RecordingStore(tmp_path / "rec", None), config.retention, "default", "test")
    assert result.counts["calls"] == 0 and result.counts["notes"] == 2
    assert conn.execute("select count(*) from notes").fetchone()[0] == 0
    assert conn.execute("select count(*) from deliveries").fetchone()[0] == 4  # the delivery log goes with the call, later


def test_a_subject_export_contains_the_stored_notes(tmp_path: Path) -> None:
    store = stored_calls(tmp_path)
    config = notify_config(tmp_path)
    export = subject_export(store.db.conn, RecordingStore(tmp_path / "rec", None), config, config.tenant("default"), "+49 171 23456789")
    assert export.call_ids == [CALL]
    text = repr(export)
    assert "Anrufnotiz für Sanitär Schulz" in text and "buero@sanitaer-schulz.de" in text
