"""Web accounts: name, Argon2 password hash, role, tenants; lockout after repeated wrong passwords.

Plain functions of a sqlite3 connection, used by the `voicebridge users` CLI and the owner's users page alike.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from voicebridge.errors import VoicebridgeError
from voicebridge.privacy.audit_log import write_transaction
from voicebridge.store.call_store import utc_now
from voicebridge.web.roles import ROLES

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    tenants: tuple[str, ...]
    language: str
    locked_until: str | None = None
    last_login_at: str | None = None


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    reason: str  # ok | wrong | locked
    locked_minutes: int = 0


class UserError(VoicebridgeError):
    """A user change that cannot be made; the message says why and how to fix it."""


def hasher() -> PasswordHasher:
    # argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4).
    return PasswordHasher()


def check_password(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise UserError(f"the password has {len(password)} characters; use at least {min_length}")
    if password.strip() != password or not password.isprintable():
        raise UserError("the password starts or ends with a space or holds a control character; choose another")


def check_name(name: str) -> None:
    if not NAME_RE.fullmatch(name):
        raise UserError(f"user name {name!r}: use 2-64 of A-Z, a-z, 0-9, '.', '_', '@', '-', starting with a letter or digit")


def _user(row: sqlite3.Row | tuple[object, ...]) -> User:
    uid, name, role, tenants, language, locked, last = row
    return User(int(str(uid)), str(name), str(role), tuple(json.loads(str(tenants))), str(language),
                str(locked) if locked else None, str(last) if last else None)


_COLUMNS = "id, name, role, tenants, language, locked_until, last_login_at"


def add_user(conn: sqlite3.Connection, name: str, password: str, role: str, tenants: list[str], language: str, min_length: int) -> User:
    check_name(name)
    check_password(password, min_length)
    if role not in ROLES:
        raise UserError(f"role {role!r}: choose one of {', '.join(ROLES)}")
    if not tenants:
        raise UserError("a user needs at least one tenant (--tenant ID)")
    digest = hasher().hash(password)
    try:
        with write_transaction(conn):
            conn.execute(
                "insert into web_users (name, password_hash, role, tenants, language, created_at) values (?, ?, ?, ?, ?, ?)",
                [name, digest, role, json.dumps(sorted(set(tenants))), language, utc_now()],
            )
    except sqlite3.IntegrityError:
        raise UserError(f"a user named {name!r} exists already; fix: choose another name or `voicebridge users passwd {name}`") from None
    found = get_user(conn, name)
    assert found is not None
    return found


def get_user(conn: sqlite3.Connection, name: str) -> User | None:
    row = conn.execute(f"select {_COLUMNS} from web_users where name = ?", [name]).fetchone()
    return _user(tuple(row)) if row else None


def user_by_id(conn: sqlite3.Connection, user_id: int) -> User | None:
    row = conn.execute(f"select {_COLUMNS} from web_users where id = ?", [user_id]).fetchone()
    return _user(tuple(row)) if row else None


def list_users(conn: sqlite3.Connection) -> list[User]:
    return [_user(tuple(r)) for r in conn.execute(f"select {_COLUMNS} from web_users order by name").fetchall()]


def set_password(conn: sqlite3.Connection, name: str, password: str, min_length: int) -> User:
    check_password(password, min_length)
    digest = hasher().hash(password)
    with write_transaction(conn):
        changed = conn.execute(
            "update web_users set password_hash = ?, failed_logins = 0, locked_until = null where name = ?", [digest, name]
        ).rowcount
        # A new password ends every session of the account: whoever knew the old one is signed out.
        conn.execute("delete from web_sessions where user_id = (select id from web_users where name = ?)", [name])
    if not changed:
        raise UserError(f"no user named {name!r}; see `voicebridge users list`")
    found = get_user(conn, name)
    assert found is not None
    return found


def remove_user(conn: sqlite3.Connection, name: str) -> User:
    found = get_user(conn, name)
    if found is None:
        raise UserError(f"no user named {name!r}; see `voicebridge users list`")
    with write_transaction(conn):
        conn.execute("delete from web_sessions where user_id = ?", [found.id])
        conn.execute("delete from web_users where id = ?", [found.id])
    return found


def owners_left(conn: sqlite3.Connection, tenant: str, without: int | None = None) -> int:
    return sum(1 for u in list_users(conn) if u.role == "owner" and tenant in u.tenants and u.id != without)


def verify_login(conn: sqlite3.Connection, name: str, password: str, max_failures: int, lockout_minutes: int,
                 now: datetime | None = None) -> LoginResult:
    """Check a password; `max_failures` wrong ones in a row lock the account for `lockout_minutes` (right ones included)."""
    now = now or datetime.now(UTC)
    row = conn.execute("select password_hash, locked_until from web_users where name = ?", [name]).fetchone()
    if row is None:
        try:  # the same work as for a real account, so the answer time does not tell which names exist
            hasher().verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return LoginResult(None, "wrong")
    digest, locked_until = row[0], row[1]
    if locked_until and datetime.fromisoformat(locked_until) > now:
        left = (datetime.fromisoformat(locked_until) - now).total_seconds()
        return LoginResult(None, "locked", max(1, round(left / 60)))
    try:
        hasher().verify(digest, password)
    except (VerifyMismatchError, InvalidHashError, VerificationError):
        with write_transaction(conn):
            failures = conn.execute("update web_users set failed_logins = failed_logins + 1 where name = ? returning failed_logins",
                                    [name]).fetchone()[0]
            if failures >= max_failures:
                until = (now + timedelta(minutes=lockout_minutes)).isoformat(timespec="seconds")
                conn.execute("update web_users set locked_until = ?, failed_logins = 0 where name = ?", [until, name])
                return LoginResult(None, "locked", lockout_minutes)
        return LoginResult(None, "wrong")
    with write_transaction(conn):
        conn.execute("update web_users set failed_logins = 0, locked_until = null, last_login_at = ? where name = ?", [utc_now(), name])
        if hasher().check_needs_rehash(digest):
            conn.execute("update web_users set password_hash = ? where name = ?", [hasher().hash(password), name])
    return LoginResult(get_user(conn, name), "ok")


_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$5IGOxXhVDRxBg1BtDeJRDJJMHAl9I9RSKcTO3ewGOHU"
