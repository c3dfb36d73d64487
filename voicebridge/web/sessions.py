"""Signed-in sessions: a random token in an HttpOnly cookie, only its SHA-256 in the database, a CSRF token per session,
and an idle timeout after which the session is gone."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from voicebridge.web.users import User, user_by_id

SESSION_COOKIE = "vb_session"
TOUCH_EVERY_S = 30  # last_seen_at is written at most this often, not on every request


@dataclass(frozen=True)
class WebSession:
    user: User
    csrf: str
    token_hash: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def create_session(conn: sqlite3.Connection, user: User, now: datetime | None = None) -> tuple[str, WebSession]:
    now = now or datetime.now(UTC)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with conn:
        conn.execute("insert into web_sessions (token_hash, user_id, csrf, created_at, last_seen_at) values (?, ?, ?, ?, ?)",
                     [_digest(token), user.id, csrf, _stamp(now), _stamp(now)])
    return token, WebSession(user, csrf, _digest(token))


def load_session(conn: sqlite3.Connection, token: str | None, idle_minutes: int, now: datetime | None = None) -> WebSession | None:
    """The session of this cookie if it is still live; an idle one is deleted."""
    if not token:
        return None
    now = now or datetime.now(UTC)
    digest = _digest(token)
    row = conn.execute("select user_id, csrf, last_seen_at from web_sessions where token_hash = ?", [digest]).fetchone()
    if row is None:
        return None
    seen = datetime.fromisoformat(row[2])
    if now - seen > timedelta(minutes=idle_minutes):
        with conn:
            conn.execute("delete from web_sessions where token_hash = ?", [digest])
        return None
    user = user_by_id(conn, int(row[0]))
    if user is None:
        return None
    if (now - seen).total_seconds() >= TOUCH_EVERY_S:
        with conn:
            conn.execute("update web_sessions set last_seen_at = ? where token_hash = ?", [_stamp(now), digest])
    return WebSession(user, str(row[1]), digest)


def end_session(conn: sqlite3.Connection, token_hash: str) -> None:
    with conn:
        conn.execute("delete from web_sessions where token_hash = ?", [token_hash])


def forget_idle(conn: sqlite3.Connection, idle_minutes: int, now: datetime | None = None) -> int:
    cutoff = _stamp((now or datetime.now(UTC)) - timedelta(minutes=idle_minutes))
    with conn:
        return conn.execute("delete from web_sessions where last_seen_at < ?", [cutoff]).rowcount
