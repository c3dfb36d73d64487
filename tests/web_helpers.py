"""Helpers for the web app tests: a config with two businesses, accounts of each role, calls in a real SQLite file,
and a signed-in Starlette TestClient."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from tests.privacy_helpers import add_call
from voicebridge.config import Config, parse_config
from voicebridge.store.call_store import CallStore
from voicebridge.web.app import build_context, create_app
from voicebridge.web.context import WebContext
from voicebridge.web.users import add_user

PASSWORD = "correct horse battery staple"
# The seeded calls are two days old: inside every default retention, outside a retention of one day.
DAY = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
TODAY = datetime.now(UTC).date().isoformat()
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_config(tmp_path: Path, **web: Any) -> Config:
    return parse_config({
        "server": {"audiosocket_port": 0},
        "storage": {"database": str(tmp_path / "calls.db")},
        "business": {"language": "en", "name": "Miller Plumbing", "profile": {
            "services": ["Sanitär", "Heizung"], "services_en": ["plumbing", "heating"], "emergency_keywords": ["Rohrbruch"],
            "hours": {d: "08:00-12:00, 13:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}}},
        "tenants": [{"id": "weber", "name": "Praxis Weber", "language": "de", "numbers": ["+493012345678"]}],
        "web": {"port": 0, "login_max_failures": 3, **web},
    }, source="<test>")


def seed(ctx: WebContext) -> None:
    """Accounts of every role for the default tenant, an owner of tenant weber, and one call of each tenant."""
    with ctx.db.connect() as conn:
        for name, role in (("olga", "owner"), ("sam", "staff"), ("vic", "viewer")):
            add_user(conn, name, PASSWORD, role, ["default"], "en", 12)
        add_user(conn, "wera", PASSWORD, "owner", ["weber"], "de", 12)
    store = CallStore(ctx.config.database_path)
    add_call(store, "aaaa1111-0000-4000-8000-000000000001", caller="+49 171 2345678", texts=("Hallo, Rohrbruch im Keller", "Wie ist Ihr Name?"),
             note={"name": "Frau Huber", "concern": "Rohrbruch im Keller", "urgency": "emergency", "callback_number": "01712345678",
                   "extra": {"order_number": "A-4711", "provenance": {"name": "said", "callback_number": "confirmed", "order_number": "inferred"}}},  # type: ignore[dict-item]
             started=f"{DAY}T09:00:00.000+00:00", ended=f"{DAY}T09:02:00.000+00:00")
    add_call(store, "aaaa2222-0000-4000-8000-000000000002", caller="+49 89 555123", texts=("Ich hätte gern einen Termin",),
             note={"name": "Herr Maier", "concern": "Wartung der Heizung", "urgency": "no_rush"},
             started=f"{DAY}T10:00:00.000+00:00", ended=f"{DAY}T10:03:00.000+00:00")
    add_call(store, "bbbb1111-0000-4000-8000-000000000003", caller="+49 30 999888", tenant="weber", called="+493012345678",
             texts=("Rezept bitte",), note={"name": "Patient Schulz", "concern": "Rezept"},
             started=f"{DAY}T11:00:00.000+00:00", ended=f"{DAY}T11:01:00.000+00:00")
    store.close()


def site(tmp_path: Path, **web: Any) -> tuple[WebContext, TestClient]:
    ctx = build_context(web_config(tmp_path, **web))
    seed(ctx)
    # Secure cookies travel only over HTTPS, as in a browser.
    return ctx, TestClient(create_app(ctx), follow_redirects=False, base_url="https://testserver" if ctx.secure_cookies else "http://testserver")


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_of(page.text), "username": name, "password": password, "next": "/"})


def audit_rows(ctx: WebContext, tenant: str) -> list[tuple[str, str, str]]:
    with ctx.db.connect() as conn:
        return [(r[0], r[1], r[2]) for r in conn.execute("select actor, action, target from audit_log where tenant = ? order by seq", [tenant])]
