"""The business profile editor: hours, holidays, services, FAQ, emergency keywords, transfer targets. Checked by the
config file's own rules (an error names the key), stored in the database, used from the next call on. Owners edit."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from voicebridge.errors import ConfigError
from voicebridge.store.profiles import load_profiles, profile_data, reset_profile, save_profile
from voicebridge.web.pages import audit, check_csrf, endpoint, field, render, visitor, web

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LISTS = ("holidays", "services", "services_en", "service_area_postcodes", "service_area_towns", "emergency_keywords")
TEXTS = ("address", "oncall_number", "office_target", "oncall_target")
MAX_FAQ = 40
BLANK_FAQ = 2  # empty entries offered below the existing ones


def _current(request: Request, tenant: str) -> tuple[dict[str, Any], str, str]:
    ctx = web(request)
    with ctx.db.connect() as conn:
        for stored in load_profiles(conn):
            if stored.tenant == tenant:
                return stored.data, stored.updated_by, stored.updated_at
    return profile_data(ctx.config.tenant(tenant).profile), "", ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def form_to_profile(form: FormData | None) -> dict[str, Any]:
    """The form's fields as the TOML table [business.profile] would hold them."""
    data: dict[str, Any] = {
        "languages": [lang for lang in ("de", "en") if form is not None and lang in form.getlist("languages")],
        "hours": {day: field(form, f"hours_{day}") for day in DAYS},
        **{key: field(form, key) for key in TEXTS},
        **{key: _lines(field(form, key)) for key in LISTS},
    }
    faq = []
    for i in range(MAX_FAQ):
        keywords = [k.strip() for k in field(form, f"faq_{i}_keywords").split(",") if k.strip()]
        answer, answer_en = field(form, f"faq_{i}_answer"), field(form, f"faq_{i}_answer_en")
        if keywords or answer or answer_en:
            faq.append({"keywords": keywords, "answer": answer, "answer_en": answer_en})
    data["faq"] = faq
    return data


def _render(request: Request, who: Any, tenant: str, data: dict[str, Any], by: str, at: str, error: str = "", status: int = 200) -> Response:
    names = {t.id: t.name for t in web(request).config.all_tenants}
    faq = list(data.get("faq", [])) + [{"keywords": [], "answer": "", "answer_en": ""}] * BLANK_FAQ
    return render(request, who, "profile.html", status=status, tenant=tenant, p=data, faq=faq[:MAX_FAQ], days=DAYS, by=by, at=at, error=error,
                  tenant_names=[(t, names.get(t, t)) for t in who.tenants], saved=request.query_params.get("saved") == "1",
                  editable=who.can("owner"))


def profile_page(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn)
    tenant = who.tenant(request.query_params.get("tenant") or who.tenants[0])
    data, by, at = _current(request, tenant)
    return _render(request, who, tenant, data, by, at)


def save(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn, "owner")
        check_csrf(who, form)
        tenant = who.tenant(field(form, "tenant"))
        data = form_to_profile(form)
        try:
            save_profile(conn, tenant, data, who.actor)
        except ConfigError as exc:
            return _render(request, who, tenant, data, "", "", error=str(exc).removeprefix("web: "), status=400)
        audit(conn, tenant, who, "change", "profile", {"faq": len(data["faq"]), "services": len(data["services"])})
    if ctx.on_profile_saved is not None:
        ctx.on_profile_saved()  # inside the daemon: the next call gets it at once
    return RedirectResponse(f"/profile?tenant={tenant}&saved=1", status_code=303)


def reset(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn, "owner")
        check_csrf(who, form)
        tenant = who.tenant(field(form, "tenant"))
        if reset_profile(conn, tenant):
            audit(conn, tenant, who, "change", "profile", {"reset": "config file"})
    if ctx.on_profile_saved is not None:
        ctx.on_profile_saved()
    return RedirectResponse(f"/profile?tenant={tenant}&saved=1", status_code=303)


ROUTES = [
    Route("/profile/reset", endpoint(reset), methods=["POST"]),
    Route("/profile", endpoint(profile_page), methods=["GET"]),
    Route("/profile", endpoint(save), methods=["POST"]),
]
