"""Delivering call notes to a real SMTP server (aiosmtpd) and a real HTTP server on loopback: signatures, retries,
the delivery log, restarts, idempotent dispatch, emergencies, and logs that keep names, numbers and secrets out."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.notify_helpers import (
    SMTP_PASSWORD,
    SMTP_USER,
    WEBHOOK_SECRET,
    MailServer,
    WebhookServer,
    deliveries,
    free_port,
    note,
    notify_config,
    open_store,
    our_log,
)
from voicebridge.config import Config
from voicebridge.notify import note_store
from voicebridge.notify.notifier import Notifier
from voicebridge.notify.templates import EMERGENCY, NoteTemplates
from voicebridge.notify.webhook_sender import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from voicebridge.store.call_store import StoreWriter

CALL = "3f2a9c1e-0000-4000-8000-000000000001"
OTHER = "77aa0000-0000-4000-8000-000000000002"

Run = Callable[..., Any]


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Callable[[Config], Any]]:
    """Start notifiers on the test's database; all are stopped and the store closed at the end."""
    writers: list[StoreWriter] = []
    notifiers: list[Notifier] = []

    async def start(config: Config) -> Notifier:
        writer = open_store(tmp_path, CALL, OTHER)
        writers.append(writer)
        notifier = Notifier(config, writer)
        await notifier.start()
        notifiers.append(notifier)
        return notifier

    yield start
    for notifier in notifiers:
        await notifier.stop(grace_s=0.5)
    for writer in writers:
        await writer.close()


@pytest.fixture
def mail() -> Any:
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def hooks() -> Any:
    started: list[WebhookServer] = []

    def make(*statuses: int, delay_s: float = 0.0) -> WebhookServer:
        server = WebhookServer(list(statuses) or [200], delay_s)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


async def until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def mail_config(tmp_path: Path, server: MailServer, **extra: Any) -> Config:
    values: dict[str, Any] = {"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_starttls": False, "smtp_username": SMTP_USER,
                              "smtp_password": SMTP_PASSWORD, "smtp_from": "voicebridge@sanitaer-schulz.de",
                              "recipients": ["buero@sanitaer-schulz.de", "meister@sanitaer-schulz.de"]}
    return notify_config(tmp_path, **{**values, **extra})


