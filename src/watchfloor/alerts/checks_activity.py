"""Rule types over activity: a channel reactivated after a silence, a surge, a new campaign."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from watchfloor.alerts.findings import Finding, Param, RuleType, RuleUnavailable, plain
from watchfloor.analytics.activity import activity
from watchfloor.store.schema import channels


def _channel_info(conn: Connection) -> dict[str, tuple[str | None, str]]:
    rows = conn.execute(select(channels.c.key, channels.c.title, channels.c.attribution))
    return {key: (title, attribution) for key, title, attribution in rows}


def _wanted(attribution: str | None, actual: str) -> bool:
    return attribution is None or attribution == actual


def reactivations(conn: Connection, params: dict[str, Any]) -> list[Finding]:
    info = _channel_info(conn)
    found = []
    for row in activity(conn).channels:
        title, attribution = info.get(row.channel, (None, "unknown"))
        if not _wanted(params["attribution"], attribution):
            continue
        for d in row.dormancies:
            if d.resumed is None or d.silent_days < params["min_silent_days"]:
                continue
            name = title or row.channel
            found.append(
                Finding(
                    d.id,
                    f"{name} ({attribution}) posted again on {d.resumed.isoformat()} after "
                    f"{d.silent_days} days of silence (quiet since {d.went_quiet.isoformat()})",
                    plain({"title": title, "attribution": attribution, **d.as_dict()}),
                )
            )
    return found


def surges(conn: Connection, params: dict[str, Any]) -> list[Finding]:
    info = _channel_info(conn)
    found = []
    for row in activity(conn).channels:
        title, attribution = info.get(row.channel, (None, "unknown"))
        if not _wanted(params["attribution"], attribution):
            continue
        for s in row.surges:
            if s.factor < params["min_factor"] or s.posts < params["min_posts"]:
                continue
            span = "ongoing" if s.ongoing else f"to {s.end.isoformat()}"
            found.append(
                Finding(
                    s.id,
                    f"{title or row.channel} ({attribution}): surge of {s.posts} posts from "
                    f"{s.start.isoformat()} {span}, {s.factor:.1f}x the expected {s.expected:.1f}",
                    plain({"title": title, "attribution": attribution, **s.as_dict()}),
                )
            )
    return found


def campaigns(conn: Connection, params: dict[str, Any]) -> list[Finding]:
    try:
        from watchfloor.analytics.campaign_store import campaigns_stored, stored_campaigns
        from watchfloor.analytics.campaigns import list_campaigns
    except ImportError as exc:
        raise RuleUnavailable(f"campaign analysis is not available: {exc}") from exc
    found = []
    # the same whole-corpus grouping either way; stored when the corpus step has run
    every = stored_campaigns(conn) if campaigns_stored(conn) else list_campaigns(conn)
    for c in every:
        if len(c.channels) < params["min_channels"] or c.size < params["min_posts"]:
            continue
        reasons = sorted({r.get("kind", "?") for r in c.reasons})
        found.append(
            Finding(
                c.id,
                f"campaign of {c.size} posts across {len(c.channels)} channels from "
                f"{c.start.date().isoformat()} to {c.end.date().isoformat()} "
                f"({', '.join(reasons)})",
                plain(c.as_dict()),
            )
        )
    return found


ATTRIBUTION = Param(
    "text", None, help="Only channels attributed so (official, supporter, news, unknown)."
)

TYPES = (
    RuleType(
        "reactivation",
        "A channel posts again after a silence far beyond its usual gap.",
        {
            "min_silent_days": Param("int", 30, help="Shortest silence that fires."),
            "attribution": ATTRIBUTION,
        },
        reactivations,
    ),
    RuleType(
        "surge",
        "A channel posts far above its baseline (weekly rhythm and overdispersion allowed for).",
        {
            "min_factor": Param("float", 0.0, help="Observed / expected posts at least this."),
            "min_posts": Param("int", 0, help="At least this many posts in the surge."),
            "attribution": ATTRIBUTION,
        },
        surges,
    ),
    RuleType(
        "campaign",
        "A coordinated campaign: posts across channels sharing media, emblems, targets or text.",
        {
            "min_channels": Param("int", 3, help="At least this many channels."),
            "min_posts": Param("int", 0, help="At least this many posts."),
        },
        campaigns,
    ),
)
