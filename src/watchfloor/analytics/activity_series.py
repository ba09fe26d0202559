"""Daily post counts per channel (or per outlet) as one 2-D numpy array, counted by the database.

Rows are channels, columns are UTC days from `start` on. The database does the GROUP BY (channel,
UTC day), so only one row per active channel-day crosses the wire, never the posts themselves.
Service messages (joins, pins, title changes) are not posting activity and are not counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Date, cast, func, select

from watchfloor.store.schema import channels, posts

EPOCH = date(1970, 1, 1)
BARS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class ChannelInfo:
    key: str
    title: str | None
    handle: str | None
    attribution: str


@dataclass(frozen=True)
class DailyCounts:
    """counts[i, d] = posts of rows[i] on day start + d (UTC)."""

    rows: tuple[ChannelInfo, ...]
    start: date
    counts: np.ndarray  # int32, shape (len(rows), days)

    @property
    def days(self) -> int:
        return int(self.counts.shape[1])

    @property
    def end(self) -> date:
        """The last day covered (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    def day(self, index: int) -> date:
        return self.start + timedelta(days=int(index))

    def index_of(self, when: date) -> int:
        return (when - self.start).days

    def window(self, since: date | None, until: date | None) -> tuple[int, int]:
        """Column range [lo, hi) for days since <= day < until, clipped to the series."""
        lo = 0 if since is None else min(max(self.index_of(since), 0), self.days)
        hi = self.days if until is None else min(max(self.index_of(until), lo), self.days)
        return lo, hi


def day_number(value: date | datetime | str) -> int:
    """Days since 1970-01-01 of a UTC day as either database hands it back."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    elif isinstance(value, datetime):
        value = (value.astimezone(UTC) if value.tzinfo else value).date()
    return (value - EPOCH).days


def _utc_day(conn: Connection):
    if conn.dialect.name == "postgresql":
        return cast(func.timezone("UTC", posts.c.date), Date)
    return func.date(posts.c.date)  # SQLite stores UTC text: its date() is the UTC day


def daily_counts(
    conn: Connection,
    *,
    channel: str | None = None,
    until: datetime | None = None,
    through: date | None = None,
) -> DailyCounts:
    """Counts for every channel (or one: key, title or handle) over the whole stored history.

    The series runs from the first post of any selected channel to `through` (default: the day
    of the newest post in the store, so a channel that stopped posting shows its silence).
    """
    info = _channels(conn, channel)
    day = _utc_day(conn).label("day")
    query = (
        select(posts.c.channel_id, day, func.count().label("n"))
        .where(posts.c.kind != "service")
        .group_by(posts.c.channel_id, day)
    )
    if channel is not None:
        query = query.where(posts.c.channel_id.in_(list(info)))
    if until is not None:
        query = query.where(posts.c.date < until)
    found = [(r.channel_id, day_number(r.day), r.n) for r in conn.execute(query)]
    last = _last_day(conn, until) if through is None else (through - EPOCH).days
    return _assemble(info, found, last)


def _channels(conn: Connection, channel: str | None) -> dict[int, ChannelInfo]:
    query = select(
        channels.c.id, channels.c.key, channels.c.title, channels.c.handle, channels.c.attribution
    ).order_by(channels.c.key)
    if channel is not None:
        query = query.where(
            (channels.c.key == channel)
            | (channels.c.title == channel)
            | (func.lower(channels.c.handle) == channel.lstrip("@").lower())
        )
    return {
        r.id: ChannelInfo(r.key, r.title, r.handle, r.attribution or "unknown")
        for r in conn.execute(query)
    }


def _last_day(conn: Connection, until: datetime | None) -> int | None:
    query = select(func.max(posts.c.date))
    if until is not None:
        query = query.where(posts.c.date < until)
    newest = conn.execute(query).scalar_one()
    return None if newest is None else day_number(newest)


def _assemble(
    info: dict[int, ChannelInfo], found: list[tuple[int, int, int]], last: int | None
) -> DailyCounts:
    ids = list(info)
    if not found or not ids:
        return DailyCounts(tuple(info.values()), EPOCH, np.zeros((len(ids), 0), np.int32))
    row_of = {cid: i for i, cid in enumerate(ids)}
    cids, days, n = (np.asarray(col, dtype=np.int64) for col in zip(*found, strict=True))
    first = int(days.min())
    width = max(int(days.max()), last if last is not None else first) - first + 1
    counts = np.zeros((len(ids), width), np.int32)
    rows = np.fromiter((row_of[c] for c in cids), np.int64, len(cids))
    np.add.at(counts, (rows, days - first), n)
    return DailyCounts(tuple(info.values()), EPOCH + timedelta(days=first), counts)


def by_outlet(series: DailyCounts, outlets: Mapping[str, str] | None = None) -> DailyCounts:
    """Rows summed per outlet: `outlets` maps channel key -> outlet name (channels it leaves out
    are dropped); without it, channels are grouped by attribution (official, supporter, ...)."""
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(series.rows):
        name = outlets.get(row.key) if outlets is not None else f"attribution:{row.attribution}"
        if name is not None:
            groups.setdefault(name, []).append(i)
    names = sorted(groups)
    counts = np.zeros((len(names), series.days), np.int32)
    for j, name in enumerate(names):
        counts[j] = series.counts[groups[name]].sum(axis=0)
    rows = tuple(ChannelInfo(name, name, None, "outlet") for name in names)
    return DailyCounts(rows, series.start, counts)


def bucket(counts: np.ndarray, size: int) -> np.ndarray:
    """Sums of consecutive `size`-day buckets (the last one may be shorter)."""
    if size <= 1 or counts.size == 0:
        return counts
    pad = (-counts.size) % size
    return np.pad(counts, (0, pad)).reshape(-1, size).sum(axis=1)


def sparkline(values: Sequence[int] | np.ndarray, width: int = 60) -> str:
    """A text sparkline: blank for zero, eight heights scaled to the largest value.

    Longer series are folded into `width` cells by their maximum, so a one-day spike stays
    visible."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        return ""
    if arr.size > width:
        edges = np.linspace(0, arr.size, width + 1).astype(int)
        arr = np.maximum.reduceat(arr, edges[:-1])
    top = arr.max()
    if top <= 0:
        return " " * arr.size
    levels = np.where(arr > 0, np.maximum(1, np.ceil(arr / top * 8)), 0).astype(int)
    return "".join(BARS[v] for v in levels)
