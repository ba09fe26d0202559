"""`/api/v1/overview`: the overview page's numbers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from watchfloor.web.security import Principal, viewer
from watchfloor.web.views.overview import overview_json, overview_view

router = APIRouter(prefix="/api/v1", tags=["overview"])


@router.get("/overview")
def overview_api(request: Request, principal: Principal = viewer) -> dict[str, Any]:
    """Alerts per severity and status, activity of the last 90 days before the newest post
    (busiest channels, surges, reactivations), the latest campaigns and the top targets."""
    return overview_json(overview_view(request.app.state.store, request.app.state))
