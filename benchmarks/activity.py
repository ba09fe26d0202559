"""Activity analysis speed and quality: dormancy and surge detection over 10,000 channels x
2 years of daily counts, all channels at once, against the same analysis run channel by channel.

The series are synthetic and seeded (``tests/activity_synthetic.py``): each channel has its own
rate (0.5-30 posts a day, log-uniform), weekly rhythm and negative-binomial overdispersion
(φ 0.1-1); 5 % of channels fall silent for 40-150 days and 5 % surge 3-6 fold for 3-14 days.
Reported:

- wall time of ``detect`` (dormancies, then the surge scan over the 2-D array, then the
  per-surge tests), and of the baseline: ``detect`` called on one channel at a time (the same
  per-day loop, not vectorised across channels), on ``--baseline-sample`` channels and scaled
  up; both must agree on that sample;
- dormancy recall (found with the exact last-post and resume days), surge recall and the share
  of found surges starting within 2 days of the planted start;
- false alarms per channel-year on the channels without a planted event, and on stationary
  Poisson and negative-binomial channels (``--stationary`` channels each).

    .venv/bin/python benchmarks/activity.py
    .venv/bin/python benchmarks/activity.py --channels 2000 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.activity_synthetic import Planted, planted, stationary

from watchfloor.analytics.activity import Detection, detect


@dataclass
class Result:
    channels: int
    days: int
    detect_seconds: float
    baseline_seconds: float  # scaled up from the sample
    baseline_sample: int
    speedup: float
    baseline_agrees: bool
    dormancies_planted: int
    dormancy_recall: float  # exact last-post and resume day
    surges_planted: int
    surge_recall: float
    surge_start_within_2_days: float
    false_surges_per_channel_year: float  # channels with nothing planted
    false_dormancies_per_channel_year: float
    stationary_poisson_surges_per_channel_year: float
    stationary_nbinom_surges_per_channel_year: float
    peak_rss_mb: float


def _timed(counts: np.ndarray) -> tuple[Detection, float]:
    start = time.perf_counter()
    found = detect(counts)
    return found, time.perf_counter() - start


def _baseline(counts: np.ndarray, sample: int, found: Detection) -> tuple[float, bool]:
    """detect() one channel at a time on the first `sample` channels; agreement with the
    vectorised run on those channels."""
    start = time.perf_counter()
    gaps, surges = [], []
    for row in range(sample):
        one = detect(counts[row : row + 1])
        gaps += [(row, g) for g in one.gaps[0]]
        surges += [(row, s[0].start, s[0].end) for s in one.surges]
    elapsed = time.perf_counter() - start
    want_gaps = [(row, g) for row in range(sample) for g in found.gaps[row]]
    want_surges = [(s[0].row, s[0].start, s[0].end) for s in found.surges if s[0].row < sample]
    return elapsed * counts.shape[0] / sample, gaps == want_gaps and surges == want_surges


def _quality(data: Planted, found: Detection, days: int) -> dict[str, float]:
    exact = sum(
        any(g.quiet == q and g.resumed == r for g in found.gaps[row])
        for row, (q, r) in data.dormancies.items()
    )
    hits: dict[int, int] = {}
    quiet_rows = set(range(data.counts.shape[0])) - set(data.dormancies) - set(data.surges)
    false_surges = 0
    for run, *_ in found.surges:
        if run.row in data.surges:
            start, end = data.surges[run.row]
            if run.start <= end and run.end >= start:
                hits.setdefault(run.row, run.start - start)
        elif run.row in quiet_rows:
            false_surges += 1
    false_gaps = sum(len(found.gaps[row]) for row in quiet_rows)
    years = len(quiet_rows) * days / 365
    offsets = np.array(list(hits.values()))
    return {
        "dormancy_recall": exact / max(len(data.dormancies), 1),
        "surge_recall": len(hits) / max(len(data.surges), 1),
        "surge_start_within_2_days": float((np.abs(offsets) <= 2).mean()) if hits else 0.0,
        "false_surges_per_channel_year": false_surges / years,
        "false_dormancies_per_channel_year": false_gaps / years,
    }


def _stationary_rate(kind: str, channels: int, days: int) -> float:
    found = detect(stationary(seed=99, channels=channels, days=days, kind=kind))
    return len(found.surges) / (channels * days / 365)


def run(channels: int, days: int, sample: int, stationary_channels: int) -> Result:
    data = planted(seed=2026, channels=channels, days=days)
    found, seconds = _timed(data.counts)
    baseline, agrees = _baseline(data.counts, min(sample, channels), found)
    quality = _quality(data, found, days)
    return Result(
        channels=channels,
        days=days,
        detect_seconds=round(seconds, 3),
        baseline_seconds=round(baseline, 2),
        baseline_sample=min(sample, channels),
        speedup=round(baseline / seconds, 1),
        baseline_agrees=agrees,
        dormancies_planted=len(data.dormancies),
        surges_planted=len(data.surges),
        **{k: round(v, 4) for k, v in quality.items()},
        stationary_poisson_surges_per_channel_year=round(
            _stationary_rate("poisson", stationary_channels, days), 4
        ),
        stationary_nbinom_surges_per_channel_year=round(
            _stationary_rate("nbinom", stationary_channels, days), 4
        ),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--baseline-sample", type=int, default=50)
    parser.add_argument("--stationary", type=int, default=2_000, help="channels per kind")
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    args = parser.parse_args()
    result = run(args.channels, args.days, args.baseline_sample, args.stationary)
    if args.json:
        print(json.dumps(asdict(result), indent=2))
        return
    for key, value in asdict(result).items():
        print(f"{key:45} {value}")


if __name__ == "__main__":
    main()
