"""Webhook delivery: the note POSTed as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>" so a receiver can reject forgeries and replays.

Blocking (urllib); run it in a thread. No proxies, no redirects: the note goes to the configured URL or nowhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

from voicebridge import __version__
from voicebridge.notify.delivery_error import DeliveryError
from voicebridge.notify.note_store import StoredNote

SIGNATURE_HEADER = "X-Voicebridge-Signature"
TIMESTAMP_HEADER = "X-Voicebridge-Timestamp"
DELIVERY_HEADER = "X-Voicebridge-Delivery"
REPLAY_WINDOW_S = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None, window_s: float = REPLAY_WINDOW_S) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent (a replayed request is old)."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= window_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


def public_url(url: str) -> str:
    """The URL without user, password and query, as it may be stored in the delivery log and shown."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def payload(stored: StoredNote) -> bytes:
    data = {
        "event": "call_note",
        "kind": stored.kind,
        "note_id": stored.id,
        "call_id": stored.call_id,
        "tenant": stored.tenant,
        "emergency": stored.emergency,
        "created_at": stored.created_at,
        "subject": stored.subject,
        "text": stored.body,
        "note": stored.note.to_dict(),
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx answer becomes an HTTPError: a failed attempt


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def post_webhook(url: str, secret: str, stored: StoredNote, timeout_s: float) -> None:
    body = payload(stored)
    timestamp = str(int(time.time()))
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"voicebridge/{__version__}",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        DELIVERY_HEADER: f"note-{stored.id}",  # the same on every retry: a receiver can drop duplicates
    })
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        # 408 and 429 ask to come back later, 5xx are the receiver's trouble; any other 4xx will not change by retrying.
        raise DeliveryError(f"HTTP {exc.code}", permanent=400 <= exc.code < 500 and exc.code not in (408, 429)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise DeliveryError(f"{type(reason).__name__}: {reason}") from None
