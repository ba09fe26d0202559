"""Search over posts (Arabic normalised), paged, the matched words highlighted."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from watchfloor.web.security import Principal, viewer
from watchfloor.web.templating import render
from watchfloor.web.views.params import BadFilter, Window, page_bounds
from watchfloor.web.views.search import MAX_PAGE, PAGE, search_posts

router = APIRouter(tags=["search"], include_in_schema=False)


@router.get("/search")
def search_page(
    request: Request,
    q: str = "",
    channel: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> Response:
    limit, offset = page_bounds(limit, offset, PAGE, MAX_PAGE)
    error, status, found = None, 200, None
    try:
        window = Window.parse(since, until)
    except BadFilter as exc:
        window, error, status = Window(), str(exc), 400
    if q.strip() and error is None:
        with request.app.state.store.connect() as conn:
            found = search_posts(
                conn, q, channel=channel, window=window, limit=limit, offset=offset
            )
    context = {
        "q": q,
        "channel": channel or "",
        "window": window,
        "found": found,
        "limit": limit,
        "offset": offset,
        "error": error,
    }
    return render(request, "search/results.html", context, status)
