"""Axis ticks for the charts: round count steps, calendar dates (days, weeks, months, quarters,
years) and times of day, all in UTC with fixed English month names (no locale lookups)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def count_ticks(top: float, most: int = 4) -> list[int]:
    """0, step, 2·step ... covering `top` with a 1-2-5 step and at most `most` steps."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= raw)
    step = max(int(step), 1)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def day_label(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]}"


def _month_starts(start: date, end: date, every: int) -> list[date]:
    index = start.year * 12 + start.month - 1
    index += (-index) % every
    out = []
    while True:
        d = date(index // 12, index % 12 + 1, 1)
        if d >= end:
            return out
        if d >= start:
            out.append(d)
        index += every


def date_ticks(start: date, end: date, most: int = 8) -> list[tuple[date, str]]:
    """Ticks for days in [start, end): every day, Mondays, month starts, quarter starts or
    new years, whichever gives at most `most` ticks. The year is shown on the first tick and
    wherever it changes."""
    days = (end - start).days
    if days <= 0:
        return []
    if days <= most:
        return [(d, day_label(d)) for d in (start + timedelta(k) for k in range(days))]
    for weeks in (1, 2):
        if days <= most * 7 * weeks:
            first = start + timedelta((-start.weekday()) % 7)
            found = [first + timedelta(7 * weeks * k) for k in range(days // (7 * weeks) + 1)]
            return [(d, day_label(d)) for d in found if d < end]
    for months in (1, 3, 6, 12, 24, 60):
        found = _month_starts(start, end, months)
        if len(found) <= most:
            return _month_labels(found, yearly=months >= 12)
    return _month_labels(_month_starts(start, end, 120), yearly=True)


def _month_labels(found: list[date], yearly: bool) -> list[tuple[date, str]]:
    out = []
    for i, d in enumerate(found):
        if yearly:
            out.append((d, str(d.year)))
        elif i == 0 or d.month == 1:
            out.append((d, f"{MONTHS[d.month - 1]} {d.year}"))
        else:
            out.append((d, MONTHS[d.month - 1]))
    return out


def time_ticks(start: datetime, end: datetime, most: int = 8) -> list[tuple[datetime, str]]:
    """Ticks for a span of time (UTC): whole hours when it is short, else calendar days."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    hours = (end - start).total_seconds() / 3600.0
    if hours > 48:
        first = start.date() + timedelta(days=1 if start.time() != datetime.min.time() else 0)
        return [
            (datetime.combine(d, datetime.min.time(), UTC), label)
            for d, label in date_ticks(first, end.date() + timedelta(days=1), most)
        ]
    step = next((s for s in (1, 2, 3, 6, 12, 24) if hours / s <= most), 24)
    t = start.replace(minute=0, second=0, microsecond=0)
    t += timedelta(hours=(-t.hour) % step)
    if t < start:
        t += timedelta(hours=step)
    out = []
    while t <= end:
        out.append((t, day_label(t.date()) if t.hour == 0 else f"{t.hour:02d}:00"))
        t += timedelta(hours=step)
    return out
