"""The owner's data protection page: retention in force, a caller's export (zip) or erasure after a confirmation,
the audit chain verified and its newest entries shown."""

from __future__ import annotations

import io
import json
import wave
import zipfile
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from voicebridge.errors import ConfigError
from voicebridge.privacy.audit_log import AuditLog
from voicebridge.privacy.erasure import erase_subject
from voicebridge.privacy.export import subject_export
from voicebridge.privacy.phone import digits_of, mask
from voicebridge.privacy.retention import KINDS
from voicebridge.privacy.retention_settings import retention_for, save_retention
from voicebridge.web.pages import Visitor, audit, check_csrf, endpoint, field, render, visitor, web

AUDIT_SHOWN = 30


def _page(request: Request, who: Visitor, tenant: str, status: int = 200, **values: Any) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        settings = retention_for(conn, ctx.config, tenant)
        retention = {k: getattr(settings, f"{k}_days") for k in KINDS}
        log = AuditLog(conn)
        report = log.verify(tenant) if request.query_params.get("verify") == "1" else None
        entries = list(reversed(log.entries(tenant, limit=AUDIT_SHOWN)))
    values = {"report": None, "error": "", "erase_preview": None, "erased": None, "phone": "", "retention_error": "",
              "retention_saved": request.query_params.get("saved") == "1", **values}
    if report is not None:
        values["report"] = report
    return render(request, who, "privacy.html", status=status, tenant=tenant, retention=retention, entries=entries, **values)


def privacy_page(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn, "owner")
        tenant = who.tenant(request.query_params.get("tenant") or who.tenants[0])
    return _page(request, who, tenant)


def _subject_form(request: Request, form: FormData | None, role: str) -> tuple[Visitor, str, str]:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn, role)
    check_csrf(who, form)
    return who, who.tenant(field(form, "tenant") or who.tenants[0]), field(form, "phone")


def export_subject(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    who, tenant, phone = _subject_form(request, form, "owner")
    if len(digits_of(phone)) < 6:
        return _page(request, who, tenant, 400, error="bad_phone", phone=phone)
    with ctx.db.connect() as conn:
        export = subject_export(conn, ctx.recordings, ctx.config, ctx.config.tenant(tenant), phone)
        audit(conn, tenant, who, "export", f"phone {mask(phone)}", {"calls": export.call_ids, "recordings": len(export.recordings), "to": "web download"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", json.dumps(export.data, indent=2, ensure_ascii=False) + "\n")
        archive.writestr("export.txt", export.text())
        for cid, recorded in export.recordings.items():
            wav = io.BytesIO()
            write_wav_to(wav, recorded.pcm, recorded.sample_rate)
            archive.writestr(f"recordings/{cid}.wav", wav.getvalue())
    name = f"voicebridge-export-{digits_of(phone)[-4:]}.zip"
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def write_wav_to(out: io.BytesIO, pcm: bytes, rate: int) -> None:
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)


def erase(request: Request, form: FormData | None) -> Response:
    """First a dry run that says what would go; only a second request with the confirmation ticked erases."""
    ctx = web(request)
    who, tenant, phone = _subject_form(request, form, "owner")
    if len(digits_of(phone)) < 6:
        return _page(request, who, tenant, 400, error="bad_phone", phone=phone)
    confirmed = field(form, "confirm") == "yes"
    with ctx.db.connect() as conn:
        report = erase_subject(conn, ctx.recordings, tenant, phone, who.actor, dry_run=not confirmed)
    if not confirmed:
        return _page(request, who, tenant, erase_preview=report, phone=phone,
                     error="erase_needs_confirm" if field(form, "step") == "confirm" else "")
    return _page(request, who, tenant, erased=report)


def set_retention(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn, "owner")
        check_csrf(who, form)
        tenant = who.tenant(field(form, "tenant") or who.tenants[0])
        days: dict[str, Any] = {}
        for kind in KINDS:
            raw = field(form, f"{kind}_days")
            days[f"{kind}_days"] = int(raw) if raw.isdigit() else raw  # not a number: the config's rules say so in one line
        try:
            save_retention(conn, ctx.config, tenant, days, who.actor)
        except ConfigError as exc:
            return _page(request, who, tenant, 400, retention_error=str(exc).removeprefix("web: "))
        audit(conn, tenant, who, "change", "retention", days)
    return RedirectResponse(f"/privacy?tenant={tenant}&saved=1", status_code=303)


ROUTES = [
    Route("/privacy/retention", endpoint(set_retention), methods=["POST"]),
    Route("/privacy", endpoint(privacy_page), methods=["GET"]),
    Route("/privacy/export", endpoint(export_subject), methods=["POST"]),
    Route("/privacy/erase", endpoint(erase), methods=["POST"]),
]
