"""`/api/v1/campaigns`: coordinated campaigns (computed on read, so bounded by `since`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from watchfloor.web.security import Principal, viewer
from watchfloor.web.views.campaigns import (
    MAX_PAGE,
    PAGE,
    campaign_detail,
    find_campaign,
    latest_campaigns,
)
from watchfloor.web.views.corpus_cache import corpus_cache
from watchfloor.web.views.params import BadFilter, Window, page_bounds

router = APIRouter(prefix="/api/v1", tags=["campaigns"])


class CampaignSummary(BaseModel):
    id: str
    href: str = Field(description="the campaign, with the window it was found in")
    start: str
    end: str
    size: int
    channels: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    reasons: list[dict[str, Any]]
    shared_media: int


class CampaignList(BaseModel):
    since: str | None = Field(description="the window's start actually used")
    until: str | None = None
    campaigns: list[CampaignSummary]


class CampaignDetail(BaseModel):
    id: str
    start: str
    end: str
    size: int
    channels: list[dict[str, Any]]
    members: list[dict[str, Any]]
    reasons: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    shared_media: list[str]


@router.get("/campaigns", response_model=CampaignList)
def campaigns_api(
    request: Request,
    since: str | None = Query(
        None, description="active from (default: 90 days before the newest post)"
    ),
    until: str | None = None,
    limit: int = PAGE,
    principal: Principal = viewer,
) -> dict[str, Any]:
    """The most recently started first; the window may span at most 400 days, `limit` <= 100."""
    limit, _ = page_bounds(limit, 0, PAGE, MAX_PAGE)
    try:
        window = Window.parse(since, until)
        with request.app.state.store.connect() as conn:
            return latest_campaigns(
                conn, window.since, window.until, limit, corpus_cache(request.app)
            )
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/campaigns/{campaign_id}", response_model=CampaignDetail)
def campaign_api(
    request: Request,
    campaign_id: str,
    since: str | None = Query(None, description="the window the listing found it in (its href)"),
    until: str | None = None,
    at: str | None = Query(None, description="the campaign's start, when no window is known"),
    principal: Principal = viewer,
) -> dict[str, Any]:
    """Without a window the whole corpus is grouped (slow on a large corpus): use the `href` a
    listing gives, which names its window."""
    try:
        window = Window.parse(since, until)
        start = Window.parse(at, None).since
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc
    cache = corpus_cache(request.app)
    with request.app.state.store.connect() as conn:
        found = find_campaign(conn, campaign_id, window.since, window.until, cache, start)
        if found is None:
            raise HTTPException(404, f"no campaign {campaign_id}")
        return campaign_detail(conn, found, chart=False)
