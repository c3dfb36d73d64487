"""The inbox and the call page: reading is audited per tenant; staff set the state, the assignee and remarks."""

from __future__ import annotations

import io
import re
import sqlite3
import wave
from collections.abc import Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from voicebridge.web import call_queries as q
from voicebridge.web.context import WebContext
from voicebridge.web.pages import HttpProblem, Visitor, audit, check_csrf, endpoint, field, render, visitor, web
from voicebridge.web.users import list_users

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def inbox_page(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    p = request.query_params
    with ctx.db.connect() as conn:
        who = visitor(request, conn)
        tenant = p.get("tenant", "")
        tenants = (who.tenant(tenant),) if tenant else who.tenants
        flt = q.InboxFilter(
            tenants,
            state=p.get("state", "") if p.get("state") in q.STATES else "",
            urgency=p.get("urgency", "") if p.get("urgency") in q.URGENCY_FILTERS else "",
            date_from=p.get("from", "") if _DATE.fullmatch(p.get("from", "")) else "",
            date_to=p.get("to", "") if _DATE.fullmatch(p.get("to", "")) else "",
            query=p.get("q", "")[:100],
        )
        calls = q.inbox(conn, flt)
        for t in tenants:  # what this user saw, per business, before it is shown
            audit(conn, t, who, "read", "web inbox", {"calls": [c.id for c in calls if c.tenant == t], "filtered": bool(flt.query)})
    return render(request, who, "inbox.html", calls=calls, flt=flt, tenant=tenant, tenant_names=_tenant_names(ctx, who.tenants))


def _tenant_names(ctx: WebContext, tenants: tuple[str, ...]) -> dict[str, str]:
    names = {t.id: t.name for t in ctx.config.all_tenants}
    return {t: names.get(t, t) for t in tenants}


def _own_call(request: Request, conn: sqlite3.Connection, who: Visitor, call_id: str) -> str:
    """The call's tenant, if it is one of the visitor's; otherwise 404, exactly as for a call that does not exist."""
    tenant = q.tenant_of(conn, call_id)
    if tenant is None or tenant not in who.tenants:
        raise HttpProblem(404, "not_found")
    return tenant


def call_page(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    call_id = request.path_params["call_id"]
    with ctx.db.connect() as conn:
        who = visitor(request, conn)
        tenant = _own_call(request, conn, who, call_id)
        detail = q.call_detail(conn, call_id)
        assert detail is not None
        recording = bool(ctx.recordings.for_call(call_id, tenant)) and detail.call.get("recording") == "on"
        audit(conn, tenant, who, "read", call_id, {"turns": len(detail.turns), "note": detail.note is not None, "recording": recording})
        staff = [u.name for u in list_users(conn) if tenant in u.tenants and u.role != "viewer"]
    callback = str((detail.note or {}).get("callback_number") or detail.call.get("caller_number") or "")
    return render(request, who, "call.html", d=detail, recording=recording, staff=staff, saved=request.query_params.get("saved") == "1",
                  callback=callback, callback_tel="".join(c for c in callback if c.isdigit() or c == "+"))


def recording_file(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    call_id = request.path_params["call_id"]
    with ctx.db.connect() as conn:
        who = visitor(request, conn)
        tenant = _own_call(request, conn, who, call_id)
        files = ctx.recordings.for_call(call_id, tenant)
        state = conn.execute("select recording from calls where id = ?", [call_id]).fetchone()
        if not files or state is None or state[0] != "on":  # refused or purged: no player, no download
            raise HttpProblem(404, "not_found")
        audit(conn, tenant, who, "read", call_id, {"recording": True})
    audio = ctx.recordings.read(files[0].path)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(audio.sample_rate)
        w.writeframes(audio.pcm)
    return Response(buffer.getvalue(), media_type="audio/wav", headers={"Cache-Control": "no-store"})


ChangeCall = Callable[[sqlite3.Connection, Visitor, str, str], dict[str, object] | None]


def _staff_change(request: Request, form: FormData | None, change: ChangeCall) -> Response:
    """Staff work on one of their calls: signed in as staff, the form's CSRF token, the call's tenant; audited if it changed."""
    ctx = web(request)
    call_id = request.path_params["call_id"]
    with ctx.db.connect() as conn:
        who = visitor(request, conn, "staff")
        check_csrf(who, form)
        tenant = _own_call(request, conn, who, call_id)
        detail = change(conn, who, tenant, call_id)
        if detail is not None:
            audit(conn, tenant, who, "change", call_id, detail)
    return RedirectResponse(f"/calls/{call_id}?saved=1", status_code=303)


def update_state(request: Request, form: FormData | None) -> Response:
    state, assignee = field(form, "state", "open"), field(form, "assignee")

    def change(conn: sqlite3.Connection, who: Visitor, tenant: str, call_id: str) -> dict[str, object]:
        staff = {u.name for u in list_users(conn) if tenant in u.tenants and u.role != "viewer"}
        if state not in q.STATES or (assignee and assignee not in staff):
            raise HttpProblem(400, "not_found")
        q.set_state(conn, call_id, state, assignee, who.name)
        return {"state": state, "assignee": assignee}

    return _staff_change(request, form, change)


def add_remark(request: Request, form: FormData | None) -> Response:
    text = field(form, "remark")

    def change(conn: sqlite3.Connection, who: Visitor, tenant: str, call_id: str) -> dict[str, object] | None:
        if not text:
            return None
        q.add_remark(conn, call_id, who.name, text)
        return {"remark_chars": len(text)}

    return _staff_change(request, form, change)


ROUTES = [
    Route("/", endpoint(inbox_page), methods=["GET"]),
    Route("/calls/{call_id:str}", endpoint(call_page), methods=["GET"]),
    Route("/calls/{call_id:str}/recording.wav", endpoint(recording_file), methods=["GET"]),
    Route("/calls/{call_id:str}/state", endpoint(update_state), methods=["POST"]),
    Route("/calls/{call_id:str}/remarks", endpoint(add_remark), methods=["POST"]),
]
