"""`/api/v1/openapi.json`: the API's OpenAPI schema, for signed-in users and tokens only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from watchfloor.web.security import Principal, viewer

router = APIRouter(prefix="/api/v1", tags=["meta"])


@router.get("/openapi.json", include_in_schema=False)
def openapi_schema(request: Request, principal: Principal = viewer) -> dict[str, Any]:
    """The OpenAPI 3 document of every `/api/v1` route (HTML pages are left out)."""
    return request.app.openapi()
