"""`/api/v1/alerts`: list and filter alerts, read one with its evidence, change its status."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from watchfloor.alerts.state import AlertError
from watchfloor.web.security import Principal, analyst, client_ip, viewer
from watchfloor.web.views.alerts import (
    MAX_PAGE,
    NOTE_MAX,
    PAGE,
    AlertFilters,
    alert_view,
    alerts_page,
    change_status,
)
from watchfloor.web.views.params import BadFilter

router = APIRouter(prefix="/api/v1", tags=["alerts"])


class AlertSummary(BaseModel):
    id: int
    rule: str
    type: str
    severity: str
    subject: str
    summary: str
    status: str
    revision: int
    count: int
    first_fired: str
    last_fired: str
    status_by: str | None = None
    status_at: str | None = None
    status_note: str | None = None
    href: str


class AlertPage(BaseModel):
    alerts: list[AlertSummary]
    total: int
    limit: int
    offset: int
    filters: dict[str, str | None]
    rules: list[str]


class AlertDetail(AlertSummary):
    evidence: dict[str, Any]
    deliveries: list[dict[str, Any]]
    links: dict[str, list[Any]] = Field(
        description="posts, channels, targets, campaigns and media (sha256) the evidence names"
    )


class StatusChange(BaseModel):
    status: Literal["new", "acknowledged", "dismissed"]
    note: str | None = Field(None, max_length=NOTE_MAX)


@router.get("/alerts", response_model=AlertPage)
def list_alerts_api(
    request: Request,
    status: str | None = None,
    severity: str | None = Query(None, description="this severity and above"),
    rule: str | None = None,
    limit: int = PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> dict[str, Any]:
    """Alerts, the latest fired first; `limit` is capped."""
    try:
        filters = AlertFilters.parse(status, severity, rule)
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc
    with request.app.state.store.connect() as conn:
        return alerts_page(conn, filters, min(limit, MAX_PAGE), offset)


@router.get("/alerts/{alert_id}", response_model=AlertDetail)
def get_alert_api(request: Request, alert_id: int, principal: Principal = viewer) -> dict:
    with request.app.state.store.connect() as conn:
        alert = alert_view(conn, alert_id)
    if alert is None:
        raise HTTPException(404, f"no alert {alert_id}")
    return alert


@router.post("/alerts/{alert_id}/status", response_model=AlertSummary)
def set_status_api(
    request: Request, alert_id: int, change: StatusChange, principal: Principal = analyst
) -> dict[str, Any]:
    """Acknowledge, dismiss or reopen an alert with a note (audited as `alert_status`)."""
    try:
        with request.app.state.store.begin() as conn:
            return change_status(
                conn,
                alert_id,
                change.status,
                change.note,
                actor=principal.name,
                origin=principal.origin,
                ip=client_ip(request),
            )
    except AlertError as exc:
        raise HTTPException(404, str(exc)) from exc
