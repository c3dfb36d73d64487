"""Real servers on loopback for the notification tests: an aiosmtpd SMTP server and an HTTP server that records webhooks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import make_config
from voicebridge.config import Config
from voicebridge.dialogue.call_note import AppointmentWindow, CallNote
from voicebridge.store.call_store import CallOpened, CallStore, StoreWriter

SMTP_USER = "vb-mailer"
SMTP_PASSWORD = "s3cret-smtp-password-42"
WEBHOOK_SECRET = "whsec-7f1c2b9a-do-not-log"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float = 10.0, what: str | None = None, every: float = 0.02) -> Any:
    """check()'s first truthy value, polled every `every` s; an AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}" if what else "condition not met in time")


class MailHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


class MailServer:
    """aiosmtpd on 127.0.0.1 with LOGIN/PLAIN auth (plain text allowed: loopback only); can be started late to play 'down then up'."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = MailHandler()
        self.controller: Controller | None = None

    def start(self) -> MailServer:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, authenticator=_authenticator,
                                     auth_require_tls=False, auth_required=False)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages


@dataclass
class WebhookRequest:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookServer:
    """A real HTTP server in a thread; answers with `statuses` in turn (the last one repeats)."""

    statuses: list[int] = field(default_factory=lambda: [200])
    delay_s: float = 0.0
    requests: list[WebhookRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests.append(WebhookRequest(self.path, {k: v for k, v in self.headers.items()}, body))
                time.sleep(outer.delay_s)
                status = outer.statuses[min(len(outer.requests) - 1, len(outer.statuses) - 1)]
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/voicebridge?token=query-token-hidden"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def note(call_id: str = "3f2a9c1e-0000-4000-8000-000000000001", **changes: Any) -> CallNote:
    values: dict[str, Any] = {
        "call_id": call_id,
        "tenant": "default",
        "language": "de",
        "started_at": "2025-11-25T09:14:03+01:00",
        "caller_number": "+4930998877",
        "name": "Jürgen Müller",
        "callback_number": "+4917123456789",
        "callback_confirmed": True,
        "address": "Lindenstraße 4, 10115 Berlin",
        "concern": "Heizung im Bad bleibt kalt, Thermostat getauscht",
        "urgency": "soon",
        "preferred_window": AppointmentWindow("morgen Vormittag (26.11., 8–12 Uhr)", "2025-11-26T08:00:00+01:00", "2025-11-26T12:00:00+01:00"),
        "intent": "appointment",
        "summary": "Herr Müller meldet eine kalte Heizung im Bad und bittet um einen Termin.",
        "missing": ("company",),
    }
    values.update(changes)
    return CallNote(**values)


def notify_config(tmp_path: Path, **notify: Any) -> Config:
    values: dict[str, Any] = {"retries": 3, "backoff_s": 0.05, "backoff_max_s": 0.2, "timeout_s": 5.0}
    values.update(notify)
    return make_config(tmp_path, business={"language": "de", "name": "Sanitär Schulz"}, notify=values)


def open_store(tmp_path: Path, *call_ids: str, tenant: str = "default") -> StoreWriter:
    store = CallStore(tmp_path / "calls.db")
    for call_id in call_ids:
        if store.get_call(call_id) is None:
            store.open_call(CallOpened(call_id, "audiosocket", "de", 8000, caller_number="+4930998877", tenant=tenant))
    return StoreWriter(store)


def our_log(caplog: Any) -> str:
    """What voicebridge itself logged (the test servers log their own traffic)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("voicebridge"))


def deliveries(writer: StoreWriter) -> list[dict[str, Any]]:
    return list(writer.store.db.query("select note_id, channel, recipient, attempt, status, error from deliveries order by id"))