async def test_mail_reaches_a_real_smtp_server_with_headers_and_umlauts(tmp_path: Path, running: Any, mail: MailServer, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = await running(mail_config(tmp_path, mail))
    notifier.dispatch(note())
    await notifier.idle()
    assert len(mail.messages) == 2  # one message per recipient, so each has its own retries and log rows
    assert sorted(rcpts[0] for _, rcpts in mail.handler.envelopes) == ["buero@sanitaer-schulz.de", "meister@sanitaer-schulz.de"]
    message = mail.messages[0]
    assert message["From"] == "voicebridge@sanitaer-schulz.de"
    assert message["Subject"] == "Anruf von Jürgen Müller: Heizung im Bad bleibt kalt, Thermostat getauscht"
    assert message["X-Voicebridge-Call"] == CALL
    assert message["X-Priority"] is None  # not an emergency
    assert message["Message-ID"].startswith("<voicebridge-note-1-")
    body = message.get_content()
    assert "Rückruf:        +49 171 23 45 67 89 (bestätigt)" in body
    assert "Lindenstraße 4" in body and "voicebridge calls show " + CALL in body
    log = deliveries(notifier._writer)
    assert [(r["channel"], r["attempt"], r["status"]) for r in log] == [("email", 0, "queued")] * 2 + [("email", 1, "sent")] * 2
    # The note itself, and its mirror on the call row that `calls show`, purge and erasure read.
    row = notifier._writer.store.get_call(CALL)
    assert row is not None and json.loads(row["note"])["name"] == "Jürgen Müller"
    logged = our_log(caplog)
    assert "note 1 stored" in logged and "sent (attempt 1)" in logged
    assert SMTP_PASSWORD not in logged
    for personal in ("Müller", "171", "Lindenstraße", "Heizung", "buero@"):
        assert personal not in logged, personal


async def test_webhook_is_signed_and_verifiable(tmp_path: Path, running: Any, hooks: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    server = hooks(200)
    notifier = await running(notify_config(tmp_path, webhook_url=server.url, webhook_secret=WEBHOOK_SECRET))
    notifier.dispatch(note())
    await notifier.idle()
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request.path == "/hooks/voicebridge?token=query-token-hidden"
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert verify(WEBHOOK_SECRET, headers[TIMESTAMP_HEADER.lower()], request.body, headers[SIGNATURE_HEADER.lower()])
    assert not verify("another secret", headers[TIMESTAMP_HEADER.lower()], request.body, headers[SIGNATURE_HEADER.lower()])
    payload = json.loads(request.body)
    assert payload["event"] == "call_note" and payload["kind"] == "final" and payload["emergency"] is False
    assert payload["note"]["callback_number"] == "+4917123456789" and payload["note"]["name"] == "Jürgen Müller"
    assert payload["text"].startswith("Anrufnotiz für Sanitär Schulz")
    log = deliveries(notifier._writer)
    assert log[-1]["status"] == "sent"
    assert all("token" not in r["recipient"] and r["recipient"].endswith("/hooks/voicebridge") for r in log)  # no query secrets stored
    logged = our_log(caplog)
    assert "webhook to 127.0.0.1" in logged
    assert WEBHOOK_SECRET not in logged and "query-token-hidden" not in logged and "Müller" not in logged


async def test_webhook_retried_after_a_500(tmp_path: Path, running: Any, hooks: Any) -> None:
    server = hooks(500, 200)
    notifier = await running(notify_config(tmp_path, webhook_url=server.url, webhook_secret=WEBHOOK_SECRET))
    notifier.dispatch(note())
    await notifier.idle()
    assert len(server.requests) == 2
    assert [(r["attempt"], r["status"], r["error"]) for r in deliveries(notifier._writer)] == [
        (0, "queued", ""), (1, "retrying", "HTTP 500"), (2, "sent", "")]
    # Every retry is signed afresh and carries the same delivery id, so a receiver can drop a duplicate.
    ids = {r.headers["X-Voicebridge-Delivery"] for r in server.requests}
    assert ids == {"note-1"}


async def test_mail_retried_when_the_smtp_server_comes_up_late(tmp_path: Path, running: Any) -> None:
    late = MailServer(port=free_port())  # nothing listens yet: connection refused
    notifier = await running(mail_config(tmp_path, late, recipients=["buero@sanitaer-schulz.de"], retries=8, backoff_s=0.2, backoff_max_s=0.3))
    notifier.dispatch(note())
    await until(lambda: any(r["status"] == "retrying" for r in deliveries(notifier._writer)))
    late.start()
    try:
        await notifier.idle()
        assert len(late.messages) == 1
        log = deliveries(notifier._writer)
        assert log[-1]["status"] == "sent" and log[-1]["attempt"] >= 2
        assert "ConnectionRefusedError" in log[1]["error"]
    finally:
        late.stop()


async def test_a_note_that_cannot_be_delivered_stays_stored_with_its_failures(tmp_path: Path, running: Any, hooks: Any) -> None:
    server = hooks(503)
    notifier = await running(notify_config(tmp_path, webhook_url=server.url, webhook_secret=WEBHOOK_SECRET, retries=2))
    notifier.dispatch(note())
    await notifier.idle()
    assert len(server.requests) == 3  # the first attempt and two retries
    assert [(r["attempt"], r["status"]) for r in deliveries(notifier._writer)] == [(0, "queued"), (1, "retrying"), (2, "retrying"), (3, "gave_up")]
    conn = notifier._writer.store.db.conn
    stored = note_store.notes_of_call(conn, CALL)
    assert len(stored) == 1 and stored[0].note == note()  # the whole note, not lost
    assert note_store.pending(conn) == []  # given up: not resumed again by a restart


async def test_a_refusing_receiver_is_not_retried(tmp_path: Path, running: Any, hooks: Any) -> None:
    server = hooks(403)
    notifier = await running(notify_config(tmp_path, webhook_url=server.url, webhook_secret=WEBHOOK_SECRET, retries=5))
    notifier.dispatch(note())
    await notifier.idle()
    assert len(server.requests) == 1
    assert deliveries(notifier._writer)[-1]["status"] == "gave_up"


async def test_a_restart_resumes_pending_deliveries(tmp_path: Path, running: Any, hooks: Any) -> None:
    server = hooks(500, 200)
    config = notify_config(tmp_path, webhook_url=server.url, webhook_secret=WEBHOOK_SECRET, retries=5, backoff_s=60.0, backoff_max_s=60.0)
    first = await running(config)
    first.dispatch(note())
    await until(lambda: any(r["status"] == "retrying" for r in deliveries(first._writer)))
    await first.stop(grace_s=1.0)  # the daemon stops while the retry waits a minute
    assert len(server.requests) == 1
    # A note stored but never attempted (the daemon was killed right after storing it) is resumed too.
    conn = first._writer.store.db.conn
    other = note(OTHER)
    note_store.save_note(conn, other, "final", NoteTemplates("Sanitär Schulz", "de").render(other), [("webhook", server.url.split("?")[0])])

    second = await running(config)
    await until(lambda: len(server.requests) == 3)
    await second.idle()
    log = deliveries(second._writer)
    assert sorted((r["note_id"], r["attempt"], r["status"]) for r in log) == [
        (1, 0, "queued"), (1, 1, "retrying"), (1, 2, "sent"), (2, 0, "queued"), (2, 1, "sent")]  # attempts go on counting
    assert note_store.pending(conn) == []
    # After the restart, dispatching the same note again sends nothing: the database remembers it.
    second.dispatch(note())
    await second.idle()
    assert len(server.requests) == 3


async def test_dispatch_is_idempotent_per_call_and_kind(tmp_path: Path, running: Any, mail: MailServer) -> None:
    notifier = await running(mail_config(tmp_path, mail, recipients=["buero@sanitaer-schulz.de"]))
    emergency = note(urgency="emergency", urgency_reason="Wasser läuft aus der Decke")
    notifier.dispatch(emergency, EMERGENCY)
    notifier.dispatch(emergency, EMERGENCY)
    notifier.dispatch(note(urgency="emergency", summary="Endgültige Notiz"))
    notifier.dispatch(note(urgency="emergency", summary="Endgültige Notiz"))
    await notifier.idle()
    assert len(mail.messages) == 2
    by_kind = {m["X-Voicebridge-Note-Kind"]: m for m in mail.messages}  # both go out at once, in either order
    assert set(by_kind) == {"emergency", "final"}
    assert "Endgültige Notiz" in by_kind["final"].get_content() and "Endgültige Notiz" not in by_kind["emergency"].get_content()
    kinds = [n.kind for n in note_store.notes_of_call(notifier._writer.store.db.conn, CALL)]
    assert kinds == ["emergency", "final"]
    assert notifier._dispatched == set()  # stored: the table guards against repeats now, memory keeps nothing per call
    notifier.dispatch(note(urgency="emergency", summary="Noch einmal"))  # a repeat after that is refused by the table
    await notifier.idle()
    assert len(mail.messages) == 2
    with pytest.raises(ValueError):
        notifier.dispatch(note(), "later")


async def test_an_emergency_is_sent_at_once_during_the_call(tmp_path: Path, running: Any, mail: MailServer, hooks: Any) -> None:
    server = hooks(200)
    notifier = await running(mail_config(tmp_path, mail, recipients=["buero@sanitaer-schulz.de"], webhook_url=server.url, webhook_secret=WEBHOOK_SECRET))
    assert notifier._writer.store.get_call(CALL)["ended_at"] is None  # type: ignore[index]  # the call is still going on
    started = time.monotonic()
    notifier.dispatch(note(urgency="emergency", urgency_reason="Wasserrohrbruch"), EMERGENCY)
    await until(lambda: mail.messages and server.requests, timeout=5)
    assert time.monotonic() - started < 3
    message = mail.messages[0]
    assert message["Subject"].startswith("!!! NOTFALL: ")
    assert message["X-Priority"].startswith("1") and message["Importance"] == "high"
    assert message.get_content().replace("\r\n", "\n").startswith("!!! NOTFALL – BITTE SOFORT ZURÜCKRUFEN !!!\nGrund: Wasserrohrbruch")
    assert json.loads(server.requests[0].body)["emergency"] is True
    await notifier.idle()
    stored = note_store.notes_of_call(notifier._writer.store.db.conn, CALL)
    assert stored[0].emergency and stored[0].kind == "emergency"


async def test_dispatch_returns_at_once_and_the_note_is_stored_before_it_is_sent(tmp_path: Path, running: Any, hooks: Any) -> None:
    server = hooks(200, delay_s=1.0)
    notifier = await running(notify_config(tmp_path, webhook_url=server.url, webhook_secret=WEBHOOK_SECRET))
    started = time.perf_counter()
    notifier.dispatch(note())
    assert time.perf_counter() - started < 0.05
    conn = notifier._writer.store.db.conn
    await until(lambda: server.requests)
    assert note_store.notes_of_call(conn, CALL)  # stored while the receiver is still working on it
    assert [r["status"] for r in deliveries(notifier._writer)] == ["queued"]
    await notifier.idle()
    assert [r["status"] for r in deliveries(notifier._writer)] == ["queued", "sent"]


async def test_with_no_channel_the_note_is_still_stored(tmp_path: Path, running: Any) -> None:
    notifier = await running(notify_config(tmp_path))
    notifier.dispatch(note())
    await notifier.idle()
    assert len(note_store.notes_of_call(notifier._writer.store.db.conn, CALL)) == 1
    assert deliveries(notifier._writer) == []


async def test_a_tenants_notes_go_only_to_its_own_recipients(tmp_path: Path, mail: MailServer) -> None:
    from voicebridge.config import parse_config

    config = parse_config({
        "storage": {"database": str(tmp_path / "calls.db")},
        "notify": {"smtp_host": "127.0.0.1", "smtp_port": mail.port, "smtp_starttls": False, "recipients": ["chef@default.de"]},
        "tenants": [{"id": "praxis", "name": "Praxis Weber", "language": "en", "numbers": ["0301111"], "notify_recipients": ["empfang@praxis.de"]},
                    {"id": "quiet", "name": "Quiet Ltd", "numbers": ["0302222"]}],
    })
    writer = open_store(tmp_path, CALL, OTHER, "55aa0000-0000-4000-8000-000000000003")
    notifier = Notifier(config, writer)
    await notifier.start()
    try:
        notifier.dispatch(note(tenant="praxis"))
        notifier.dispatch(note(OTHER, tenant="default"))
        notifier.dispatch(note("55aa0000-0000-4000-8000-000000000003", tenant="quiet"))
        await notifier.idle()
    finally:
        await notifier.stop()
        await writer.close()
    sent = {rcpts[0]: m for (_, rcpts), m in zip(mail.handler.envelopes, mail.messages, strict=True)}
    assert set(sent) == {"empfang@praxis.de", "chef@default.de"}  # "quiet" has no address: its note is stored, not mailed
    assert sent["empfang@praxis.de"]["Subject"].startswith("Call from")  # the tenant's language


async def test_purging_notes_removes_the_stored_notes_too(tmp_path: Path, running: Any) -> None:
    notifier = await running(notify_config(tmp_path))
    notifier.dispatch(note())
    await notifier.idle()
    conn = notifier._writer.store.db.conn
    with conn:
        conn.execute("update calls set note = null where id = ?", [CALL])  # what the retention purge does when notes expire
    assert note_store.notes_of_call(conn, CALL) == []
