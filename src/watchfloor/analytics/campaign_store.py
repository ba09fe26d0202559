"""Campaigns kept in a table by the `campaigns` corpus step, so reading them is a query.

Grouping the whole corpus costs seconds on a million posts; the step does it once per change of
what campaigns are built from (posts, media links, repost groups, emblems, targets) and stores
every campaign. The web app and API read these; a campaign's id is then the same on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from watchfloor.analytics import step_state
from watchfloor.analytics.campaigns import Campaign, list_campaigns
from watchfloor.store import Store
from watchfloor.store.dialect import insert_many
from watchfloor.store.schema import (
    analysis_state,
    campaigns,
    post_media,
    posts,
    signals,
    target_evidence,
)
from watchfloor.store.times import as_utc

STEP = "campaigns"
VERSION = "1"


@dataclass
class CampaignsReport:
    campaigns: int = 0
    unchanged: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"campaigns": self.campaigns, "unchanged": self.unchanged, "seconds": self.seconds}

    def summary(self) -> str:
        state = " (unchanged)" if self.unchanged else ""
        return f"{self.campaigns} campaigns{state}"


def _fingerprint(conn: Connection) -> str:
    return step_state.fingerprint(
        conn,
        version=VERSION,
        tables=[
            (posts, None),
            (post_media, None),
            (signals, signals.c.kind.in_(("repost_group", "emblem"))),
            (target_evidence, None),
        ],
        updated=[posts.c.updated_at],
    )


def rebuild_campaigns(store: Store, *, force: bool = False) -> CampaignsReport:
    """Group the whole corpus and replace the stored campaigns, in one transaction, unless
    nothing they are built from changed since the last run."""
    return step_state.run_unless_unchanged(
        store, STEP, VERSION, _fingerprint, _replace_campaigns, CampaignsReport, force=force
    )


def _replace_campaigns(conn: Connection) -> CampaignsReport:
    found = list_campaigns(conn)
    conn.execute(delete(campaigns))
    insert_many(conn, campaigns, [_row(c) for c in found])
    return CampaignsReport(campaigns=len(found))


def _row(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "start": c.start,
        "end": c.end,
        "size": c.size,
        "channel_count": len(c.channels),
        "data": c.as_dict(),
    }


def campaigns_stored(conn: Connection) -> bool:
    """Whether the step has run on this workspace (an empty table can be a real answer)."""
    state = analysis_state.c
    found = conn.execute(
        select(func.count()).where(state.analyzer == STEP, state.subject_type == "corpus")
    ).scalar_one()
    return found > 0


def from_stored(data: dict[str, Any]) -> Campaign:
    return Campaign(
        id=data["id"],
        start=as_utc(datetime.fromisoformat(data["start"])),
        end=as_utc(datetime.fromisoformat(data["end"])),
        channels=data["channels"],
        members=[{**m, "date": as_utc(datetime.fromisoformat(m["date"]))} for m in data["members"]],
        reasons=data["reasons"],
        targets=data["targets"],
        shared_media=data["shared_media"],
    )


def stored_campaigns(
    conn: Connection,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Campaign]:
    """Stored campaigns active in [since, until), the most recently started first."""
    query = select(campaigns.c.data).order_by(campaigns.c.start.desc(), campaigns.c.id)
    if since is not None:
        query = query.where(campaigns.c.end >= as_utc(since))
    if until is not None:
        query = query.where(campaigns.c.start < as_utc(until))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [from_stored(d) for d in conn.execute(query).scalars()]


def stored_campaign(conn: Connection, campaign_id: str) -> Campaign | None:
    wanted = campaign_id if campaign_id.startswith("campaign:") else f"campaign:{campaign_id}"
    data = conn.execute(select(campaigns.c.data).where(campaigns.c.id == wanted)).scalar()
    return None if data is None else from_stored(data)
