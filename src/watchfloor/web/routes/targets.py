"""Targets map pages: the world map with a table of the same targets, one target's posts,
and the GeoJSON download."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from watchfloor.web.security import Principal, viewer
from watchfloor.web.svg.worldmap import markers_from_targets, render_world_map
from watchfloor.web.templating import render
from watchfloor.web.views.params import BadFilter
from watchfloor.web.views.targets import (
    MAP_LIMIT,
    POSTS_PAGE,
    TargetFilters,
    geojson_view,
    target_view,
    targets_view,
)

router = APIRouter(tags=["targets"], include_in_schema=False)
GEOJSON = "application/geo+json"


def target_filters(status: int):
    """A dependency parsing the map's filters; a bad value is an HTTP `status` error."""

    def dependency(
        since: str | None = Query(None, description="evidence from posts on or after this date"),
        until: str | None = Query(None, description="before this time; a bare date includes it"),
        country: str | None = Query(None, description="ISO code or name"),
        kind: str | None = Query(None, description="landmark, city or country"),
        limit: int = Query(MAP_LIMIT, description=f"at most {MAP_LIMIT}"),
    ) -> TargetFilters:
        try:
            return TargetFilters.parse(since, until, country, kind, limit)
        except BadFilter as exc:
            raise HTTPException(status, str(exc)) from exc

    return Depends(dependency)


PAGE_FILTERS = target_filters(400)


@router.get("/targets")
def targets_page(
    request: Request, principal: Principal = viewer, filters: TargetFilters = PAGE_FILTERS
) -> Response:
    data = targets_view(request.app.state.store, request.app.state, filters)
    markers = markers_from_targets(data["targets"], lambda t: t["href"])
    context = {
        **data,
        "map_svg": render_world_map(markers, title="Targets map"),
        "query": request.url.query,
    }
    return render(request, "targets/map.html", context)


@router.get("/targets.geojson")
def targets_geojson_download(
    request: Request, principal: Principal = viewer, filters: TargetFilters = PAGE_FILTERS
) -> Response:
    collection = geojson_view(request.app.state.store, request.app.state, filters)
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
