"""The overview: alerts by severity, recent activity with surges and reactivations, the latest
campaigns and the top targets.

Windows are anchored on the newest post in the store, not on the clock, so an archive of old
exports still shows its last weeks. Activity, campaigns and targets are computed on read and
take seconds on a million posts, so they come from a snapshot (`views/snapshot.py`) refreshed
in the background when the data change; the alert counts are always current.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from watchfloor.analytics.activity import ActivityReport, activity
from watchfloor.analytics.campaign_store import campaigns_stored, stored_campaigns
from watchfloor.analytics.campaigns import Campaign, list_campaigns
from watchfloor.analytics.target_queries import list_targets
from watchfloor.store import Store
from watchfloor.store.schema import channels, posts
from watchfloor.store.times import as_utc, iso_utc
from watchfloor.web.views.alerts import severity_counts
from watchfloor.web.views.links import campaign_href, channel_href, target_href
from watchfloor.web.views.snapshot import Snapshot, app_snapshot

ACTIVITY_DAYS = 90
CAMPAIGN_DAYS = 30
CAMPAIGNS = 5
TARGETS = 10
EVENTS = 20  # surges and reactivations listed


def newest_post(conn: Connection) -> datetime | None:
    """The date of the newest post (an index look-up on ix_posts_date)."""
    return as_utc(conn.execute(select(func.max(posts.c.date))).scalar_one())


def channel_ids(conn: Connection, keys: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        query = select(channels.c.key, channels.c.id).where(
            channels.c.key.in_(keys[start : start + 500])
        )
        out.update((key, id_) for key, id_ in conn.execute(query))
    return out


def _events(report: ActivityReport, ids: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """Surges and reactivations inside the window shown, the latest first."""
    start = report.start
    surges, reactivations = [], []
    for row in report.channels:
        name, href = row.title or row.channel, channel_href(ids[row.channel])
        for s in row.surges:
            surges.append({**s.as_dict(), "title": name, "href": href})
        for d in row.dormancies:
            if d.resumed is not None and (start is None or d.resumed >= start):
                reactivations.append({**d.as_dict(), "title": name, "href": href})
    surges.sort(key=lambda s: (s["start"], s["id"]), reverse=True)
    reactivations.sort(key=lambda d: (d["resumed"], d["id"]), reverse=True)
    return {"surges": surges[:EVENTS], "reactivations": reactivations[:EVENTS]}


def _latest_campaigns(conn: Connection, since: datetime | None) -> list[Campaign]:
    """Stored by the `campaigns` corpus step when it has run (a query), else grouped on read."""
    if campaigns_stored(conn):
        return stored_campaigns(conn, since=since, limit=CAMPAIGNS)
    return list_campaigns(conn, since=since, limit=CAMPAIGNS)


def _campaign(c: Campaign) -> dict[str, Any]:
    data = c.as_dict()
    data.pop("members")
    data["targets"] = data["targets"][:5]
    data["href"] = campaign_href(c.id, data["start"])
    return data


def slow_parts(conn: Connection, days: int = ACTIVITY_DAYS) -> dict[str, Any]:
    """What takes seconds on a large store: activity (every channel's daily counts), the
    latest campaigns (grouped on read) and the top targets (evidence counted)."""
    newest = newest_post(conn)
    if newest is None:
        report = ActivityReport(None, None, None, None, [])
    else:
        report = activity(conn, since=_midnight(newest - timedelta(days=days - 1)))
    ids = channel_ids(conn, [r.channel for r in report.channels])
    campaigns_since = None if newest is None else newest - timedelta(days=CAMPAIGN_DAYS)
    campaigns = _latest_campaigns(conn, campaigns_since) if newest else []
    top = list_targets(conn, limit=TARGETS)
    for t in top:
        t["href"] = target_href(t["key"])
    return {
        "newest_post": iso_utc(newest),
        "report": report,
        "channel_ids": ids,
        "activity_days": days,
        **_events(report, ids),
        "campaigns_since": iso_utc(campaigns_since),
        "campaigns": [_campaign(c) for c in campaigns],
        "targets": top,
    }


def overview_snapshot(state: Any) -> Snapshot[dict[str, Any]]:
    return app_snapshot(state, "overview", slow_parts)


def overview_view(store: Store, state: Any) -> dict[str, Any]:
    """Everything the overview shows: alerts counted now, the slow parts from the app's
    snapshot (`computed_at`, `updating` say how current they are); `report` is the activity
    report the chart is drawn from (`overview_json` turns the whole into JSON)."""
    computed = overview_snapshot(state).get(store)
    with store.connect() as conn:
        alerts = severity_counts(conn)
    return {
        **computed.value,
        "alerts": alerts,
        "computed_at": iso_utc(computed.at),
        "updating": computed.stale,
    }


def _midnight(when: datetime | None) -> datetime | None:
    return None if when is None else datetime.combine(when.date(), datetime.min.time(), UTC)


def overview_json(data: dict[str, Any]) -> dict[str, Any]:
    """The overview's numbers without the chart: per channel posts in the window."""
    report: ActivityReport = data["report"]
    busiest = sorted(report.channels, key=lambda r: (-r.posts, r.channel))
    out = {k: v for k, v in data.items() if k not in ("report", "channel_ids")}
    out["activity"] = {
        "start": report.start.isoformat() if report.start else None,
        "end": report.end.isoformat() if report.end else None,
        "posts": sum(r.posts for r in report.channels),
        "channels": [
            {"channel": r.channel, "title": r.title, "posts": r.posts,
             "href": channel_href(data["channel_ids"][r.channel])}
            for r in busiest[:10] if r.posts
        ],
    }  # fmt: skip
    return out
