"""The post page: text with evidence marked, media blurred with overlays, matches, reposts."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from watchfloor.web.security import Principal, viewer
from watchfloor.web.templating import render
from watchfloor.web.views.posts import post_detail

router = APIRouter(tags=["posts"], include_in_schema=False)


@router.get("/posts/{post_id}")
def post_page(request: Request, post_id: int, principal: Principal = viewer) -> Response:
    hours = request.app.state.web.session_hours
    with request.app.state.store.connect() as conn:
        found = post_detail(conn, post_id, (principal.user_id, principal.name, hours))
    if found is None:
        raise HTTPException(404, f"no post {post_id}")
    return render(request, "posts/detail.html", found)
