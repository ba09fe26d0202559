"""Dormancy and reactivation: a silence far beyond a channel's usual gap, judged against the gaps
the channel itself left before it (so a weekly bulletin and an hourly feed are judged differently).

A silence of `s` days (days without a post between two posts) is a dormancy when
`s > max(factor × quantile(earlier silences), floor_days)`, the quantile taken over the channel's
most recent earlier silences, leaving out earlier dormancies so one long break does not excuse
the next. A silence still running at the end of the series is reported with `resumed` None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(frozen=True)
class DormancyRule:
    factor: float = 4.0
    quantile: float = 0.95
    floor_days: int = 14
    min_gaps: int = 8  # earlier silences needed before a channel's silence can be judged
    history_gaps: int = 100  # the most recent earlier silences form the baseline


DEFAULT_DORMANCY = DormancyRule()


@dataclass(frozen=True)
class Gap:
    """One dormancy as column indices: last post before, first post after (None: still silent)."""

    quiet: int
    resumed: int | None
    silent_days: int
    baseline_days: float
    threshold_days: float


@dataclass(frozen=True)
class Dormancy:
    channel: str
    went_quiet: date  # UTC day of the last post before the silence
    resumed: date | None  # UTC day of the first post after it; None: silent to the end
    silent_days: int  # whole days without a post in between
    baseline_gap_days: float  # the channel's usual long silence (the quantile) before it
    threshold_days: float  # silences longer than this counted as dormancy
    last_post_at: str | None = None  # exact times, when read back from the store
    resumed_at: str | None = None

    @property
    def id(self) -> str:
        return f"dormancy:{self.channel}:{self.went_quiet.isoformat()}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "channel": self.channel,
            "went_quiet": self.went_quiet.isoformat(),
            "resumed": None if self.resumed is None else self.resumed.isoformat(),
            "silent_days": self.silent_days,
            "baseline_gap_days": round(self.baseline_gap_days, 2),
            "threshold_days": round(self.threshold_days, 2),
            "last_post_at": self.last_post_at,
            "resumed_at": self.resumed_at,
        }


def find_gaps(counts: np.ndarray, rule: DormancyRule = DEFAULT_DORMANCY) -> list[Gap]:
    """Dormancies in one channel's daily counts (the last column is the last day observed)."""
    active = np.flatnonzero(counts > 0)
    if active.size == 0:
        return []
    silences = np.diff(active) - 1
    kept = np.ones(silences.size, dtype=bool)
    found: list[Gap] = []
    # Only silences beyond the floor can be dormancies: the quantile is computed for those alone.
    for j in np.flatnonzero(silences > rule.floor_days):
        gap = _judge(silences[:j][kept[:j]], int(silences[j]), rule)
        if gap is not None:
            kept[j] = False
            found.append(Gap(int(active[j]), int(active[j + 1]), *gap))
    tail = counts.size - 1 - int(active[-1])
    if tail > rule.floor_days:
        gap = _judge(silences[kept], tail, rule)
        if gap is not None:
            found.append(Gap(int(active[-1]), None, *gap))
    return found


def _judge(earlier: np.ndarray, silent: int, rule: DormancyRule) -> tuple[int, float, float] | None:
    earlier = earlier[-rule.history_gaps :]
    if earlier.size < rule.min_gaps:
        return None
    baseline = float(np.quantile(earlier, rule.quantile))
    threshold = max(rule.factor * baseline, float(rule.floor_days))
    return (silent, baseline, threshold) if silent > threshold else None


def unobserved(counts: np.ndarray, gaps: list[Gap]) -> np.ndarray:
    """Days that say nothing about a channel's usual rate: before its first post and inside its
    dormancies. Surge baselines skip them, so a resumption is judged against the level before."""
    mask = np.zeros(counts.size, dtype=bool)
    active = np.flatnonzero(counts > 0)
    mask[: active[0] if active.size else counts.size] = True
    for g in gaps:
        mask[g.quiet + 1 : counts.size if g.resumed is None else g.resumed] = True
    return mask
