"""Jinja2 pages: autoescaped, with the signed-in principal, the CSRF token and the navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).with_name("templates")

# (label, path, least role): the order of the navigation bar.
NAVIGATION = (
    ("Overview", "/", "viewer"),
    ("Alerts", "/alerts", "viewer"),
    ("Targets", "/targets", "viewer"),
    ("Campaigns", "/campaigns", "viewer"),
    ("Channels", "/channels", "viewer"),
    ("Search", "/search", "viewer"),
    ("Banks", "/banks", "viewer"),
    ("Emblems", "/emblems", "viewer"),
    ("Gallery", "/gallery", "viewer"),
    ("Outlets", "/outlets", "viewer"),
    ("Rules", "/rules", "viewer"),
    ("Uploads", "/uploads", "analyst"),
    ("Audit", "/audit", "admin"),
    ("Users", "/users", "admin"),
)

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    nav = [
        (label, path)
        for label, path, role in NAVIGATION
        if principal is not None and principal.can(role) and _route_exists(request, path)
    ]
    base = {
        "principal": principal,
        "csrf_token": principal.csrf_token if principal is not None else None,
        "navigation": nav,
        "current_path": request.url.path,
    }
    return templates.TemplateResponse(request, name, {**base, **(context or {})}, status_code)


def _route_exists(request: Request, path: str) -> bool:
    paths = getattr(request.app.state, "page_paths", None)
    return paths is None or path in paths
