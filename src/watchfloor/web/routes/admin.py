"""Admin pages: users (add, change role, disable), everyone's API tokens, the audit log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from watchfloor.web.editing import actor_of
from watchfloor.web.security import Principal, admin
from watchfloor.web.templating import render
from watchfloor.web.views import admin as views

router = APIRouter(tags=["admin"], include_in_schema=False)


def _users_page(request: Request, status: int = 200, **extra) -> Response:
    with request.app.state.store.connect() as conn:
        context = views.users_view(conn)
    return render(request, "users/users.html", context | extra, status)


def _done(message: str) -> RedirectResponse:
    return RedirectResponse(f"/users?done={quote(message)}", status_code=303)


@router.get("/users")
def users_page(request: Request, done: str | None = None, principal: Principal = admin):
    return _users_page(request, done=done)


@router.post("/users")
def add_user(
    request: Request,
    name: str = Form(...),
    role: str = Form("viewer"),
    password: str = Form(""),
    principal: Principal = admin,
) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            views.add_user(conn, actor_of(request, principal), name, role, password)
    except views.AccountError as exc:
        return _users_page(request, 400, error=str(exc))
    return _done(f"added {name} ({role})")


@router.post("/users/{name}/role")
def set_role(
    request: Request, name: str, role: str = Form(...), principal: Principal = admin
) -> Response:
    if name == principal.name:
        return _users_page(request, 400, error="ask another admin to change your own role")
    try:
        with request.app.state.store.begin() as conn:
            views.set_role(conn, actor_of(request, principal), name, role)
    except views.AccountError as exc:
        return _users_page(request, 400, error=str(exc))
    return _done(f"{name} is now {role}")


@router.post("/users/{name}/disable")
def disable_user(request: Request, name: str, principal: Principal = admin) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            views.disable_user(conn, actor_of(request, principal), name)
    except views.AccountError as exc:
        return _users_page(request, 400, error=str(exc))
    return _done(f"disabled {name}")


@router.post("/users/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, principal: Principal = admin) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            views.revoke_token(conn, actor_of(request, principal), token_id)
    except views.AccountError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _done(f"revoked token {token_id}")


@router.get("/audit")
def audit_page(
    request: Request,
    filters: Annotated[views.AuditFilters, Depends()],
    principal: Principal = admin,
) -> Response:
    given = filters.text_filters()
    query = urlencode({k: v for k, v in given.items() if v})
    try:
        with request.app.state.store.connect() as conn:
            context = views.audit_view(conn, filters)
    except views.BadFilter as exc:
        empty = {"entries": [], "more": False, "filters": given, "limit": 100, "offset": 0}
        return render(request, "audit/audit.html", empty | {"error": str(exc)}, 400)
    context["query"] = f"&{query}" if query else ""
    return render(request, "audit/audit.html", context)
