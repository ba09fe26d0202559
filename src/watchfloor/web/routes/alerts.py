"""Alerts inbox pages: the filtered list, one alert with its evidence, status changes."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from watchfloor.alerts.state import AlertError
from watchfloor.web.media_access import may_see_original
from watchfloor.web.security import Principal, analyst, client_ip, viewer
from watchfloor.web.templating import render
from watchfloor.web.views.alerts import (
    NOTE_MAX,
    PAGE,
    AlertFilters,
    alert_view,
    alerts_page,
    change_status,
)
from watchfloor.web.views.params import BadFilter

router = APIRouter(tags=["alerts"], include_in_schema=False)
MEDIA_SHOWN = 12  # media of an alert shown inline (each needs a reveal look-up)
POSTS_SHOWN = 20


@router.get("/alerts")
def inbox(
    request: Request,
    status: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
    limit: int = PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> Response:
    try:
        filters = AlertFilters.parse(status, severity, rule)
    except BadFilter as exc:
        filters, error = AlertFilters(), str(exc)
    else:
        error = None
    with request.app.state.store.connect() as conn:
        page = alerts_page(conn, filters, limit, offset)
    return render(request, "alerts/list.html", {**page, "error": error}, 400 if error else 200)


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, alert_id: int, principal: Principal = viewer) -> Response:
    hours = request.app.state.web.session_hours
    with request.app.state.store.connect() as conn:
        alert = alert_view(conn, alert_id)
        if alert is None:
            raise HTTPException(404, f"no alert {alert_id}")
        shown = alert["links"]["media"][:MEDIA_SHOWN]
        revealed = {
            m["sha256"]
            for m in shown
            if may_see_original(conn, principal.user_id, principal.name, m["sha256"], hours)
        }
    context = {
        "alert": alert,
        "note_max": NOTE_MAX,
        "media": shown,
        "revealed": revealed,
        "posts_shown": POSTS_SHOWN,
    }
    return render(request, "alerts/detail.html", context)


@router.post("/alerts/{alert_id}/status")
def set_alert_status(
    request: Request,
    alert_id: int,
    status: str = Form(...),
    note: str = Form("", max_length=NOTE_MAX),
    principal: Principal = analyst,
) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            change_status(
                conn,
                alert_id,
                status,
                note,
                actor=principal.name,
                origin=principal.origin,
                ip=client_ip(request),
            )
    except AlertError as exc:
        raise HTTPException(404 if "no alert" in str(exc) else 400, str(exc)) from exc
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
