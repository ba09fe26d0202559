"""Seeded synthetic daily-count series (channels x days) for the activity tests and benchmark.

Each channel has its own mean rate (log-uniform), a weekly rhythm (quiet weekends, busier
weekdays, normalised to mean 1) and, for negative-binomial series, its own overdispersion
(variance = μ + φμ²). Planted events are returned with their exact days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Planted:
    counts: np.ndarray  # int32, channels x days
    rate: np.ndarray  # the expected count per channel-day, events included
    dormancies: dict[int, tuple[int, int]] = field(default_factory=dict)  # row -> (quiet, resumed)
    surges: dict[int, tuple[int, int]] = field(default_factory=dict)  # row -> (start, end)


def weekly_rates(
    rng: np.random.Generator, channels: int, days: int, low: float = 0.3, high: float = 30.0
) -> np.ndarray:
    level = np.exp(rng.uniform(np.log(low), np.log(high), channels))
    rhythm = rng.uniform(0.8, 1.3, (channels, 7))
    weekend = rng.integers(0, 7, channels)
    rhythm[np.arange(channels), weekend] *= rng.uniform(0.3, 0.8, channels)
    rhythm[np.arange(channels), (weekend + 1) % 7] *= rng.uniform(0.3, 0.8, channels)
    rhythm /= rhythm.mean(axis=1, keepdims=True)
    return level[:, None] * rhythm[:, np.arange(days) % 7]


def draw(rng: np.random.Generator, rate: np.ndarray, kind: str) -> np.ndarray:
    if kind == "poisson":
        return rng.poisson(rate).astype(np.int32)
    phi = rng.uniform(0.1, 1.0, (rate.shape[0], 1))
    gamma = rng.gamma(1.0 / phi, phi * rate)  # a gamma-Poisson mixture is negative binomial
    return rng.poisson(gamma).astype(np.int32)


def stationary(seed: int, channels: int, days: int, kind: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return draw(rng, weekly_rates(rng, channels, days), kind)


def planted(
    seed: int,
    channels: int,
    days: int,
    kind: str = "nbinom",
    dormant: float = 0.05,
    surging: float = 0.05,
) -> Planted:
    """Series with a silence of 40-150 days in a share of channels and a 3-6 fold surge of 3-14
    days in another share (never both in one channel)."""
    rng = np.random.default_rng(seed)
    rate = weekly_rates(rng, channels, days, low=0.5)
    rows = rng.permutation(channels)
    n_dormant, n_surge = int(channels * dormant), int(channels * surging)
    dormancies, surges = {}, {}
    for row in rows[:n_dormant]:
        quiet = int(rng.integers(150, days - 200))
        resumed = quiet + int(rng.integers(41, 151))
        rate[row, quiet + 1 : resumed] = 0.0
        dormancies[int(row)] = (quiet, resumed)
    for row in rows[n_dormant : n_dormant + n_surge]:
        start = int(rng.integers(120, days - 30))
        end = start + int(rng.integers(3, 15)) - 1
        rate[row, start : end + 1] *= rng.uniform(3.0, 6.0)
        surges[int(row)] = (start, end)
    counts = draw(rng, rate, kind)
    # A planted silence is bounded by posts: the last day before and the resume day have one.
    for row, (quiet, resumed) in dormancies.items():
        counts[row, quiet] = max(counts[row, quiet], 1)
        counts[row, resumed] = max(counts[row, resumed], 1)
    return Planted(counts, rate, dormancies, surges)
