"""Targets map pages: the world map with a table of the same targets, one target's posts,
and the GeoJSON download."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from watchfloor.web.security import Principal, viewer
from watchfloor.web.svg.worldmap import markers_from_targets, render_world_map
from watchfloor.web.templating import render
from watchfloor.web.views.params import BadFilter, Window
from watchfloor.web.views.targets import (
    MAP_LIMIT,
    POSTS_PAGE,
    geojson_view,
    target_view,
    targets_view,
)

router = APIRouter(tags=["targets"], include_in_schema=False)
GEOJSON = "application/geo+json"


@router.get("/targets")
def targets_page(
    request: Request,
    since: str | None = None,
    until: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    principal: Principal = viewer,
) -> Response:
    error = None
    try:
        window = Window.parse(since, until)
        with request.app.state.store.connect() as conn:
            data = targets_view(conn, window, country, kind)
    except BadFilter as exc:
        error, window = str(exc), Window()
        with request.app.state.store.connect() as conn:
            data = targets_view(conn, window)
    markers = markers_from_targets(data["targets"], lambda t: t["href"])
    context = {
        **data,
        "error": error,
        "map_svg": render_world_map(markers, title="Targets map"),
        "query": request.url.query,
    }
    return render(request, "targets/map.html", context, 400 if error else 200)


@router.get("/targets.geojson")
def targets_geojson_download(
    request: Request,
    since: str | None = None,
    until: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    principal: Principal = viewer,
) -> Response:
    try:
        window = Window.parse(since, until)
        with request.app.state.store.connect() as conn:
            collection = geojson_view(conn, window, country, kind, MAP_LIMIT)
    except BadFilter as exc:
        raise HTTPException(400, str(exc)) from exc
    return JSONResponse(
        collection,
        media_type=GEOJSON,
        headers={"content-disposition": 'attachment; filename="targets.geojson"'},
    )


@router.get("/targets/{key:path}")
def target_page(
    request: Request,
    key: str,
    limit: int = POSTS_PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> Response:
    with request.app.state.store.connect() as conn:
        target = target_view(conn, key, limit, offset)
    if target is None:
        raise HTTPException(404, f"no target {key}")
    return render(request, "targets/detail.html", {"target": target})
