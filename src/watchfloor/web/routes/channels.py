"""Channel pages: the list with dormancy states, one channel with its activity and posts."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from watchfloor.web.security import Principal, viewer
from watchfloor.web.templating import render
from watchfloor.web.views.channels import channel_detail, channel_list
from watchfloor.web.views.corpus_cache import corpus_cache
from watchfloor.web.views.params import page_bounds

router = APIRouter(tags=["channels"], include_in_schema=False)
PAGE, MAX_PAGE = 50, 200


@router.get("/channels")
def channels_page(request: Request, principal: Principal = viewer) -> Response:
    with request.app.state.store.connect() as conn:
        rows = channel_list(conn, corpus_cache(request.app))
    return render(request, "channels/list.html", {"channels": rows})


@router.get("/channels/{channel_id}")
def channel_page(
    request: Request,
    channel_id: int,
    limit: int = PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> Response:
    limit, offset = page_bounds(limit, offset, PAGE, MAX_PAGE)
    with request.app.state.store.connect() as conn:
        found = channel_detail(
            conn, channel_id, limit=limit + 1, offset=offset, cache=corpus_cache(request.app)
        )
    if found is None:
        raise HTTPException(404, f"no channel {channel_id}")
    more = len(found["posts"]) > limit
    context = {**found, "posts": found["posts"][:limit], "more": more}
    return render(request, "channels/detail.html", context | {"limit": limit, "offset": offset})
