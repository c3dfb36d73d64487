"""The browser phone: a page whose button streams the microphone to the receptionist, and its websocket, which is
handed to the daemon's browser transport. Staff and owners only; the page's origin is checked (no cross-site sockets)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from voicebridge.web.pages import audit, endpoint, render, visitor, web
from voicebridge.web.roles import allows
from voicebridge.web.sessions import SESSION_COOKIE, load_session


def phone_page(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn, "staff")
    names = {t.id: t.name for t in ctx.config.all_tenants}
    return render(request, who, "phone.html", tenants=[(t, names.get(t, t)) for t in who.tenants])


class StarletteSocket:
    """Starlette's websocket as the transport's BrowserSocket."""

    def __init__(self, ws: WebSocket) -> None:
        self._ws = ws

    async def receive(self) -> bytes | str | None:
        message = await self._ws.receive()
        if message["type"] == "websocket.disconnect":
            return None
        if message.get("bytes") is not None:
            return bytes(message["bytes"])
        return str(message.get("text") or "")

    async def send_bytes(self, data: bytes) -> None:
        await self._ws.send_bytes(data)

    async def send_text(self, text: str) -> None:
        await self._ws.send_text(text)

    async def close(self, code: int, reason: str) -> None:
        try:
            await self._ws.close(code, reason)
        except RuntimeError:  # already closed
            pass


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin", "")
    host = ws.headers.get("host", "")
    return bool(host) and origin in (f"http://{host}", f"https://{host}")


def _authorise(ws: WebSocket) -> tuple[str, str, str | None] | None:
    """(user name, tenant, called number) for a staff member of that tenant, or None."""
    ctx = ws.app.state.web
    with ctx.db.connect() as conn:
        session = load_session(conn, ws.cookies.get(SESSION_COOKIE), ctx.config.web.session_idle_minutes)
        if session is None or not allows(session.user.role, "staff"):
            return None
        tenant = ws.query_params.get("tenant") or session.user.tenants[0]
        if tenant not in session.user.tenants:
            return None
        config = ctx.config.tenant(tenant)
        audit(conn, tenant, f"web:{session.user.name}", "call", "browser phone")
    # The dialled number picks the tenant, as for a PBX call.
    return session.user.name, tenant, (config.numbers[0] if config.numbers else None)


async def phone_socket(ws: WebSocket) -> None:
    ctx = ws.app.state.web
    if ctx.phone is None or not _same_origin(ws):
        await ws.close(1008)
        return
    allowed = await run_in_threadpool(_authorise, ws)
    if allowed is None:
        await ws.close(1008)
        return
    await ws.accept()
    try:
        await ctx.phone.serve(StarletteSocket(ws), called_number=allowed[2])
    except WebSocketDisconnect:
        pass


ROUTES = [
    Route("/phone", endpoint(phone_page), methods=["GET"]),
    WebSocketRoute("/phone/ws", phone_socket),
]
