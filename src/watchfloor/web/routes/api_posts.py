"""`/api/v1/posts`: posts filtered by channel, time and words (Arabic normalised), one post with
its signals and those of its media."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from watchfloor.web.security import Principal, viewer
from watchfloor.web.views.params import BadFilter, Window, next_page, page_bounds
from watchfloor.web.views.posts import list_posts, post_api

router = APIRouter(prefix="/api/v1", tags=["posts"])
PAGE, MAX_PAGE = 50, 500


class MediaRef(BaseModel):
    role: str
    path: str
    sha256: str | None
    status: str
    note: str | None = None


class Post(BaseModel):
    id: int
    channel: str = Field(description="channel key, e.g. telegram:1348120101")
    channel_id: int
    message_id: int
    date: str
    edit_date: str | None = None
    date_assumed_tz: str | None = None
    kind: str
    sender: str | None = None
    sender_id: str | None = None
    text: str
    forwarded_from: str | None = None
    reply_to: int | None = None
    entities: dict[str, Any]
    media: list[MediaRef]


class Signal(BaseModel):
    subject_type: str
    subject: str
    analyzer: str
    version: str
    kind: str
    value: Any
    score: float | None = None
    evidence: Any = None


class PostPage(BaseModel):
    posts: list[Post]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")


class PostDetail(Post):
    signals: list[Signal]
    media_signals: dict[str, list[Signal]] = Field(description="signals per media sha256")


@router.get("/posts", response_model=PostPage)
def posts_api(
    request: Request,
    channel: str | None = Query(None, description="channel key, title or handle"),
    channel_id: int | None = Query(None, description="a channel's id (as in /api/v1/channels)"),
    since: str | None = Query(None, description="on or after (ISO date or time, UTC default)"),
    until: str | None = Query(None, description="before (a bare date: through that day)"),
    q: str | None = Query(None, max_length=500, description="words that must all match"),
    limit: int = PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> dict[str, Any]:
    """Posts, newest first; `limit` is capped at 500."""
    limit, offset = page_bounds(limit, offset, PAGE, MAX_PAGE)
    try:
        window = Window.parse(since, until)
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc
    with request.app.state.store.connect() as conn:
        rows = list_posts(
            conn,
            channel=channel,
            channel_id=channel_id,
            window=window,
            query=q,
            limit=limit + 1,
            offset=offset,
        )
    page = next_page(rows, limit, offset)
    posts = page.pop("rows")
    return {**page, "posts": posts}


@router.get("/posts/{post_id}", response_model=PostDetail)
def post_api_route(request: Request, post_id: int, principal: Principal = viewer) -> dict:
    with request.app.state.store.connect() as conn:
        found = post_api(conn, post_id)
    if found is None:
        raise HTTPException(404, f"no post {post_id}")
    return found
