"""`/api/v1/targets`: targets seen in a window, one target with its posts, GeoJSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from watchfloor.web.routes.targets import GEOJSON
from watchfloor.web.security import Principal, viewer
from watchfloor.web.views.params import BadFilter, Window
from watchfloor.web.views.targets import (
    MAP_LIMIT,
    POSTS_PAGE,
    geojson_view,
    target_view,
    targets_view,
)

router = APIRouter(prefix="/api/v1", tags=["targets"])
SINCE = Query(None, description="evidence from posts on or after this date (2018-01-31)")
UNTIL = Query(None, description="evidence from posts before this time; a bare date includes it")
COUNTRY = Query(None, description="ISO code or name")
KIND = Query(None, description="landmark, city or country")


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


def _window(since: str | None, until: str | None) -> Window:
    try:
        return Window.parse(since, until)
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/targets", response_model=TargetList)
def list_targets_api(
    request: Request,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    country: str | None = COUNTRY,
    kind: str | None = KIND,
    limit: int = Query(MAP_LIMIT, description=f"at most {MAP_LIMIT}"),
    principal: Principal = viewer,
) -> dict[str, Any]:
    """Targets seen in the window, the most posted first."""
    window = _window(since, until)
    try:
        with request.app.state.store.connect() as conn:
            return targets_view(conn, window, country, kind, limit)
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/targets.geojson")
def targets_geojson_api(
    request: Request,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    country: str | None = COUNTRY,
    kind: str | None = KIND,
    principal: Principal = viewer,
) -> JSONResponse:
    """The same targets as a GeoJSON FeatureCollection of points."""
    window = _window(since, until)
    try:
        with request.app.state.store.connect() as conn:
            collection = geojson_view(conn, window, country, kind)
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc
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
