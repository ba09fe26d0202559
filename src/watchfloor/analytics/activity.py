"""Activity over time: per channel (or outlet) daily counts, dormancies and surges.

`activity(conn, ...)` is the library call behind `watchfloor activity`; `detect(counts)` is the
same analysis on a bare channels x days array (the benchmark and tests call it directly).
The whole stored history is always analysed, so results (and their ids) do not depend on the
range shown; `since`/`until` only choose what is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import Connection, func, select

from watchfloor.analytics.activity_series import (
    DailyCounts,
    bucket,
    by_outlet,
    daily_counts,
    sparkline,
)
from watchfloor.analytics.dormancy import (
    DEFAULT_DORMANCY,
    Dormancy,
    DormancyRule,
    Gap,
    find_gaps,
    unobserved,
)
from watchfloor.analytics.surges import DEFAULT_SURGE, Run, Surge, SurgeRule, judge, scan
from watchfloor.store.schema import channels, posts
from watchfloor.store.times import iso_utc

WEEKLY_AFTER_DAYS = 120  # longer ranges are drawn and listed by week


@dataclass(frozen=True)
class Detection:
    """Dormancies per row, and surges as (run, posts, expected, p-value, peak column)."""

    gaps: list[list[Gap]]
    surges: list[tuple[Run, int, float, float, int]]


def detect(
    counts: np.ndarray,
    dormancy: DormancyRule = DEFAULT_DORMANCY,
    surge: SurgeRule = DEFAULT_SURGE,
) -> Detection:
    if counts.size == 0:
        return Detection([[] for _ in counts], [])
    gaps = [find_gaps(row, dormancy) for row in counts]
    skip = np.stack([unobserved(row, g) for row, g in zip(counts, gaps, strict=True)])
    runs, base = scan(counts, skip, surge)
    found = judge(runs, counts, base, surge)
    found.sort(key=lambda f: (f[0].row, f[0].start))
    return Detection(gaps, found)


@dataclass
class ChannelActivity:
    channel: str
    title: str | None
    posts: int  # in the range shown
    first_post: date | None
    last_post: date | None
    bucket_days: int
    counts: list[int]  # per bucket over the range shown
    dormancies: list[Dormancy] = field(default_factory=list)
    surges: list[Surge] = field(default_factory=list)

    @property
    def sparkline(self) -> str:
        return sparkline(self.counts)

    def as_dict(self) -> dict:
        return {
            "channel": self.channel,
            "title": self.title,
            "posts": self.posts,
            "first_post": _iso(self.first_post),
            "last_post": _iso(self.last_post),
            "bucket_days": self.bucket_days,
            "counts": self.counts,
            "sparkline": self.sparkline,
            "dormancies": [d.as_dict() for d in self.dormancies],
            "surges": [s.as_dict() for s in self.surges],
        }


@dataclass
class ActivityReport:
    since: date | None
    until: date | None  # exclusive
    start: date | None  # first day shown
    end: date | None  # last day shown
    channels: list[ChannelActivity]

    def as_dict(self) -> dict:
        return {
            "since": _iso(self.since),
            "until": _iso(self.until),
            "start": _iso(self.start),
            "end": _iso(self.end),
            "channels": [c.as_dict() for c in self.channels],
        }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def activity(
    conn: Connection,
    channel: str | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlets: Mapping[str, str] | None = None,
    by: str = "channel",
    dormancy: DormancyRule = DEFAULT_DORMANCY,
    surge: SurgeRule = DEFAULT_SURGE,
) -> ActivityReport:
    """Per channel (by="channel"; `channel`: one key, title or handle) or per outlet
    (by="outlet": `outlets` maps channel key to outlet name; without it channels are grouped by
    attribution) over [since, until)."""
    series = daily_counts(conn, channel=channel)
    if by == "outlet":
        series = by_outlet(series, outlets)
    found = detect(series.counts, dormancy, surge)
    first = since.date() if since else None
    last = _exclusive_day(until) if until else None
    lo, hi = series.window(first, last)
    rows = [_channel_activity(series, i, lo, hi, found) for i in range(len(series.rows))]
    if by == "channel":
        for row in rows:
            row.dormancies = [_with_times(conn, d) for d in row.dormancies]
    shown = hi > lo
    return ActivityReport(
        first,
        last,
        series.day(lo) if shown else None,
        series.day(hi - 1) if shown else None,
        rows,
    )


def _exclusive_day(until: datetime) -> date:
    """The first day not shown: until itself when at midnight, else the day after."""
    day = until.date()
    return day if until.time() == datetime.min.time() else day + timedelta(days=1)


def _overlaps(first: int, last: int | None, lo: int, hi: int) -> bool:
    return first < hi and (last is None or last >= lo)


def _channel_activity(
    series: DailyCounts, i: int, lo: int, hi: int, found: Detection
) -> ChannelActivity:
    row = series.rows[i]
    counts = series.counts[i, lo:hi]
    active = np.flatnonzero(counts)
    size = 7 if hi - lo > WEEKLY_AFTER_DAYS else 1
    return ChannelActivity(
        channel=row.key,
        title=row.title,
        posts=int(counts.sum()),
        first_post=series.day(lo + active[0]) if active.size else None,
        last_post=series.day(lo + active[-1]) if active.size else None,
        bucket_days=size,
        counts=[int(v) for v in bucket(counts, size)],
        dormancies=[
            _dormancy(series, i, g) for g in found.gaps[i] if _overlaps(g.quiet, g.resumed, lo, hi)
        ],
        surges=[
            _surge(series, *verdict)
            for verdict in found.surges
            if verdict[0].row == i and _overlaps(verdict[0].start, verdict[0].end, lo, hi)
        ],
    )


def _dormancy(series: DailyCounts, i: int, gap: Gap) -> Dormancy:
    return Dormancy(
        channel=series.rows[i].key,
        went_quiet=series.day(gap.quiet),
        resumed=None if gap.resumed is None else series.day(gap.resumed),
        silent_days=gap.silent_days,
        baseline_gap_days=gap.baseline_days,
        threshold_days=gap.threshold_days,
    )


def _surge(
    series: DailyCounts, run: Run, observed: int, expected: float, p: float, peak: int
) -> Surge:
    return Surge(
        channel=series.rows[run.row].key,
        start=series.day(run.start),
        end=series.day(run.end),
        peak=series.day(peak),
        peak_posts=int(series.counts[run.row, peak]),
        posts=observed,
        expected=expected,
        factor=observed / expected if expected > 0 else float("inf"),
        p_value=p,
        ongoing=run.ongoing,
    )


def _with_times(conn: Connection, d: Dormancy) -> Dormancy:
    """The exact time of the last post before the silence and of the first one after it."""
    channel_id = select(channels.c.id).where(channels.c.key == d.channel).scalar_subquery()
    last = _edge(conn, channel_id, d.went_quiet, func.max)
    resumed = None if d.resumed is None else _edge(conn, channel_id, d.resumed, func.min)
    return replace(d, last_post_at=last, resumed_at=resumed)


def _edge(conn: Connection, channel_id, day: date, pick) -> str | None:
    begin = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    query = select(pick(posts.c.date)).where(
        posts.c.channel_id == channel_id,
        posts.c.kind != "service",
        posts.c.date >= begin,
        posts.c.date < begin + timedelta(days=1),
    )
    return iso_utc(conn.execute(query).scalar_one())
