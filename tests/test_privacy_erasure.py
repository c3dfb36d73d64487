"""Erasure of a data subject: every row and recording of theirs goes, their number is removed from other callers' text,
and afterwards none of their text is left in the bytes of the .db, -wal or -shm file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.privacy_helpers import OLD, add_call, raw_bytes
from voicebridge.privacy.audit_log import AuditLog
from voicebridge.privacy.erasure import erase_subject
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.store.call_store import CallStore

SUBJECT = "+49 171 2345678"
SUBJECT_TEXTS = ("ZEBRA-7731 die Heizung im Keller tropft", "ZEBRA-7732 ich bin Erika Mustermann aus der Lindenstraße 4")
OTHER_TEXTS = ("OKAPI-4410 bitte Rückruf wegen Dachrinne", "Rufen Sie auch 0171 2345678 an, OKAPI-4411")


@pytest.fixture
def setup(tmp_path: Path) -> tuple[CallStore, RecordingStore]:
    store = CallStore(tmp_path / "calls.db")
    recordings = RecordingStore(tmp_path / "recordings", bytes(range(32)))
    add_call(store, "subject-call-1", caller=SUBJECT, texts=SUBJECT_TEXTS[:1])
    # Identified by the number they gave to be called back on, from a withheld number.
    add_call(store, "subject-call-2", caller=None, texts=SUBJECT_TEXTS[1:],
             note={"name": "Erika Mustermann", "callback_number": "0171/2345678", "concern": "ZEBRA-7733 Heizung", "urgency": "soon"})
    add_call(store, "other-call", caller="+49 30 5550001", texts=OTHER_TEXTS, note={"name": "Otto Okapi", "concern": "OKAPI-4412"})
    add_call(store, "other-tenant", caller=SUBJECT, texts=("GIRAFFE-9901 same caller, other business",), tenant="praxis")
    # The note as it was mailed to the business and its delivery log (found through their call_id columns).
    store.db.execute(
        "insert into notes (call_id, tenant, kind, created_at, urgency, emergency, json, subject, body) "
        "values ('subject-call-1', 'default', 'final', ?, 'soon', 0, '{}', 'Rückruf Erika Mustermann', 'ZEBRA-7734 mail body')", [OLD]
    )
    store.db.execute(
        "insert into deliveries (note_id, call_id, channel, recipient, attempt, status, error, at) "
        "values (1, 'subject-call-1', 'email', 'office@example.com', 1, 'sent', 'ZEBRA-7735 smtp said', ?)", [OLD]
    )
    store.db.conn.commit()
    for cid in ("subject-call-1", "other-call"):
        rec = recordings.start("default", cid, 8000)
        rec.write(b"\x01\x02" * 8000)
        rec.close()
    return store, recordings


def test_erasure_leaves_no_trace_in_the_files_bytes(setup: tuple[CallStore, RecordingStore]) -> None:
    store, recordings = setup
    other_reader = CallStore(store.path)  # the running daemon's connection, idle between writes
    before = raw_bytes(store.path)
    assert b"ZEBRA-7731" in before and b"ZEBRA-7735" in before  # the check below can see text where it is
    report = erase_subject(store.db.conn, recordings, "default", "0049-171-2345678", "cli:alice")
    assert report.ok, report.leftovers
    # Tables holding nothing of the subject (the web app's call state and remarks) count 0 and are left out here.
    assert {k: n for k, n in report.counts.items() if n} == {"calls": 2, "turns": 2, "notes": 1, "deliveries": 1, "recordings": 1, "mentions_elsewhere": 1}
    data = raw_bytes(store.path)
    erased = (b"ZEBRA-7731", b"ZEBRA-7732", b"ZEBRA-7733", b"ZEBRA-7734", b"ZEBRA-7735", b"Erika Mustermann", b"0171/2345678", b"0171 2345678")
    for marker in (*erased, b"subject-call-"):
        assert marker not in data, marker
    # The same caller's call to another tenant is that business's data: erasure is scoped to one tenant.
    assert store.db.execute("select id from calls where caller_number = ?", [SUBJECT]).fetchall() == [("other-tenant",)]
    assert b"OKAPI-4410" in data and b"OKAPI-4412" in data and b"GIRAFFE-9901" in data  # others' data and the other tenant's stay
    assert [r.call_id for r in recordings.files()] == ["other-call"]
    other_texts = [t["text"] for t in store.turns("other-call")]
    assert other_texts[1] == "Rufen Sie auch [erased] an, OKAPI-4411"  # the number said in someone else's call
    assert store.get_call("other-tenant") is not None
    entry = AuditLog(store.db.conn).entries("default")[-1]
    assert entry.action == "erase" and entry.target == "phone +49********78" and "2345678" not in str(entry.detail)
    other_reader.close()


def test_verification_finds_text_that_is_still_there(setup: tuple[CallStore, RecordingStore]) -> None:
    """The check is real: text copied into a table erasure does not know about is reported, without repeating it."""
    store, recordings = setup
    store.db.execute("create table scratch (copy text)")
    store.db.execute("insert into scratch select text from turns where call_id = 'subject-call-1'")
    store.db.conn.commit()
    report = erase_subject(store.db.conn, recordings, "default", SUBJECT, "cli:alice")
    assert report.ok  # the copy is live data in a table: kept, and so explained
    store.db.execute("delete from scratch")  # now delete it without secure_delete or VACUUM
    store.db.execute("pragma secure_delete = off")
    store.db.conn.commit()
    from voicebridge.privacy.erasure import verify_erased

    leftovers = verify_erased(store.db.conn, recordings, "default", SUBJECT, ["subject-call-1"], ["ZEBRA-7731 die Heizung im Keller tropft"])
    assert leftovers and "still readable in the bytes of calls.db" in leftovers[0] and "ZEBRA" not in leftovers[0]


def test_dry_run_erases_nothing(setup: tuple[CallStore, RecordingStore]) -> None:
    store, recordings = setup
    report = erase_subject(store.db.conn, recordings, "default", SUBJECT, "cli:alice", dry_run=True)
    assert report.dry_run and report.counts["calls"] == 2
    assert store.get_call("subject-call-1") is not None and len(list(recordings.files())) == 2
    assert AuditLog(store.db.conn).entries("default") == []


def test_an_unknown_number_erases_nothing_but_is_audited(setup: tuple[CallStore, RecordingStore]) -> None:
    store, recordings = setup
    report = erase_subject(store.db.conn, recordings, "default", "+1 555 0100 999", "cli:alice")
    assert report.ok and report.counts["calls"] == 0 and len(store.list_calls(10)) == 4
    assert AuditLog(store.db.conn).entries("default")[-1].action == "erase"
