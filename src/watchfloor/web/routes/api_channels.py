"""`/api/v1/channels`: channels with attribution and dormancy state; one channel with its
attribution reasons, activity (dormancies, surges), forwards in and out and a page of posts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from watchfloor.web.routes.api_posts import Post
from watchfloor.web.security import Principal, viewer
from watchfloor.web.views.channels import channel_detail, channel_list
from watchfloor.web.views.corpus_cache import corpus_cache
from watchfloor.web.views.params import next_page, page_bounds

router = APIRouter(prefix="/api/v1", tags=["channels"])
PAGE, MAX_PAGE = 50, 500


class Channel(BaseModel):
    id: int
    key: str
    title: str | None = None
    kind: str | None = None
    attribution: str
    attribution_reasons: list[dict[str, Any]]
    posts: int
    first_seen: str | None = None
    last_seen: str | None = None
    state: str = Field(description="active, dormant, reactivated, surging or no posts")
    since: str | None = Field(None, description="the day the state began")
    href: str | None = None


class Forward(BaseModel):
    name: str | None
    count: int
    first: str | None
    last: str | None
    href: str | None = None
    key: str | None = None
    from_id: str | None = None


class ChannelDetail(BaseModel):
    channel: Channel
    activity: dict[str, Any] | None = Field(
        description="daily or weekly counts, dormancies and surges (as `watchfloor activity`)"
    )
    forwards_out: list[Forward]
    forwards_in: list[Forward]
    posts: list[Post]
    limit: int
    offset: int
    next_offset: int | None


@router.get("/channels", response_model=list[Channel])
def channels_api(request: Request, principal: Principal = viewer) -> list[dict[str, Any]]:
    with request.app.state.store.connect() as conn:
        return channel_list(conn, corpus_cache(request.app))


@router.get("/channels/{channel_id}", response_model=ChannelDetail)
def channel_api(
    request: Request,
    channel_id: int,
    limit: int = PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> dict[str, Any]:
    """One channel; its posts newest first, `limit` capped at 500."""
    limit, offset = page_bounds(limit, offset, PAGE, MAX_PAGE)
    with request.app.state.store.connect() as conn:
        found = channel_detail(
            conn,
            channel_id,
            limit=limit + 1,
            offset=offset,
            chart=False,
            cache=corpus_cache(request.app),
        )
    if found is None:
        raise HTTPException(404, f"no channel {channel_id}")
    page = next_page(found["posts"], limit, offset)
    posts = page.pop("rows")
    return {**found, **page, "posts": posts}
