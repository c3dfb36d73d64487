"""Sign in and out: CSRF-checked form, rate limit per address, lockout per account, every attempt in the audit log."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from voicebridge.web.csrf import CSRF_FIELD, LOGIN_CSRF_COOKIE, new_token, tokens_match
from voicebridge.web.i18n import translate
from voicebridge.web.pages import HttpProblem, audit, check_csrf, endpoint, field, language_of, render, visitor, web
from voicebridge.web.sessions import SESSION_COOKIE, create_session, end_session
from voicebridge.web.users import get_user, verify_login


def _safe_next(target: str) -> str:
    """Only a path on this site: an open redirect would let a phishing link borrow our login page."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _login_page(request: Request, status: int = 200, error: str = "", name: str = "") -> Response:
    ctx = web(request)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = render(request, None, "login.html", status=status, error=error, login_csrf=token, name=name,
                      next=_safe_next(request.query_params.get("next", "/")), idle=request.query_params.get("idle") == "1")
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict", secure=ctx.secure_cookies)
    return response


def login_form(request: Request, form: FormData | None) -> Response:
    return _login_page(request)


def login(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    cfg = ctx.config.web
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), field(form, CSRF_FIELD)):
        raise HttpProblem(403, "csrf_failed")
    name, password = field(form, "username"), (form.get("password") if form else "") or ""
    client = request.client.host if request.client else "unknown"
    lang = language_of(request)
    with ctx.db.connect() as conn:
        user = get_user(conn, name)
        tenants = user.tenants if user else ("default",)
        if not ctx.throttle.allow(client):
            for tenant in tenants:
                audit(conn, tenant, f"web:{name[:64]}", "login_refused", "login", {"reason": "rate_limited", "client": client})
            return _login_page(request, 429, translate(lang, "login_throttled"), name)
        result = verify_login(conn, name, str(password), cfg.login_max_failures, cfg.lockout_minutes)
        if result.user is None:
            for tenant in tenants:
                audit(conn, tenant, f"web:{name[:64]}", "login_failed", "login", {"reason": result.reason, "client": client})
            key = "login_locked" if result.reason == "locked" else "login_wrong"
            return _login_page(request, 401, translate(lang, key, minutes=result.locked_minutes), name)
        token, _session = create_session(conn, result.user)
        for tenant in result.user.tenants:
            audit(conn, tenant, f"web:{result.user.name}", "login", "login", {"client": client})
    response = RedirectResponse(_safe_next(field(form, "next", "/")), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=ctx.secure_cookies, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def logout(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn)
        check_csrf(who, form)
        end_session(conn, who.session.token_hash)
        for tenant in who.tenants:
            audit(conn, tenant, who, "logout", "login")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


ROUTES = [
    Route("/login", endpoint(login_form), methods=["GET"]),
    Route("/login", endpoint(login), methods=["POST"]),
    Route("/logout", endpoint(logout), methods=["POST"]),
]
