"""What the charts draw, and adapters from the analytics results the pages already have:
`activity.ActivityReport` (overview and channel pages) and `campaigns.Campaign`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from watchfloor.analytics.activity import ActivityReport, ChannelActivity
from watchfloor.analytics.campaigns import Campaign

ChannelHref = Callable[[str], str] | None  # channel key -> link; None: no links
PostHref = Callable[[dict[str, Any]], str] | None  # campaign member (post_id, key, ...) -> link


@dataclass(frozen=True)
class Series:
    label: str
    counts: list[int]  # posts per bucket
    key: str | None = None


@dataclass(frozen=True)
class Span:
    start: date
    end: date  # inclusive
    title: str
    href: str | None = None


@dataclass(frozen=True)
class Mark:
    day: date
    label: str  # short text drawn beside the marker
    title: str
    href: str | None = None


@dataclass(frozen=True)
class Timeline:
    start: date  # first day of the first bucket
    bucket_days: int
    series: list[Series]
    surges: list[Span] = field(default_factory=list)
    dormancies: list[Span] = field(default_factory=list)
    reactivations: list[Mark] = field(default_factory=list)

    @property
    def buckets(self) -> int:
        return max((len(s.counts) for s in self.series), default=0)

    @property
    def end(self) -> date:
        """The first day after the last bucket."""
        return self.start + timedelta(days=self.buckets * self.bucket_days)


def _name(row: ChannelActivity) -> str:
    return row.title or row.channel


def timeline_from_activity(
    report: ActivityReport, *, max_series: int = 6, href: ChannelHref = None
) -> Timeline:
    """The busiest `max_series` channels (or outlets) as stacked series, the rest summed into
    one; surges, dormancies and reactivations of every row, so none is hidden by the folding."""
    rows = sorted(report.channels, key=lambda r: (-r.posts, r.channel))
    shown = rows[:max_series] if len(rows) > max_series + 1 else rows
    series = [Series(_name(r), list(r.counts), r.channel) for r in shown]
    rest = rows[len(shown) :]
    if rest:
        width = max(len(r.counts) for r in rest)
        summed = [sum(r.counts[i] for r in rest if i < len(r.counts)) for i in range(width)]
        series.append(Series(f"{len(rest)} other channels", summed))
    start = report.start or date.today()
    bucket = rows[0].bucket_days if rows else 1
    timeline = Timeline(start, bucket, series)
    for row in rows:
        _marks(timeline, row, several=len(rows) > 1, href=href(row.channel) if href else None)
    return timeline


def _marks(timeline: Timeline, row: ChannelActivity, *, several: bool, href: str | None) -> None:
    """The row's surges, the silent days of its dormancies and its reactivations."""
    name = _name(row)
    for s in row.surges:
        title = (
            f"Surge on {name}: {s.start.isoformat()} to {s.end.isoformat()}, "
            f"{s.posts} posts ({s.factor:.1f}× the {s.expected:.0f} expected)"
        )
        timeline.surges.append(Span(s.start, s.end, title, href))
    for d in row.dormancies:
        first = d.went_quiet + timedelta(days=1)
        last = (d.resumed or timeline.end) - timedelta(days=1)
        if last >= first:
            title = f"{name} silent for {d.silent_days} days after {d.went_quiet.isoformat()}"
            timeline.dormancies.append(Span(first, last, title, href))
        if d.resumed is not None:
            title = (
                f"{name} reactivated on {d.resumed.isoformat()} after {d.silent_days} silent days"
            )
            label = name if several else "reactivated"
            timeline.reactivations.append(Mark(d.resumed, label, title, href))


@dataclass(frozen=True)
class Dot:
    row: int
    when: datetime
    title: str
    href: str | None = None


@dataclass(frozen=True)
class MemberDots:
    """One row per channel, one dot per post, over [start, end]."""

    rows: list[str]  # channel labels
    dots: list[Dot]
    start: datetime
    end: datetime


def members_from_campaign(campaign: Campaign, *, href: PostHref = None) -> MemberDots:
    """Rows in order of each channel's first post; `href(member)` links each dot."""
    titles = {c["key"]: c.get("title") or c["key"] for c in campaign.channels}
    order: dict[str, int] = {}
    for m in sorted(campaign.members, key=lambda m: m["date"]):
        order.setdefault(m["channel"], len(order))
    dots = [
        Dot(
            order[m["channel"]],
            m["date"],
            f"{titles.get(m['channel'], m['channel'])}: post at {m['date']:%Y-%m-%d %H:%M} UTC",
            href(m) if href else None,
        )
        for m in campaign.members
    ]
    labels = [titles.get(key, key) for key in order]
    return MemberDots(labels, dots, campaign.start, campaign.end)
