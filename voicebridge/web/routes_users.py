"""The owner's users page: accounts of the owner's businesses; add, set a password, remove. Every change is audited."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from voicebridge.web.pages import HttpProblem, audit, check_csrf, endpoint, field, render, visitor, web
from voicebridge.web.roles import ROLES
from voicebridge.web.users import UserError, add_user, get_user, list_users, owners_left, remove_user, set_password


def users_page(request: Request, form: FormData | None, error: str = "", status: int = 200) -> Response:
    ctx = web(request)
    with ctx.db.connect() as conn:
        who = visitor(request, conn, "owner")
        users = [u for u in list_users(conn) if set(u.tenants) & set(who.tenants)]
        for tenant in who.tenants:  # staff names and sign-in times are personal data too
            audit(conn, tenant, who, "read", "web users", {"users": [u.name for u in users if tenant in u.tenants]})
    return render(request, who, "users.html", status=status, users=users, roles=ROLES, error=error,
                  saved=request.query_params.get("saved") == "1")


def _change(request: Request, form: FormData | None) -> Response:
    ctx = web(request)
    action = request.path_params["action"]
    with ctx.db.connect() as conn:
        who = visitor(request, conn, "owner")
        check_csrf(who, form)
        name = field(form, "username")
        try:
            if action == "add":
                tenants = [t for t in (form.getlist("tenants") if form else []) if isinstance(t, str)]
                if not set(tenants) <= set(who.tenants):
                    raise HttpProblem(404, "not_found")
                user = add_user(conn, name, str(form.get("password") or "") if form else "", field(form, "role"), tenants,
                                field(form, "language", "de"), ctx.config.web.password_min_length)
                detail: dict[str, object] = {"role": user.role, "tenants": list(user.tenants)}
            else:
                target = get_user(conn, name)
                if target is None or not set(target.tenants) <= set(who.tenants):
                    raise HttpProblem(404, "not_found")  # an account of another business is not ours to touch
                if action == "password":
                    user = set_password(conn, name, str(form.get("password") or "") if form else "", ctx.config.web.password_min_length)
                    detail = {"password": "changed"}
                elif action == "remove":
                    if target.role == "owner" and any(owners_left(conn, t, without=target.id) == 0 for t in target.tenants):
                        raise UserError("the last owner of a business cannot be removed; make another user owner first")
                    user = remove_user(conn, name)
                    detail = {"removed": True}
                else:
                    raise HttpProblem(404, "not_found")
        except UserError as exc:
            return users_page(request, None, error=str(exc), status=400)
        for tenant in user.tenants:
            audit(conn, tenant, who, "change", f"user {user.name}", {"action": action, **detail})
    return RedirectResponse("/users?saved=1", status_code=303)


ROUTES = [
    Route("/users", endpoint(users_page), methods=["GET"]),
    Route("/users/{action:str}", endpoint(_change), methods=["POST"]),
]
