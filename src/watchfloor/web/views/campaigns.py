"""Campaigns: the latest (bounded by a since date and a limit, since they are computed on read)
and one campaign with its members over time, channels, targets and shared media.

A campaign's id does not say when it happened, so the list links each one with `at=` its start;
the campaign page then groups only the posts around that time. Without `at`, the whole corpus is
grouped (what `watchfloor campaigns show` does).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, func, select

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


def campaign_summary(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "href": campaign_href(c.id) + "?at=" + quote(c.start.isoformat()),
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "size": c.size,
        "channels": c.channels,
        "targets": c.targets,
        "reasons": c.reasons,
        "shared_media": len(c.shared_media),
    }


def latest_campaigns(
    conn: Connection,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cache: CorpusCache | None = None,
) -> dict[str, Any]:
    """Campaigns active in [since, until), newest first; `since` defaults to 90 days before the
    newest post and may reach back at most MAX_DAYS before `until` (or the newest post)."""
    since = since or default_since(conn)
    end = until or as_utc(conn.execute(select(func.max(posts.c.date))).scalar_one())
    if since is not None and end is not None and end - since > timedelta(days=MAX_DAYS):
        raise BadFilter(f"choose a window of at most {MAX_DAYS} days (campaigns are computed)")
    found = (cache or CorpusCache()).get(
        conn, ("campaigns", since, until, limit), lambda: list_campaigns(conn, since, until, limit)
    )
    return {"since": iso_utc(since), "campaigns": [campaign_summary(c) for c in found]}


def find_campaign(
    conn: Connection, campaign_id: str, at: datetime | None, cache: CorpusCache | None = None
) -> Campaign | None:
    """The campaign with this id; with `at` (its start) only the posts around it are grouped."""
    wanted = campaign_id if campaign_id.startswith("campaign:") else f"campaign:{campaign_id}"

    def compute() -> Campaign | None:
        if at is None:
            return get_campaign(conn, wanted)
        found = list_campaigns(conn, at, at + timedelta(seconds=1))
        return next((c for c in found if c.id == wanted), None)

    return (cache or CorpusCache()).get(conn, ("campaign", wanted, at), compute)


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
