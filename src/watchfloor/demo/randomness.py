"""Seeded random helpers: picking items, posting times and small delays."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

T = TypeVar("T")


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method; fine for the small daily rates used here."""
    if lam <= 0:
        return 0
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def daily_times(
    rng: random.Random, start: datetime, end: datetime, rate: float
) -> Iterator[datetime]:
    """Poisson(rate) posting times per UTC day in [start, end), daytime hours."""
    day = datetime.combine(start.date(), time(0), UTC)
    while day < end:
        stamps = sorted(rng.randrange(6 * 3600, 22 * 3600) for _ in range(poisson(rng, rate)))
        for seconds in stamps:
            moment = day + timedelta(seconds=seconds)
            if start <= moment < end:
                yield moment
        day += timedelta(days=1)


def jitter(rng: random.Random, lo_minutes: int, hi_minutes: int) -> timedelta:
    return timedelta(seconds=rng.randrange(lo_minutes * 60, hi_minutes * 60 + 1))
