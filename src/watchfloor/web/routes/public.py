"""The only routes open without a session: log in, log out, health, the login stylesheet."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from watchfloor.accounts import audit, sessions, users
from watchfloor.web.logins import LoginThrottle
from watchfloor.web.security import SESSION_COOKIE, client_ip, resolve_principal
from watchfloor.web.templating import render

router = APIRouter(tags=["public"])
PUBLIC_PATHS = frozenset({"/login", "/logout", "/healthz", "/login.css"})
LOGIN_COOKIE = "wf_login"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def safe_next(value: str | None) -> str:
    """Only a path on this site: never another host (`//evil`, `https://...`, `/\\evil`)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    return value


def _throttle(request: Request) -> LoginThrottle:
    app = request.app
    if not hasattr(app.state, "login_throttle"):
        web = app.state.web
        app.state.login_throttle = LoginThrottle(web.login_attempts, web.login_pause_seconds)
    return app.state.login_throttle


def _secure(request: Request) -> bool:
    policy = request.app.state.web.cookie_secure
    return policy == "always" or (policy == "auto" and request.url.scheme == "https")


def _login_page(request: Request, next_path: str, error: str | None, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", {"login_token": token, "next": next_path, "error": error}, status
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/login",
    )
    return response


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, safe_next(next), None, 200)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    name: str = Form(..., max_length=120),
    password: str = Form(..., max_length=1024),
    login_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    target = safe_next(next)
    cookie_token = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie_token or not hmac.compare_digest(cookie_token, login_token):
        return _login_page(request, target, "The form expired: please try again.", 400)
    ip = client_ip(request) or "-"
    throttle = _throttle(request)
    if throttle.blocked(name, ip):
        return _login_page(request, target, "Too many failed attempts: wait and try again.", 429)
    store = request.app.state.store
    with store.begin() as conn:
        user = users.verify_login(conn, name, password)
        if user is None:
            audit.record(conn, name, "login_failed", origin="web", ip=ip)
        else:
            cookie, _csrf = sessions.create_session(
                conn, user.id, request.app.state.web.session_hours
            )
            audit.record(
                conn,
                user.name,
                "login",
                target_kind="user",
                target_id=user.name,
                origin="web",
                ip=ip,
            )
    if user is None:
        throttle.failed(name, ip)
        return _login_page(request, target, "Wrong name or password, or the user is disabled.", 401)
    throttle.succeeded(name, ip)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=request.app.state.web.session_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    """Ends the session; needs the session's CSRF token so another site cannot log you out."""
    principal = resolve_principal(request)
    if principal is not None and principal.via == "session":
        form = await request.form()
        submitted = form.get("csrf_token")
        if isinstance(submitted, str) and hmac.compare_digest(
            submitted, principal.csrf_token or ""
        ):
            with request.app.state.store.begin() as conn:
                sessions.end_session(conn, request.cookies[SESSION_COOKIE])
                audit.record(conn, principal.name, "logout", origin="web", ip=client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/healthz", include_in_schema=False)
def health(request: Request) -> JSONResponse:
    try:
        with request.app.state.store.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy
        return JSONResponse({"status": "unavailable", "database": False}, status_code=503)
    return JSONResponse({"status": "ok", "database": True})


@router.get("/login.css", include_in_schema=False)
def login_stylesheet() -> FileResponse:
    return FileResponse(STATIC_DIR / "login.css", media_type="text/css")
