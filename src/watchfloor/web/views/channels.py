"""Channels: the list (attribution, posts, last seen, dormancy state) and one channel with its
attribution reasons, activity chart (dormancies, surges, reactivations), forwards in and out,
and a page of its posts.

Forwards are read for this channel only (not the whole network of `analytics.network`): out
by its own posts (the (channel_id, message_id) index), in by `posts.forwarded_from` equal to
its title (indexed). A forward naming this channel only by id under another name is resolved
by `watchfloor network`, not here.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, func, or_, select

from watchfloor.analytics.activity import ChannelActivity
from watchfloor.store import queries
from watchfloor.store.schema import channels, posts
from watchfloor.store.times import iso_utc
from watchfloor.web.svg.chart_data import timeline_from_activity
from watchfloor.web.svg.charts import render_timeline
from watchfloor.web.views.corpus_cache import CorpusCache
from watchfloor.web.views.links import channel_href
from watchfloor.web.views.posts import with_direction

FORWARDS = 50
_FORWARD_ID = re.compile(r"^(?:channel|chat|group)?(?:-100)?(\d+)$", re.I)


def _state(row: ChannelActivity | None) -> dict[str, Any]:
    """Dormant (silent now, past its usual gaps), reactivated, surging or active."""
    if row is None or row.last_post is None:
        return {"state": "no posts", "since": None}
    if row.dormancies and row.dormancies[-1].resumed is None:
        return {"state": "dormant", "since": row.dormancies[-1].went_quiet.isoformat()}
    ongoing = [s for s in row.surges if s.ongoing]
    if ongoing:
        return {"state": "surging", "since": ongoing[-1].start.isoformat()}
    if row.dormancies:
        return {"state": "reactivated", "since": row.dormancies[-1].resumed.isoformat()}
    return {"state": "active", "since": None}


def channel_list(conn: Connection, cache: CorpusCache | None = None) -> list[dict[str, Any]]:
    """Every channel (there are few: thousands at most) with its dormancy state."""
    report = (cache or CorpusCache()).activity(conn)
    by_key = {r.channel: r for r in report.channels}
    return [
        {**c, "href": channel_href(c["id"]), **_state(by_key.get(c["key"]))}
        for c in queries.list_channels(conn)
    ]


def _channel_row(conn: Connection, channel_id: int):
    return conn.execute(select(channels).where(channels.c.id == channel_id)).first()


def _collected(conn: Connection) -> tuple[dict[str, Any], dict[str, Any]]:
    """Collected channels by platform id and by title (titles held by one channel only)."""
    by_id, by_title, seen = {}, {}, set()
    for r in conn.execute(select(channels.c.id, channels.c.platform_id, channels.c.title)):
        by_id.setdefault(r.platform_id, r.id)
        title = (r.title or "").casefold()
        by_title.pop(title, None) if title in seen else by_title.setdefault(title, r.id)
        seen.add(title)
    return by_id, by_title


def forwards_out(conn: Connection, channel_id: int) -> list[dict[str, Any]]:
    """Whom this channel forwards from, most forwarded first, linked when collected."""
    query = (
        select(
            posts.c.forwarded_from,
            posts.c.forwarded_from_id,
            func.count().label("n"),
            func.min(posts.c.date).label("first"),
            func.max(posts.c.date).label("last"),
        )
        .where(
            posts.c.channel_id == channel_id,
            or_(posts.c.forwarded_from.is_not(None), posts.c.forwarded_from_id.is_not(None)),
        )
        .group_by(posts.c.forwarded_from, posts.c.forwarded_from_id)
        .order_by(func.count().desc())
        .limit(FORWARDS)
    )
    by_id, by_title = _collected(conn)
    out = []
    for r in conn.execute(query):
        m = _FORWARD_ID.match(r.forwarded_from_id or "")
        target = (by_id.get(m.group(1)) if m else None) or by_title.get(
            (r.forwarded_from or "").casefold()
        )
        out.append(
            {
                "name": r.forwarded_from or r.forwarded_from_id,
                "from_id": r.forwarded_from_id,
                "href": channel_href(target) if target and target != channel_id else None,
                "count": r.n,
                "first": iso_utc(r.first),
                "last": iso_utc(r.last),
            }
        )
    return out


def forwards_in(conn: Connection, channel_id: int, title: str | None) -> list[dict[str, Any]]:
    """Collected channels that forward this one's posts (by its title)."""
    if not title:
        return []
    query = (
        select(
            channels.c.id,
            channels.c.key,
            channels.c.title,
            func.count().label("n"),
            func.min(posts.c.date).label("first"),
            func.max(posts.c.date).label("last"),
        )
        .join(channels, channels.c.id == posts.c.channel_id)
        .where(posts.c.forwarded_from == title, posts.c.channel_id != channel_id)
        .group_by(channels.c.id, channels.c.key, channels.c.title)
        .order_by(func.count().desc())
        .limit(FORWARDS)
    )
    return [
        {
            "name": r.title or r.key,
            "key": r.key,
            "href": channel_href(r.id),
            "count": r.n,
            "first": iso_utc(r.first),
            "last": iso_utc(r.last),
        }
        for r in conn.execute(query)
    ]


def _activity(
    conn: Connection, key: str, chart: bool, cache: CorpusCache | None
) -> tuple[ChannelActivity | None, str]:
    """The channel's activity over its whole history, and the chart of it (SVG markup)."""
    row, report = (cache or CorpusCache()).channel_activity(conn, key)
    if row is None or not chart:
        return row, ""
    svg = render_timeline(timeline_from_activity(report), title=f"Posts of {row.title or key}")
    return row, svg


def activity_dict(row: ChannelActivity | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out = row.as_dict()
    out.pop("sparkline", None)
    return out


def channel_detail(
    conn: Connection,
    channel_id: int,
    *,
    limit: int = 50,
    offset: int = 0,
    chart: bool = True,
    cache: CorpusCache | None = None,
) -> dict[str, Any] | None:
    """One channel; `cache` (the app's) saves recomputing every channel's activity."""
    row = _channel_row(conn, channel_id)
    if row is None:
        return None
    active, svg = _activity(conn, row.key, chart, cache)
    count = conn.execute(
        select(func.count()).select_from(posts).where(posts.c.channel_id == channel_id)
    ).scalar_one()
    return {
        "channel": {
            "id": row.id,
            "key": row.key,
            "title": row.title,
            "handle": row.handle,
            "kind": row.kind,
            "attribution": row.attribution,
            "attribution_reasons": row.attribution_reasons or [],
            "first_seen": iso_utc(row.first_seen),
            "last_seen": iso_utc(row.last_seen),
            "posts": count,
            **_state(active),
        },
        "activity": activity_dict(active),
        "chart": svg,
        "forwards_out": forwards_out(conn, row.id),
        "forwards_in": forwards_in(conn, row.id, row.title),
        "posts": with_direction(
            conn, queries.list_posts(conn, channel_id=row.id, limit=limit, offset=offset)
        ),
    }
