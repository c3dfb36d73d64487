"""The app factory: routes of every page, static files, error pages, and security headers on every response."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voicebridge.config import Config
from voicebridge.privacy.recordings import RecordingStore
from voicebridge.web import routes_calls, routes_live, routes_login, routes_phone, routes_privacy, routes_profile, routes_users
from voicebridge.web.context import WebContext
from voicebridge.web.db import WebDatabase
from voicebridge.web.pages import HttpProblem, LoginRequired, render
from voicebridge.web.throttle import LoginThrottle

if TYPE_CHECKING:
    from voicebridge.transport.browser_server import BrowserPhoneLine

HERE = Path(__file__).parent
# Everything the pages load comes from this server; no inline script, no framing by other sites.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class SecurityHeaders:
    """Pure ASGI (streams such as the live page's events pass through untouched)."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                            (b"permissions-policy", b"microphone=(self), camera=(), geolocation=()")]
                if not any(k == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))  # personal data stays out of shared and back-button caches
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def build_context(config: Config, phone: BrowserPhoneLine | None = None, on_profile_saved: Callable[[], None] | None = None) -> WebContext:
    templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined)
    return WebContext(config, WebDatabase.open(config.database_path), templates, LoginThrottle(config.web.login_attempts_per_minute),
                      RecordingStore.from_config(config), phone, on_profile_saved)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    idle = "&idle=1" if exc.idle else ""
    return RedirectResponse(f"/login?next={quote(target, safe='')}{idle}", status_code=303)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpProblem)
    return render(request, None, "error.html", status=exc.status, key=exc.key)


def create_app(ctx: WebContext) -> Starlette:
    routes = [*routes_login.ROUTES, *routes_calls.ROUTES, *routes_live.ROUTES, *routes_profile.ROUTES, *routes_privacy.ROUTES,
              *routes_users.ROUTES, *routes_phone.ROUTES, Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    app = Starlette(routes=routes, exception_handlers={LoginRequired: _login_required, HttpProblem: _problem})
    app.state.web = ctx
    app.add_middleware(SecurityHeaders, hsts=ctx.tls)
    return app
