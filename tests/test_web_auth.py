"""Web app accounts, sessions, CSRF and roles through Starlette's TestClient on a real SQLite file (fast; no browser)."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.web_helpers import PASSWORD, TODAY, audit_rows, csrf_of, sign_in, site, web_config
from voicebridge.cli import main
from voicebridge.privacy.audit_log import AuditLog
from voicebridge.web.sessions import load_session
from voicebridge.web.users import UserError, add_user, verify_login

CALL_A = "aaaa1111-0000-4000-8000-000000000001"
CALL_B = "bbbb1111-0000-4000-8000-000000000003"


def test_login_sets_a_strict_httponly_session_and_is_audited(tmp_path: Path) -> None:
    ctx, client = site(tmp_path)
    assert client.get("/").headers["location"].startswith("/login?next=")
    response = sign_in(client, "olga")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "vb_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    assert client.get("/").status_code == 200
    assert ("web:olga", "login", "login") in audit_rows(ctx, "default")


def test_secure_cookie_behind_tls(tmp_path: Path) -> None:
    _ctx, client = site(tmp_path, secure_cookies=True)
    assert "Secure" in sign_in(client, "olga").headers["set-cookie"]


def test_wrong_password_then_lockout(tmp_path: Path) -> None:
    ctx, client = site(tmp_path)  # login_max_failures = 3
    for _ in range(2):
        response = sign_in(client, "sam", "wrong password here")
        assert response.status_code == 401 and "Wrong user name or password" in response.text
    locked = sign_in(client, "sam", "wrong password here")
    assert locked.status_code == 401 and "locked for 15 minutes" in locked.text
    # Locked: even the right password is refused until the lockout ends.
    assert sign_in(client, "sam").status_code == 401
    assert [a for _, a, _ in audit_rows(ctx, "default")].count("login_failed") == 4
    with ctx.db.connect() as conn:
        later = datetime.now(UTC) + timedelta(minutes=16)
        assert verify_login(conn, "sam", PASSWORD, 3, 15, now=later).reason == "ok"


def test_unknown_user_and_rate_limit_per_address(tmp_path: Path) -> None:
    _ctx, client = site(tmp_path, login_attempts_per_minute=3)
    assert sign_in(client, "nobody", "whatever password").status_code == 401
    assert sign_in(client, "nobody", "whatever password").status_code == 401
    assert sign_in(client, "olga", "wrong").status_code == 401
    throttled = sign_in(client, "olga")  # fourth attempt in a minute: not even tried
    assert throttled.status_code == 429 and "Too many sign-in attempts" in throttled.text


def test_csrf_is_required_on_every_form(tmp_path: Path) -> None:
    _ctx, client = site(tmp_path)
    page = client.get("/login")
    assert client.post("/login", data={"username": "olga", "password": PASSWORD}).status_code == 403
    assert client.post("/login", data={"csrf_token": "forged", "username": "olga", "password": PASSWORD}).status_code == 403
    assert client.post("/login", data={"csrf_token": csrf_of(page.text), "username": "olga", "password": PASSWORD}).status_code == 303
    for path, data in ((f"/calls/{CALL_A}/state", {"state": "done"}), (f"/calls/{CALL_A}/remarks", {"remark": "x"}),
                       ("/users/add", {"username": "eve", "password": PASSWORD, "role": "owner", "tenants": "default"}), ("/logout", {})):
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    token = csrf_of(client.get(f"/calls/{CALL_A}").text)
    assert client.post(f"/calls/{CALL_A}/state", data={"state": "done", "assignee": "sam", "csrf_token": token}).status_code == 303


def test_idle_session_ends(tmp_path: Path) -> None:
    ctx, client = site(tmp_path, session_idle_minutes=1)
    sign_in(client, "vic")
    token = client.cookies.get("vb_session")
    with ctx.db.connect() as conn:
        assert load_session(conn, token, 1) is not None
        assert load_session(conn, token, 1, now=datetime.now(UTC) + timedelta(minutes=2)) is None  # and it is deleted
        assert load_session(conn, token, 1) is None
    response = client.get("/")
    assert response.status_code == 303 and "idle=1" in response.headers["location"]


def test_roles_and_tenants(tmp_path: Path) -> None:
    ctx, client = site(tmp_path)
    sign_in(client, "vic")
    assert client.get(f"/calls/{CALL_A}").status_code == 200
    token = csrf_of(client.get("/").text)
    assert client.post(f"/calls/{CALL_A}/state", data={"state": "done", "csrf_token": token}).status_code == 403
    assert client.get("/users").status_code == 403
    assert client.get(f"/calls/{CALL_B}").status_code == 404  # another business's call: as if it did not exist
    assert client.get("/calls/ffffffff-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/?tenant=weber").status_code == 404
    # The inbox lists only the visitor's business.
    inbox = client.get("/").text
    assert "Frau Huber" in inbox and "Patient Schulz" not in inbox
    client.cookies.clear()
    sign_in(client, "sam")
    token = csrf_of(client.get("/").text)
    assert client.post(f"/calls/{CALL_A}/state", data={"state": "done", "assignee": "sam", "csrf_token": token}).status_code == 303
    assert client.post(f"/calls/{CALL_A}/remarks", data={"remark": "Rückruf 14 Uhr", "csrf_token": token}).status_code == 303
    assert client.post(f"/calls/{CALL_A}/state", data={"state": "done", "assignee": "wera", "csrf_token": token}).status_code == 400
    assert client.post(f"/calls/{CALL_A}/state", data={"state": "gone", "csrf_token": token}).status_code == 400
    page = client.get(f"/calls/{CALL_A}").text
    assert "Rückruf 14 Uhr" in page and 'id="call-state">done' in page
    assert client.get("/users").status_code == 403
    actors = audit_rows(ctx, "default")
    assert ("web:sam", "change", CALL_A) in actors and ("web:vic", "read", CALL_A) in actors and ("web:sam", "read", "web inbox") in actors
    assert not [r for r in audit_rows(ctx, "weber") if r[0] in ("web:vic", "web:sam") and r[1] == "read"]
    with ctx.db.connect() as conn:
        assert AuditLog(conn).verify("default").ok


def test_inbox_order_search_and_filters(tmp_path: Path) -> None:
    _ctx, client = site(tmp_path)
    sign_in(client, "sam")
    token = csrf_of(client.get("/").text)
    client.post(f"/calls/{CALL_A}/state", data={"state": "done", "csrf_token": token})
    ids = [line.split('"')[1] for line in client.get("/").text.split("data-call=")[1:]]
    assert ids[0] == CALL_A  # the emergency first, even when done
    found = client.get("/?q=0171%20234%205678").text
    assert "Frau Huber" in found and "Herr Maier" not in found
    assert "Herr Maier" in client.get("/?q=maier").text and "Frau Huber" not in client.get("/?q=maier").text
    assert "Frau Huber" not in client.get("/?state=open").text
    assert "Frau Huber" in client.get("/?urgency=emergency").text and "Herr Maier" not in client.get("/?urgency=emergency").text
    assert "No calls found" in client.get(f"/?from={TODAY}").text


def test_owner_manages_users_of_own_business_only(tmp_path: Path) -> None:
    ctx, client = site(tmp_path)
    sign_in(client, "olga")
    token = csrf_of(client.get("/users").text)
    short = client.post("/users/add", data={"username": "eve", "password": "short", "role": "staff", "tenants": "default", "csrf_token": token})
    assert short.status_code == 400 and "at least 12" in short.text
    assert client.post("/users/add", data={"username": "eve", "password": PASSWORD, "role": "staff", "tenants": "weber",
                                           "csrf_token": token}).status_code == 404
    assert client.post("/users/add", data={"username": "eve", "password": PASSWORD, "role": "staff", "tenants": "default",
                                           "csrf_token": token}).status_code == 303
    assert client.post("/users/remove", data={"username": "wera", "csrf_token": token}).status_code == 404
    users = client.get("/users").text
    assert "eve" in users and "wera" not in users
    assert ("web:olga", "change", "user eve") in audit_rows(ctx, "default") and ("web:olga", "read", "web users") in audit_rows(ctx, "default")


def test_users_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "vb.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "calls.db"}"\n[web]\npassword_min_length = 12\n')

    def run(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        return main(["--config", str(config), *args])

    assert run("users", "add", "anna", "--role", "owner", stdin=PASSWORD + "\n") == 0
    assert run("users", "add", "bob", stdin="short\n") == 2
    assert "at least 12" in capsys.readouterr().err
    assert run("users", "add", "anna", stdin=PASSWORD + "\n") == 2
    assert "exists already" in capsys.readouterr().err
    assert run("users", "add", "carl", "--tenant", "nope", stdin=PASSWORD + "\n") == 2
    assert "no tenant 'nope'" in capsys.readouterr().err
    assert run("users", "list") == 0
    listing = capsys.readouterr().out
    assert "anna" in listing and "owner" in listing and "bob" not in listing
    assert run("users", "passwd", "anna", stdin="another long password\n") == 0
    ctx_cfg = web_config(tmp_path)
    from voicebridge.web.db import WebDatabase

    db = WebDatabase.open(ctx_cfg.database_path)
    with db.connect() as conn:
        assert verify_login(conn, "anna", "another long password", 5, 15).reason == "ok"
        assert verify_login(conn, "anna", PASSWORD, 5, 15).reason == "wrong"
        hashed = conn.execute("select password_hash from web_users where name = 'anna'").fetchone()[0]
        assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert run("users", "remove", "anna") == 0
    assert run("users", "remove", "anna") == 2
    with db.connect() as conn:
        actions = [json.loads(r[1])["action"] for r in conn.execute("select target, detail from audit_log where action = 'change'")]
    assert actions == ["add", "password", "remove"]


def test_user_rules() -> None:
    import sqlite3

    from sqlite_utils import Database

    from voicebridge.store.migrations import migrate

    conn = sqlite3.connect(":memory:")
    migrate(Database(conn))
    with pytest.raises(UserError, match="role"):
        add_user(conn, "anna", PASSWORD, "admin", ["default"], "de", 12)
    with pytest.raises(UserError, match="user name"):
        add_user(conn, "a b", PASSWORD, "staff", ["default"], "de", 12)
    with pytest.raises(UserError, match="space"):
        add_user(conn, "anna", " " + PASSWORD, "staff", ["default"], "de", 12)
