"""Campaign pages: the latest (since a date) and one campaign with its members over time."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from watchfloor.web.security import Principal, viewer
from watchfloor.web.templating import render
from watchfloor.web.views.campaigns import (
    MAX_PAGE,
    PAGE,
    campaign_detail,
    find_campaign,
    latest_campaigns,
)
from watchfloor.web.views.corpus_cache import corpus_cache
from watchfloor.web.views.params import BadFilter, Window, page_bounds

router = APIRouter(tags=["campaigns"], include_in_schema=False)


@router.get("/campaigns")
def campaigns_page(
    request: Request,
    since: str | None = None,
    until: str | None = None,
    limit: int = PAGE,
    principal: Principal = viewer,
) -> Response:
    limit, _ = page_bounds(limit, 0, PAGE, MAX_PAGE)
    error, status = None, 200
    with request.app.state.store.connect() as conn:
        try:
            window = Window.parse(since, until)
            found = latest_campaigns(
                conn, window.since, window.until, limit, corpus_cache(request.app)
            )
        except BadFilter as exc:
            window, error, status = Window(), str(exc), 400
            found = {"since": None, "campaigns": []}
    context = {**found, "window": window, "limit": limit, "error": error}
    return render(request, "campaigns/list.html", context, status)


@router.get("/campaigns/{campaign_id}")
def campaign_page(
    request: Request,
    campaign_id: str,
    since: str | None = None,
    until: str | None = None,
    at: str | None = None,
    principal: Principal = viewer,
) -> Response:
    """`since`/`until`: the window the list found it in (its links carry them); `at`: the
    campaign's start (links from the overview and alerts)."""
    try:
        window = Window.parse(since, until)
        start = Window.parse(at, None).since
    except BadFilter as exc:
        raise HTTPException(400, str(exc)) from exc
    viewer = (principal.user_id, principal.name, request.app.state.web.session_hours)
    cache = corpus_cache(request.app)
    with request.app.state.store.connect() as conn:
        found = find_campaign(conn, campaign_id, window.since, window.until, cache, start)
        if found is None:
            raise HTTPException(404, f"no campaign {campaign_id}")
        detail = campaign_detail(conn, found, viewer=viewer)
    query = request.url.query
    here = request.url.path + (f"?{query}" if query else "")  # where a reveal comes back to
    return render(request, "campaigns/detail.html", {"campaign": detail, "here": here})
