"""Request plumbing for every page: who is signed in (and may they), CSRF checks, audit entries, rendering, and running
the handler's database work in a worker thread so the event loop (and a live call's 20 ms clock) never waits on it."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from voicebridge.privacy.audit_log import AuditLog
from voicebridge.web.context import WebContext
from voicebridge.web.csrf import CSRF_FIELD, tokens_match
from voicebridge.web.i18n import LANG_COOKIE, pick_language, translate
from voicebridge.web.roles import allows
from voicebridge.web.sessions import SESSION_COOKIE, WebSession, load_session

MAX_FORM_FIELDS = 200
MAX_FORM_BYTES = 256 * 1024


class LoginRequired(Exception):
    """No live session: the visitor goes to the sign-in page (and comes back afterwards)."""

    def __init__(self, idle: bool = False) -> None:
        self.idle = idle


class HttpProblem(Exception):
    def __init__(self, status: int, key: str) -> None:
        self.status = status
        self.key = key


@dataclass(frozen=True)
class Visitor:
    session: WebSession
    language: str

    @property
    def name(self) -> str:
        return self.session.user.name

    @property
    def role(self) -> str:
        return self.session.user.role

    @property
    def tenants(self) -> tuple[str, ...]:
        return self.session.user.tenants

    @property
    def actor(self) -> str:
        return f"web:{self.name}"

    def can(self, role: str) -> bool:
        return allows(self.role, role)

    def tenant(self, tenant: str | None) -> str:
        """A tenant this visitor belongs to; anything else is 404, so another business's data is not even confirmed to exist."""
        if tenant not in self.tenants:
            raise HttpProblem(404, "not_found")
        return tenant


def web(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx


def language_of(request: Request, fallback: str | None = None) -> str:
    return pick_language(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE), fallback or web(request).config.business.language)


def visitor(request: Request, conn: sqlite3.Connection, role: str = "viewer") -> Visitor:
    ctx = web(request)
    token = request.cookies.get(SESSION_COOKIE)
    session = load_session(conn, token, ctx.config.web.session_idle_minutes)
    if session is None:
        raise LoginRequired(idle=bool(token))
    found = Visitor(session, language_of(request, session.user.language))
    if not found.can(role):
        raise HttpProblem(403, "forbidden")
    return found


def check_csrf(who: Visitor, form: FormData | None) -> None:
    given = form.get(CSRF_FIELD) if form is not None else None
    if not tokens_match(who.session.csrf, str(given) if given is not None else None):
        raise HttpProblem(403, "csrf_failed")


def audit(conn: sqlite3.Connection, tenant: str, who: Visitor | str, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    """Into the tenant's hash chain, before the data is shown: the user's name, what they saw or changed."""
    AuditLog(conn).append(tenant, who.actor if isinstance(who, Visitor) else who, action, target, detail)


def render(request: Request, who: Visitor | None, template: str, status: int = 200, language: str | None = None, **values: Any) -> HTMLResponse:
    ctx = web(request)
    lang = who.language if who else (language or language_of(request))

    def t(key: str, **kw: object) -> str:
        return translate(lang, key, **kw)

    html = ctx.templates.get_template(template).render(
        request=request, who=who, lang=lang, t=t, csrf=who.session.csrf if who else "", phone_enabled=ctx.phone is not None, **values
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in ("de", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="strict", secure=ctx.secure_cookies)
    return response


Handler = Callable[[Request, FormData | None], Response]


def endpoint(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An async route around a blocking handler: the form is read here, the handler runs in the thread pool."""

    @functools.wraps(fn)
    async def route(request: Request) -> Response:
        form = None
        if request.method == "POST":
            form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_BYTES)
        return await run_in_threadpool(fn, request, form)

    return route


def field(form: FormData | None, name: str, default: str = "") -> str:
    value = form.get(name) if form is not None else None
    return value.strip() if isinstance(value, str) else default
