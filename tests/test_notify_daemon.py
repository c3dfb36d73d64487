"""The notifier inside the real daemon: a call over AudioSocket ends, and its note reaches a real webhook, signed, and the notes table."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from tests.callsim import greet_and_wait, wait_call_closed
from tests.conftest import DaemonFactory
from tests.notify_helpers import WEBHOOK_SECRET, WebhookServer
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
