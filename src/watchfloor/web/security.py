"""Who is asking, and may they? Sessions (cookie + CSRF) for browsers, bearer tokens for scripts.

Every route but the public ones depends on `require(role)`. Unsafe methods from a browser
session must carry the session's CSRF token (form field or header); token requests carry no
cookies, so CSRF does not apply to them, but a read-scoped token may only use safe methods.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request

from watchfloor.accounts import sessions, tokens
from watchfloor.accounts.roles import role_allows

SESSION_COOKIE = "wf_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(Exception):
    """No valid session or token: HTML pages redirect to the login page, the API answers 401."""


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: str
    via: str  # "session" or "token"
    scopes: tuple[str, ...] = ("read", "write")
    csrf_token: str | None = None

    @property
    def origin(self) -> str:
        return "web" if self.via == "session" else "api"

    def can(self, role: str) -> bool:
        return role_allows(self.role, role)


def bearer_secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def resolve_principal(request: Request) -> Principal | None:
    store = request.app.state.store
    secret = bearer_secret(request)
    with store.begin() as conn:
        if secret is not None:
            owner = tokens.authenticate_token(conn, secret)
            if owner is None:
                return None
            return Principal(owner.user_id, owner.user_name, owner.role, "token", owner.scopes)
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        found = sessions.find_session(conn, cookie)
    if found is None:
        return None
    return Principal(
        found.user_id, found.user_name, found.role, "session", csrf_token=found.csrf_token
    )


async def _submitted_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, principal: Principal) -> None:
    if principal.via != "session" or request.method in SAFE_METHODS:
        return
    submitted = await _submitted_csrf(request)
    if not submitted or not hmac.compare_digest(submitted, principal.csrf_token or ""):
        raise Forbidden("the form is stale or did not come from this site: reload and try again")


def require(role: str = "viewer"):
    """A dependency: the principal, when authenticated, allowed `role`, and CSRF-clean."""

    async def dependency(request: Request) -> Principal:
        principal = resolve_principal(request)
        if principal is None:
            raise NotAuthenticated()
        if not principal.can(role):
            raise Forbidden(f"this needs the {role} role; you are {principal.role}")
        if request.method not in SAFE_METHODS and "write" not in principal.scopes:
            raise Forbidden("this token has the read scope only")
        await check_csrf(request, principal)
        request.state.principal = principal
        return principal

    dependency.required_role = role  # type: ignore[attr-defined]
    return dependency


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


viewer = Depends(require("viewer"))
analyst = Depends(require("analyst"))
admin = Depends(require("admin"))


def audit_context(request: Request, principal: Principal) -> dict[str, Any]:
    """Keyword arguments for `accounts.audit.record` naming who did it and from where."""
    return {"origin": principal.origin, "ip": client_ip(request)}
