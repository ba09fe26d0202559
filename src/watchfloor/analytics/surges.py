"""Surges: daily counts above what a channel's own recent weeks lead one to expect.

All channels at once (rows of a 2-D array), one pass over the days:

- expected count = level × day-of-week factor, both from a trailing window (`window_days`,
  ending `lag_days` before the day judged, so the first days of a surge are not yet in it); the
  factors are shrunk towards 1 for sparse weekdays;
- overdispersion: a negative-binomial dispersion φ (variance = μ + φμ²) from the spread of the
  counts around their weekday means over a longer window (`dispersion_days`: a variance needs
  more days than a mean), never below `dispersion_floor`; the level's own estimation error is
  added, since a level read off a few weeks is itself uncertain;
- a negative-binomial CUSUM for a `shift`-fold rise delimits a surge: it starts the day the sum
  leaves zero and ends on the last day that still pushed it up; days of a confirmed surge are
  kept out of later baselines (for its first `max_days`, after which a lasting rise becomes the
  new normal);
- a confirmed run is reported when its total is unlikely under the baseline: the summed counts'
  negative-binomial tail probability must be below `alpha / 365` (Bonferroni over a channel-year's
  days), with at least `min_posts` posts and `min_factor` × the expected count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(frozen=True)
class SurgeRule:
    window_days: int = 56
    dispersion_days: int = 168
    lag_days: int = 7
    min_history_days: int = 28
    shift: float = 3.0
    cusum_threshold: float = 8.0
    end_threshold: float = 3.0
    alpha: float = 0.05
    min_posts: int = 5
    min_factor: float = 1.5
    max_days: int = 28
    dispersion_floor: float = 0.05
    weekday_prior_days: float = 2.0

    @property
    def p_threshold(self) -> float:
        return self.alpha / 365.0


DEFAULT_SURGE = SurgeRule()


@dataclass(frozen=True)
class Run:
    row: int
    start: int
    end: int
    ongoing: bool


@dataclass(frozen=True)
class Surge:
    channel: str
    start: date
    end: date
    peak: date
    peak_posts: int
    posts: int
    expected: float
    factor: float
    p_value: float
    ongoing: bool  # still running on the last day of the series

    @property
    def id(self) -> str:
        return f"surge:{self.channel}:{self.start.isoformat()}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "channel": self.channel,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": (self.end - self.start).days + 1,
            "peak": self.peak.isoformat(),
            "peak_posts": self.peak_posts,
            "posts": self.posts,
            "expected": round(self.expected, 2),
            "factor": round(self.factor, 2),
            "p_value": float(f"{self.p_value:.3g}"),
            "ongoing": self.ongoing,
        }


@dataclass
class Baseline:
    """Expected counts and dispersion per day and channel (days x channels), from the scan."""

    mu: np.ndarray
    phi: np.ndarray
    level_error: np.ndarray  # relative variance of the level estimate itself


class _Window:
    """Per-channel sums over the trailing window of usable days, per weekday and in total.

    Arrays are weekday- or day-major (channels along the last axis) so each step reads
    contiguous memory; the within-weekday sum of squares is kept up to date incrementally."""

    def __init__(self, rows: int) -> None:
        self.s = np.zeros((7, rows))
        self.n = np.zeros((7, rows))
        self.total_s = np.zeros(rows)
        self.total_n = np.zeros(rows)
        self.total_q = np.zeros(rows)
        self.between = np.zeros(rows)  # sum over weekdays of s_d^2 / n_d
        self.weekdays = np.zeros(rows)  # weekdays with at least one day in the window

    def _part(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        n = self.n[d]
        safe = np.where(n > 0, n, 1.0)
        return np.where(n > 0, self.s[d] ** 2 / safe, 0.0), (n > 0).astype(np.float64)

    def add(self, day: int, y: np.ndarray, use: np.ndarray, sign: float) -> None:
        d = day % 7
        w = sign * use
        old_between, old_k = self._part(d)
        wy = w * y
        self.s[d] += wy
        self.n[d] += w
        self.total_s += wy
        self.total_n += w
        self.total_q += wy * y
        new_between, new_k = self._part(d)
        self.between += new_between - old_between
        self.weekdays += new_k - old_k

    def expected(self, day: int, rule: SurgeRule) -> tuple[np.ndarray, ...]:
        n = self.total_n
        safe_n = np.maximum(n, 1.0)
        level = self.total_s / safe_n
        d = day % 7
        k = rule.weekday_prior_days
        factor = (self.s[d] + k * level) / np.maximum((self.n[d] + k) * level, 1e-12)
        mu = np.maximum(np.where(level > 0, level * factor, 0.0), 0.5 / safe_n)
        var = (self.total_q - self.between) / np.maximum(n - self.weekdays, 1.0)
        phi = np.clip((var - level) / np.maximum(level, 1e-9) ** 2, rule.dispersion_floor, 10.0)
        # The level is a mean over n days: its own relative variance is (1/level + φ) / n.
        error = (1.0 / np.maximum(level, 0.5 / safe_n) + phi) / safe_n
        return mu, phi, error, n


def _llr(y: np.ndarray, mu: np.ndarray, phi: np.ndarray, shift: float) -> np.ndarray:
    """Log-likelihood ratio of a `shift`-fold mean against the baseline, negative binomial."""
    r = 1.0 / phi
    return y * np.log(shift * (r + mu) / (r + shift * mu)) + r * np.log((r + mu) / (r + shift * mu))


def scan(
    counts: np.ndarray, skip: np.ndarray | None = None, rule: SurgeRule = DEFAULT_SURGE
) -> tuple[list[Run], Baseline]:
    """Confirmed CUSUM runs in every row of `counts` (channels x days); `skip` marks days that
    must not enter a baseline (before a channel's first post, inside a dormancy)."""
    rows, days = counts.shape
    y_all = np.ascontiguousarray(counts.T, dtype=np.float64)  # days x channels
    usable = np.ones((days, rows), dtype=bool) if skip is None else ~skip.T
    added = np.zeros((days, rows), dtype=bool)
    win, wide = _Window(rows), _Window(rows)
    base = Baseline(*(np.zeros((days, rows), np.float32) for _ in range(3)))
    cusum = np.zeros(rows)
    start = np.zeros(rows, dtype=np.int64)
    alarmed = np.zeros(rows, dtype=bool)
    # While a surge runs, a downward CUSUM gathers the evidence that counts are back to normal.
    down = np.zeros(rows)
    back = np.zeros(rows, dtype=np.int64)  # first day of the current downward run
    runs: list[Run] = []
    for t in range(days):
        _slide(win, y_all, usable, added, t, rule.window_days, rule)
        _slide(wide, y_all, usable, added, t, rule.dispersion_days, rule)
        mu, _, _, n = win.expected(t, rule)
        # Overdispersion needs more days to estimate than the level: a longer window.
        _, phi, _, _ = wide.expected(t, rule)
        error = _level_error(win, phi)
        base.mu[t], base.phi[t], base.level_error[t] = mu, phi, error
        # An uncertain level acts like extra dispersion on each day.
        llr = _llr(y_all[t], mu, phi + error, rule.shift)
        llr[n < rule.min_history_days] = -1.0
        start[(cusum <= 0) & (llr > 0)] = t
        cusum = np.maximum(cusum + llr, 0.0)
        if alarmed.any():
            down = np.where(alarmed, np.maximum(down - llr, 0.0), 0.0)
            ended = alarmed & ((down > rule.end_threshold) | (cusum <= 0))
            for c in np.flatnonzero(ended):
                runs.append(Run(int(c), int(start[c]), int(back[c]) - 1, False))
            alarmed &= ~ended
            cusum[ended] = 0.0
        newly = ~alarmed & (cusum > rule.cusum_threshold)
        if newly.any():
            for c in np.flatnonzero(newly) if rule.max_days > 0 else ():
                usable[start[c] : t + 1, c] = False
            alarmed |= newly
            down[newly] = 0.0
        if alarmed.any():
            usable[t, alarmed & (t - start < rule.max_days)] = False
            back[alarmed & (down <= 0)] = t + 1
    runs += [
        Run(int(c), int(start[c]), int(back[c]) - 1 if down[c] > 0 else days - 1, True)
        for c in np.flatnonzero(alarmed)
    ]
    return runs, base


def _level_error(win: _Window, phi: np.ndarray) -> np.ndarray:
    """Relative variance of the window's mean: (1/level + φ) / days."""
    n = np.maximum(win.total_n, 1.0)
    level = np.maximum(win.total_s / n, 0.5 / n)
    return (1.0 / level + phi) / n


def _slide(
    win: _Window,
    y: np.ndarray,
    usable: np.ndarray,
    added: np.ndarray,
    t: int,
    length: int,
    rule: SurgeRule,
) -> None:
    """Days enter `lag_days` late and leave `length` days later (what entered, as it entered:
    both windows see the same entries, so `added` is shared)."""
    enter = t - rule.lag_days - 1
    if enter >= 0:
        use = usable[enter]
        win.add(enter, y[enter], use, 1.0)
        added[enter] = use
    leave = enter - length
    if leave >= 0:
        win.add(leave, y[leave], added[leave], -1.0)


Verdict = tuple[Run, int, float, float, int]  # run, posts, expected, p-value, peak column


def judge(runs: list[Run], counts: np.ndarray, base: Baseline, rule: SurgeRule) -> list[Verdict]:
    """The runs that are surges, with refined start and end, their posts, expected posts,
    p-value and peak day; one vectorised tail-probability call for all of them."""
    kept: list[tuple[Run, float, float, float, int]] = []
    for run in (refine(r, counts, base, rule) for r in runs):
        sl = slice(run.start, run.end + 1)
        y = counts[run.row, sl].astype(np.float64)
        mu = base.mu[sl, run.row].astype(np.float64)
        observed, expected = float(y.sum()), float(mu.sum())
        if observed < rule.min_posts or observed < rule.min_factor * expected:
            continue
        # Day-to-day dispersion, plus the level's own error, shared by all the run's days.
        spread = float((base.phi[sl, run.row] * mu * mu).sum())
        spread += float(base.level_error[run.start, run.row]) * expected**2
        kept.append((run, observed, expected, spread, run.start + int(np.argmax(y))))
    if not kept:
        return []
    _, observed, expected, spread, _ = (np.array(col) for col in zip(*kept, strict=True))
    p = tail_probability(observed, expected, spread)
    return [
        (run, int(obs), exp, float(pv), peak)
        for (run, obs, exp, _, peak), pv in zip(kept, p, strict=True)
        if pv < rule.p_threshold
    ]


def refine(run: Run, counts: np.ndarray, base: Baseline, rule: SurgeRule) -> Run:
    """The CUSUM looks for a `shift`-fold rise, so it starts a run on any day a little above
    normal. Re-estimate the rise from the run, then take the start and end that maximise the
    likelihood ratio for that rise (the change-point estimates)."""
    sl = slice(run.start, run.end + 1)
    y = counts[run.row, sl].astype(np.float64)
    mu = base.mu[sl, run.row].astype(np.float64)
    phi = base.phi[sl, run.row].astype(np.float64) + base.level_error[sl, run.row]
    shift = max(float(y.sum() / max(mu.sum(), 1e-9)), rule.shift)
    llr = _llr(y, mu, phi, shift)
    first = int(np.argmax(np.cumsum(llr[::-1])[::-1]))
    last = first + int(np.argmax(np.cumsum(llr[first:])))
    return Run(run.row, run.start + first, run.start + last, run.ongoing)


def tail_probability(
    observed: np.ndarray, expected: np.ndarray, extra_variance: np.ndarray
) -> np.ndarray:
    """P(X >= observed) for X negative binomial with the given mean and variance mean + extra
    (Poisson when there is no extra variance)."""
    from scipy import stats  # 1 s to import: not at every start of the command line

    extra = np.maximum(extra_variance, 1e-12)
    size = expected * expected / extra
    nb = stats.nbinom.sf(observed - 1, size, size / (size + expected))
    return np.where(extra_variance > 1e-12, nb, stats.poisson.sf(observed - 1, expected))
