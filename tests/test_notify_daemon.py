"""The notifier inside the real daemon: a call over AudioSocket ends, and its note reaches a real webhook, signed, and the notes table."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.callsim import greet_and_wait, wait_call_closed
from tests.conftest import DaemonFactory
from tests.notify_helpers import WEBHOOK_SECRET, MailServer, WebhookServer, free_port
from voicebridge.notify import note_store
from voicebridge.notify.webhook_sender import verify
from voicebridge.transport.audiosocket_client import AsteriskPeer

pytestmark = pytest.mark.e2e


async def test_a_finished_call_is_stored_and_posted(start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    server = WebhookServer([200])
    try:
        daemon = await start_daemon(notify={"webhook_url": server.url, "webhook_secret": WEBHOOK_SECRET, "backoff_s": 0.1})
        assert daemon.audiosocket is not None and daemon.services is not None and daemon.services.notifier is daemon.notifier
        speech = say("Hello, my name is Peter Smith. My kitchen sink is blocked.")
        peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
        await greet_and_wait(peer)
        sent = await peer.say(speech)
        assert await peer.wait_for_speech(sent.last_sample_at, 30) is not None
        await peer.hang_up()
        await wait_call_closed(daemon, peer.call_id)
        for _ in range(300):  # the note is handed over after the hang-up and sent in the background
            if server.requests:
                break
            await asyncio.sleep(0.1)
        assert server.requests, "no webhook arrived"
        assert daemon.notifier is not None
        await asyncio.wait_for(daemon.notifier.idle(), 10)
        request = server.requests[0]
        assert verify(WEBHOOK_SECRET, request.headers["X-Voicebridge-Timestamp"], request.body, request.headers["X-Voicebridge-Signature"])
        payload = json.loads(request.body)
        assert payload["call_id"] == peer.call_id and payload["kind"] == "final"
        assert "sink" in payload["note"]["concern"].lower()
        stored = note_store.notes_of_call(daemon.services.store.store.db.conn, peer.call_id)
        assert [n.kind for n in stored] == ["final"]
    finally:
        server.stop()


async def test_the_mail_server_down_during_four_calls_and_every_note_arrives_when_it_returns(
        start_daemon: DaemonFactory, say: Callable[..., bytes]) -> None:
    # SMTP is down while four calls run and end: each note is stored, its mail retried, and all four arrive once the
    # server is up; the calls themselves never wait on the mail.
    mail = MailServer(port=free_port())  # nothing listens yet: connection refused
    daemon = await start_daemon(notify={"smtp_host": "127.0.0.1", "smtp_port": mail.port, "smtp_starttls": False,
                                        "recipients": ["buero@sanitaer-schulz.de"], "retries": 20, "backoff_s": 0.2, "backoff_max_s": 0.5})
    assert daemon.audiosocket is not None and daemon.services is not None and daemon.notifier is not None
    speech = say("Hello, my name is Peter Smith. My kitchen sink is blocked.")

    async def call() -> str:
        assert daemon.audiosocket is not None
        peer = AsteriskPeer("127.0.0.1", daemon.audiosocket.port)
        await greet_and_wait(peer)
        sent = await peer.say(speech)
        assert await peer.wait_for_speech(sent.last_sample_at, 30) is not None, "a call waited on the mail server"
        await peer.hang_up()
        await wait_call_closed(daemon, peer.call_id)
        return peer.call_id

    call_ids = await asyncio.gather(*(call() for _ in range(4)))
    conn = daemon.services.store.store.db.conn
    for _ in range(300):  # every note stored, and its mail failed at least once
        if all(note_store.notes_of_call(conn, c) for c in call_ids) and len(retrying(conn)) >= 4:
            break
        await asyncio.sleep(0.1)
    assert all([n.kind for n in note_store.notes_of_call(conn, c)] == ["final"] for c in call_ids)
    assert {row[0] for row in retrying(conn)} >= set(call_ids), "a note's mail was not retried"
    mail.start()
    try:
        await asyncio.wait_for(daemon.notifier.idle(), 30)
        assert len(mail.messages) == 4
        assert all("sink" in m.get_content().lower() for m in mail.messages)
    finally:
        mail.stop()


def retrying(conn: Any) -> list[tuple[str]]:
    """Calls whose mail delivery failed and is waiting for another attempt."""
    return conn.execute("select distinct call_id from deliveries where channel = 'email' and status = 'retrying'").fetchall()
