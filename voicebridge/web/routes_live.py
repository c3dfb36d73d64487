"""Live calls: who is on the line now, with the transcript appearing turn by turn as the daemon writes it, sent to the
page as server-sent events. Works across processes: the stream polls the database the daemon writes."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from voicebridge.web.pages import Visitor, audit, endpoint, render, visitor, web
from voicebridge.web.sessions import SESSION_COOKIE, load_session

POLL_S = 0.4
RECHECK_SESSION_S = 30.0


def live_page(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn)
    return render(request, who, "live.html")


class LiveFeed:
    """What the page has been sent so far; each poll yields only what is new."""

    def __init__(self, tenants: tuple[str, ...]) -> None:
        self.tenants = tenants
        self.open: dict[str, dict[str, Any]] = {}
        self.last_turn: dict[str, int] = {}  # call id -> highest turns.id sent

    def poll(self, conn: sqlite3.Connection, who: Visitor) -> list[tuple[str, dict[str, Any]]]:
        marks = ",".join("?" * len(self.tenants))
        calls = {r[0]: {"id": r[0], "tenant": r[1], "started_at": r[2], "caller_number": r[3] or "", "transport": r[4]}
                 for r in conn.execute(f"select id, tenant, started_at, caller_number, transport from calls where ended_at is null "
                                       f"and tenant in ({marks}) order by started_at", list(self.tenants)).fetchall()}
        events: list[tuple[str, dict[str, Any]]] = []
        for cid in [c for c in self.open if c not in calls]:
            events.append(("ended", {"id": cid}))
            del self.open[cid]
            self.last_turn.pop(cid, None)
        for cid, call in calls.items():
            if cid not in self.open:
                audit(conn, call["tenant"], who, "read", cid, {"live": True})  # seen as it happened: audited like any view
                self.open[cid] = call
                events.append(("call", call))
            for turn_id, seq, role, text, offset in conn.execute(
                "select id, seq, role, text, offset_ms from turns where call_id = ? and id > ? order by id", [cid, self.last_turn.get(cid, 0)]
            ).fetchall():
                self.last_turn[cid] = turn_id
                events.append(("turn", {"call_id": cid, "seq": seq, "role": role, "text": text, "offset_ms": offset}))
        return events


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def live_events(request: Request) -> Response:
    ctx = web(request)

    def open_feed() -> Visitor:
        with ctx.db.connect() as conn:
            who = visitor(request, conn)
            for tenant in who.tenants:
                audit(conn, tenant, who, "read", "live calls")
            return who

    who = await run_in_threadpool(open_feed)
    feed = LiveFeed(who.tenants)

    def poll() -> list[tuple[str, dict[str, Any]]] | None:
        with ctx.db.connect() as conn:
            return feed.poll(conn, who)

    def still_signed_in() -> bool:
        with ctx.db.connect() as conn:
            return load_session(conn, request.cookies.get(SESSION_COOKIE), ctx.config.web.session_idle_minutes) is not None

    async def stream() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        checked = loop.time()
        yield b"retry: 2000\n\n"
        while not await request.is_disconnected():
            for event, data in await run_in_threadpool(poll) or []:
                yield _sse(event, data)
            if loop.time() - checked > RECHECK_SESSION_S:
                checked = loop.time()
                if not await run_in_threadpool(still_signed_in):
                    yield _sse("signed_out", {})
                    return
            yield b": keep-alive\n\n"
            await asyncio.sleep(POLL_S)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


ROUTES = [
    Route("/live", endpoint(live_page), methods=["GET"]),
    Route("/live/events", live_events, methods=["GET"]),
]
