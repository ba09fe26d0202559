"""`/api/v1/users`, `/api/v1/tokens` and `/api/v1/audit`: for admins only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from watchfloor.web.editing import actor_of
from watchfloor.web.security import Principal, admin
from watchfloor.web.views import admin as views

router = APIRouter(prefix="/api/v1", tags=["admin"])
Role = Literal["viewer", "analyst", "admin"]


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    role: Role = "viewer"
    password: str | None = Field(None, max_length=1000)


class UserChanges(BaseModel):
    role: Role | None = None
    disabled: Literal[True] | None = None


@router.get("/users")
def list_users(request: Request, principal: Principal = admin) -> dict[str, Any]:
    """Every user and every API token (never a token's secret)."""
    with request.app.state.store.connect() as conn:
        return views.users_view(conn)


@router.post("/users", status_code=201)
def add_user(request: Request, body: NewUser, principal: Principal = admin) -> dict[str, Any]:
    try:
        with request.app.state.store.begin() as conn:
            return views.add_user(
                conn, actor_of(request, principal), body.name, body.role, body.password
            )
    except views.AccountError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.patch("/users/{name}")
def change_user(
    request: Request, name: str, body: UserChanges, principal: Principal = admin
) -> dict[str, Any]:
    """A new role and/or disabling (which ends the user's sessions and tokens)."""
    if name == principal.name:
        raise HTTPException(422, "ask another admin to change your own account")
    actor = actor_of(request, principal)
    try:
        with request.app.state.store.begin() as conn:
            user = views.set_role(conn, actor, name, body.role) if body.role else None
            if body.disabled:
                user = views.disable_user(conn, actor, name)
    except views.AccountError as exc:
        raise HTTPException(404 if "no user" in str(exc) else 422, str(exc)) from exc
    if user is None:
        raise HTTPException(422, "nothing to change: give 'role' or 'disabled': true")
    return user


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, principal: Principal = admin) -> dict:
    try:
        with request.app.state.store.begin() as conn:
            return views.revoke_token(conn, actor_of(request, principal), token_id)
    except views.AccountError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/audit")
def audit(
    request: Request,
    filters: Annotated[views.AuditFilters, Depends()],
    principal: Principal = admin,
) -> dict[str, Any]:
    """Audit entries, newest first, filtered by actor, action and dates (`until` included);
    `more` says whether another page follows."""
    try:
        with request.app.state.store.connect() as conn:
            return views.audit_view(conn, filters)
    except views.BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc
