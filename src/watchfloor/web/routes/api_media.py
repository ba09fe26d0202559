"""`/api/v1/media/{sha256}`: metadata, signals and the posts that carry it. The bytes stay
behind the reveal rule: `/content` answers 403 until the caller revealed the item
(`POST .../reveal`, audited) or chose to see media unblurred."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from watchfloor.web.media_access import NoSuchMedia, may_see_original, media_row, record_reveal
from watchfloor.web.routes.api_posts import Signal
from watchfloor.web.routes.media import original_file
from watchfloor.web.security import Principal, client_ip, viewer
from watchfloor.web.views.media import media_api

router = APIRouter(prefix="/api/v1", tags=["media"])


class MediaPost(BaseModel):
    id: int
    channel: str
    message_id: int
    date: str | None
    href: str


class MediaDetail(BaseModel):
    sha256: str
    mime: str | None
    size: int
    width: int | None
    height: int | None
    revealed: bool = Field(description="whether /content would answer for the caller now")
    content: str = Field(description="where the bytes are, once revealed")
    signals: list[Signal]
    posts: list[MediaPost] = Field(description="posts carrying it, oldest first (at most 100)")


class Revealed(BaseModel):
    sha256: str
    revealed: bool
    content: str


def _check(conn, sha256: str):
    try:
        return media_row(conn, sha256)
    except NoSuchMedia as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/media/{sha256}", response_model=MediaDetail)
def media_api_route(request: Request, sha256: str, principal: Principal = viewer) -> dict:
    hours = request.app.state.web.session_hours
    with request.app.state.store.connect() as conn:
        _check(conn, sha256)
        found = media_api(conn, sha256)
        found["revealed"] = may_see_original(conn, principal.user_id, principal.name, sha256, hours)
    return found


@router.get("/media/{sha256}/content", response_class=Response)
def media_content(request: Request, sha256: str, principal: Principal = viewer) -> Response:
    """The original bytes, no-store; 403 until revealed."""
    refusal = f"reveal this item first: POST /api/v1/media/{sha256}/reveal"
    return original_file(request, principal, sha256, refusal)


@router.post("/media/{sha256}/reveal", response_model=Revealed)
def reveal_api(request: Request, sha256: str, principal: Principal = viewer) -> dict[str, Any]:
    """Records the reveal in the audit log; /content then answers for the session's length."""
    with request.app.state.store.begin() as conn:
        _check(conn, sha256)
        record_reveal(conn, principal.name, sha256, principal.origin, client_ip(request))
    return {"sha256": sha256, "revealed": True, "content": f"/api/v1/media/{sha256}/content"}
