"""Campaigns: the latest (bounded by a since date and a limit, since they are computed on read)
and one campaign with its members over time, channels, targets and shared media.

Which posts are grouped decides the groups and their ids, so the list links each campaign with
the window it was found in (`since`, `until`) and the campaign page groups that same window:
the same campaign, and the list's result from the app's corpus cache. A link with only the
campaign's start (`at`) is looked up among the campaigns active then; without either the whole
corpus is grouped (what `watchfloor campaigns show` does).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, func, select

from watchfloor.analytics.campaign_store import (
    campaigns_stored,
    stored_campaign,
    stored_campaigns,
)
from watchfloor.analytics.campaigns import Campaign, get_campaign, list_campaigns
from watchfloor.store.schema import channels, posts
from watchfloor.store.times import as_utc, iso_utc
from watchfloor.web.svg.chart_data import members_from_campaign
from watchfloor.web.svg.charts import render_members
from watchfloor.web.views.corpus_cache import CorpusCache
from watchfloor.web.views.links import campaign_href, channel_href, post_href, target_href
from watchfloor.web.views.media import media_rows, revealed_among
from watchfloor.web.views.params import BadFilter

DEFAULT_DAYS = 90  # without `since`: campaigns of the last 90 days before the newest post
MAX_DAYS = 400  # the widest `since` window a page may ask for (grouping reads every post in it)
PAGE = 20
MAX_PAGE = 100
MEDIA_SHOWN = 12  # shared media drawn on the campaign page


def default_since(conn: Connection) -> datetime | None:
    newest = conn.execute(select(func.max(posts.c.date))).scalar_one()
    return None if newest is None else as_utc(newest) - timedelta(days=DEFAULT_DAYS)


def campaign_summary(c: Campaign, window: str = "") -> dict[str, Any]:
    return {
        "id": c.id,
        "href": campaign_href(c.id) + window,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "size": c.size,
        "channels": c.channels,
        "targets": c.targets,
        "reasons": c.reasons,
        "shared_media": len(c.shared_media),
    }


def window_query(since: datetime | None, until: datetime | None) -> str:
    """`?since=...&until=...` naming a window exactly (empty for the whole corpus)."""
    parts = [(k, v.isoformat()) for k, v in (("since", since), ("until", until)) if v]
    return "?" + "&".join(f"{k}={quote(v)}" for k, v in parts) if parts else ""


def _grouped(
    conn: Connection, since: datetime | None, until: datetime | None, cache: CorpusCache | None
) -> list[Campaign]:
    """Every campaign active in the window, newest first, computed once per window (used only
    on a workspace where the `campaigns` corpus step has not run yet)."""
    return (cache or CorpusCache()).get(
        conn, ("campaigns", since, until), lambda: list_campaigns(conn, since, until)
    )


def latest_campaigns(
    conn: Connection,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cache: CorpusCache | None = None,
) -> dict[str, Any]:
    """Campaigns active in [since, until), newest first; `since` defaults to 90 days before the
    newest post and may reach back at most MAX_DAYS before `until` (or the newest post)."""
    since = as_utc(since) or default_since(conn)
    until = as_utc(until)
    if campaigns_stored(conn):  # the corpus step grouped the whole corpus: any window is a query
        found = stored_campaigns(conn, since, until, limit)
    else:
        end = until or as_utc(conn.execute(select(func.max(posts.c.date))).scalar_one())
        if since is not None and end is not None and end - since > timedelta(days=MAX_DAYS):
            raise BadFilter(f"choose a window of at most {MAX_DAYS} days (campaigns are computed)")
        found = _grouped(conn, since, until, cache)[:limit]
    window = window_query(since, until)
    return {
        "since": iso_utc(since),
        "until": iso_utc(until),
        "campaigns": [campaign_summary(c, window) for c in found],
    }


def find_campaign(
    conn: Connection,
    campaign_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
    cache: CorpusCache | None = None,
    at: datetime | None = None,
) -> Campaign | None:
    """The campaign with this id among those of the window its link names; with only `at` (a
    start, as the overview and alert links give) among those active then, else among the list
    page's; with neither, among those of the whole corpus (slow on a large corpus)."""
    wanted = campaign_id if campaign_id.startswith("campaign:") else f"campaign:{campaign_id}"
    if campaigns_stored(conn):
        return stored_campaign(conn, wanted)
    cache = cache or CorpusCache()
    if since is not None or until is not None:
        windows = [(as_utc(since), as_utc(until))]
    elif at is not None:
        at = as_utc(at)
        windows = [(at, at + timedelta(seconds=1)), (default_since(conn), None)]
    else:
        return cache.get(conn, ("campaign", wanted), lambda: get_campaign(conn, wanted))
    for start, end in windows:
        found = next((c for c in _grouped(conn, start, end, cache) if c.id == wanted), None)
        if found is not None:
            return found
    return None


def _channel_ids(conn: Connection, keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    query = select(channels.c.key, channels.c.id).where(channels.c.key.in_(keys))
    return {k: i for k, i in conn.execute(query)}


def _shared_media(
    conn: Connection, shas: list[str], viewer: tuple[int, str, int] | None
) -> list[dict[str, Any]]:
    """The first shared images with their metadata and whether the viewer revealed them."""
    shown = shas[:MEDIA_SHOWN]
    metas = media_rows(conn, shown)
    revealed = revealed_among(conn, *viewer[:2], shown, viewer[2]) if viewer else set()
    return [{**metas[s], "revealed": s in revealed} for s in shown if s in metas]


def campaign_detail(
    conn: Connection,
    c: Campaign,
    *,
    chart: bool = True,
    viewer: tuple[int, str, int] | None = None,
) -> dict[str, Any]:
    """The campaign page's data; `viewer` = (user id, name, reveal hours), for the media."""
    ids = _channel_ids(conn, [ch["key"] for ch in c.channels])
    titles = {ch["key"]: ch["title"] or ch["key"] for ch in c.channels}
    members = [
        {
            **m,
            "date": m["date"].isoformat(),
            "href": post_href(m["post_id"]),
            "title": titles.get(m["channel"], m["channel"]),
        }
        for m in c.members
    ]
    svg = ""
    if chart:
        dots = members_from_campaign(c, href=lambda m: post_href(m["post_id"]))
        svg = render_members(dots, title=f"{c.size} posts of {c.id} over time")
    return {
        **c.as_dict(),
        "members": members,
        "channels": [
            {**ch, "href": channel_href(ids[ch["key"]]) if ch["key"] in ids else None}
            for ch in c.channels
        ],
        "targets": [{**t, "href": target_href(t["key"])} for t in c.targets],
        "chart": svg,
        "media": _shared_media(conn, c.shared_media, viewer) if chart else [],
    }
