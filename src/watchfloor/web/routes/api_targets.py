"""`/api/v1/targets`: targets seen in a window, one target with its posts, GeoJSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from watchfloor.web.routes.targets import GEOJSON, target_filters
from watchfloor.web.security import Principal, viewer
from watchfloor.web.views.targets import (
    POSTS_PAGE,
    TargetFilters,
    geojson_view,
    target_view,
    targets_view,
)

router = APIRouter(prefix="/api/v1", tags=["targets"])
API_FILTERS = target_filters(422)


class Target(BaseModel):
    key: str
    kind: str
    name: str
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    posts: int
    evidence: int
    evidence_kinds: list[str]
    href: str


class TargetList(BaseModel):
    targets: list[Target]
    filters: dict[str, str | None]
    limit: int
    computed_at: str | None = Field(None, description="when the list was computed (UTC)")
    updating: bool = Field(False, description="newer data are being counted")


class TargetPost(BaseModel):
    post_id: int
    channel: str
    channel_id: int
    title: str | None = None
    message_id: int
    date: str | None = None
    text: str
    evidence: list[dict[str, Any]]
    href: str
    channel_href: str


class TargetDetail(Target):
    posts_page: list[TargetPost]
    limit: int
    offset: int


@router.get("/targets", response_model=TargetList)
def list_targets_api(
    request: Request, principal: Principal = viewer, filters: TargetFilters = API_FILTERS
) -> dict[str, Any]:
    """Targets seen in the window, the most posted first."""
    return targets_view(request.app.state.store, request.app.state, filters)


@router.get("/targets.geojson")
def targets_geojson_api(
    request: Request, principal: Principal = viewer, filters: TargetFilters = API_FILTERS
) -> JSONResponse:
    """The same targets as a GeoJSON FeatureCollection of points."""
    collection = geojson_view(request.app.state.store, request.app.state, filters)
    return JSONResponse(collection, media_type=GEOJSON)


@router.get("/targets/{key:path}", response_model=TargetDetail)
def get_target_api(
    request: Request,
    key: str,
    limit: int = POSTS_PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> dict[str, Any]:
    """One target with a page of its posts (oldest first) and their evidence."""
    with request.app.state.store.connect() as conn:
        target = target_view(conn, key, limit, offset)
    if target is None:
        raise HTTPException(404, f"no target {key}")
    return target
