"""Channels: the list (attribution, posts, last seen, dormancy state) and one channel with its
attribution reasons, activity chart (dormancies, surges, reactivations), forwards in and out,
and a page of its posts.

Every channel's activity and the corpus's forward counts are computed once and kept in the
app's corpus cache (`corpus_cache.py`); a channel's posts are read through its own index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from watchfloor.analytics.activity import ChannelActivity
from watchfloor.store import queries
from watchfloor.store.schema import channels, posts
from watchfloor.store.times import iso_utc
from watchfloor.web.svg.chart_data import timeline_from_activity
from watchfloor.web.svg.charts import render_timeline
from watchfloor.web.views.corpus_cache import CorpusCache
from watchfloor.web.views.forwards import channel_forwards
from watchfloor.web.views.links import channel_href
from watchfloor.web.views.posts import with_direction


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
    """Every channel (there are few: thousands at most) with its dormancy state; the post counts
    (a pass over all posts) are kept with the activity in the corpus cache."""
    cache = cache or CorpusCache()
    by_key = {r.channel: r for r in cache.activity(conn).channels}
    listed = cache.get(conn, ("channels",), lambda: queries.list_channels(conn))
    return [{**c, "href": channel_href(c["id"]), **_state(by_key.get(c["key"]))} for c in listed]


def _channel_row(conn: Connection, channel_id: int):
    return conn.execute(select(channels).where(channels.c.id == channel_id)).first()


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
    forwards = channel_forwards(conn, row.id, cache)
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
        "forwards_out": forwards["out"],
        "forwards_in": forwards["in"],
        "posts": with_direction(
            conn, queries.list_posts(conn, channel_id=row.id, limit=limit, offset=offset)
        ),
    }
