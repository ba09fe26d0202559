"""Campaign grouping speed and quality over 1M synthetic posts, against a pairwise baseline.

The corpus is seeded: ``--posts`` posts by ``--channels`` channels (Zipf-like activity) spread
over two years; each post carries a media key (40 %), a text key (50 %, unique) and 0-3
hashtags drawn from a Zipf vocabulary of 50,000 tags, so that a few (``#news``-like) are in
several per cent of all posts and many mid-frequency tags recur all year. ``--campaigns``
campaigns are planted: 3-8 channels posting within 0-4 days, sharing a media key, half of them
a campaign hashtag too, a quarter a text.

Reported: wall and CPU time of ``group_posts`` on the whole corpus (the machine is shared),
the time to build the post records, and the cost of deriving text and hashtag keys from real
text (``text_key``) per 100k posts;
recall (planted campaigns found whole, alone in their group) and groups not planted (chance
coincidences of rarer tags within a week); the baseline: every pair of posts within the window
compared for shared reasons (sorted by time, so only pairs within the window are visited), on a
time slice of ``--baseline-posts`` posts, scaled linearly to the corpus (a lower bound: the
slice is shorter than the window, so each post meets fewer others than at full scale). Both must
find the same groups on the slice.

    .venv/bin/python benchmarks/campaigns.py
    .venv/bin/python benchmarks/campaigns.py --posts 200000 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from watchfloor.analytics.campaign_grouping import (
    Group,
    GroupingOptions,
    PostKeys,
    broad_hashtags,
    core_id,
    corpus_seconds,
    group_posts,
    is_link,
)
from watchfloor.analytics.campaign_keys import hashtag_keys, text_key
from watchfloor.analytics.reposts import UnionFind

DAY = 86400.0
SPAN_DAYS = 730


@dataclass
class Result:
    posts: int
    channels: int
    planted: int
    build_seconds: float
    group_seconds: float
    group_cpu_seconds: float
    key_extraction_seconds_per_100k: float
    groups: int
    recall: float  # planted campaigns found whole and alone
    not_planted: int
    baseline_posts: int
    baseline_seconds_measured: float
    baseline_seconds_scaled: float
    speedup: float
    baseline_agrees: bool
    peak_rss_mb: float


def synthetic(
    n_posts: int, n_channels: int, n_campaigns: int, seed: int
) -> tuple[list[PostKeys], list[set[str]]]:
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_channels + 1) ** 0.8
    channel = rng.choice(n_channels, size=n_posts, p=weights / weights.sum())
    ts = np.sort(rng.uniform(0, SPAN_DAYS * DAY, size=n_posts))
    has_media = rng.random(n_posts) < 0.4
    has_text = rng.random(n_posts) < 0.5
    n_tags = rng.choice(4, size=n_posts, p=[0.4, 0.3, 0.2, 0.1])
    tags = rng.zipf(1.3, size=int(n_tags.sum())) % 50_000
    posts, tag_at = [], 0
    for i in range(n_posts):
        reasons = [f"repost:m{i}"] if has_media[i] else []
        if has_text[i]:
            reasons.append(f"text:t{i}")
        reasons += [f"hashtag:tag{t}" for t in tags[tag_at : tag_at + n_tags[i]]]
        tag_at += n_tags[i]
        posts.append(PostKeys(f"p{i}", f"c{channel[i]}", float(ts[i]), tuple(reasons)))
    planted = []
    for k in range(n_campaigns):
        start = rng.uniform(0, (SPAN_DAYS - 5) * DAY)
        members = rng.choice(n_channels, size=int(rng.integers(3, 9)), replace=False)
        reasons = [f"repost:camp{k}"]
        if k % 2 == 0:
            reasons.append(f"hashtag:camp{k}")
        if k % 4 == 1:
            reasons.append(f"text:camp{k}")
        keys = set()
        for j, c in enumerate(members):
            key = f"q{k}_{j}"
            when = start + rng.uniform(0, 4 * DAY)
            extra = tuple(f"hashtag:tag{t}" for t in rng.zipf(1.3, size=1) % 50_000)
            posts.append(PostKeys(key, f"c{c}", when, (*reasons, *extra)))
            keys.add(key)
        planted.append(keys)
    return posts, planted


def pairwise_baseline(posts: list[PostKeys], options: GroupingOptions) -> list[Group]:
    """Every pair within the window compared for shared reasons; each reason's pairs joined
    (its single-linkage components are the runs), then the same rules as ``group_posts``."""
    window = options.window.total_seconds()
    skip = broad_hashtags(posts, options)
    ordered = sorted(posts, key=lambda p: (p.ts, p.key))
    per_reason: dict[str, UnionFind] = defaultdict(UnionFind)
    counts: dict[str, int] = defaultdict(int)
    for i, a in enumerate(ordered):
        mine = set(a.reasons) - skip
        for reason in mine:
            counts[reason] += 1
        for b in ordered[i + 1 :]:
            if b.ts - a.ts > window:
                break
            for reason in mine.intersection(b.reasons):
                per_reason[reason].union(a.key, b.key)
    by_key = {p.key: p for p in posts}
    seconds = corpus_seconds(posts, options)
    uf = UnionFind()
    for reason, ruf in per_reason.items():
        runs: dict[str, list[str]] = defaultdict(list)
        for key in {k for pair in ruf.parent.items() for k in pair}:
            runs[ruf.find(key)].append(key)
        for run in runs.values():
            members = sorted((by_key[k] for k in run), key=lambda p: (p.ts, p.key))
            if is_link(members, counts[reason], seconds, options):
                for other in run[1:]:
                    uf.union(run[0], other)
    components: dict[str, list[PostKeys]] = defaultdict(list)
    for key in {k for pair in uf.parent.items() for k in pair}:
        components[uf.find(key)].append(by_key[key])
    return [
        Group(core_id(m, options.min_channels), sorted(m, key=lambda p: (p.ts, p.key)))
        for m in components.values()
        if len({p.channel for p in m}) >= options.min_channels
    ]


def recall(groups: list[Group], planted: list[set[str]]) -> tuple[float, int]:
    found = {frozenset(m.key for m in g.members) for g in groups}
    whole = sum(1 for keys in planted if frozenset(keys) in found)
    noise = sum(1 for g in groups if not any(m.key.startswith("q") for m in g.members))
    return whole / max(1, len(planted)), noise


def key_extraction_cost(n: int = 20_000) -> float:
    rng = np.random.default_rng(7)
    words = [f"word{i}" for i in range(5000)]
    texts = [
        " ".join(rng.choice(words, size=12)) + f" #tag{i % 300} https://t.me/x/{i}"
        for i in range(n)
    ]
    start = time.perf_counter()
    for text in texts:
        text_key(text)
        hashtag_keys({"hashtags": [f"tag{len(text) % 300}"]})
    return (time.perf_counter() - start) * 100_000 / n


def run(args: argparse.Namespace) -> Result:
    options = GroupingOptions()
    start = time.perf_counter()
    posts, planted = synthetic(args.posts, args.channels, args.campaigns, args.seed)
    built = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    groups = group_posts(posts, options)
    grouped, grouped_cpu = time.perf_counter() - start, time.process_time() - cpu
    found, noise = recall(groups, planted)
    ordered = sorted(posts, key=lambda p: p.ts)
    mid = len(ordered) // 2
    sample = ordered[mid : mid + args.baseline_posts]
    start = time.perf_counter()
    naive = pairwise_baseline(sample, options)
    naive_seconds = time.perf_counter() - start
    fast = group_posts(sample, options)
    agrees = sorted(tuple(m.key for m in g.members) for g in naive) == sorted(
        tuple(m.key for m in g.members) for g in fast
    )
    scaled = naive_seconds * len(posts) / len(sample)
    return Result(
        posts=len(posts),
        channels=args.channels,
        planted=len(planted),
        build_seconds=round(built, 2),
        group_seconds=round(grouped, 2),
        group_cpu_seconds=round(grouped_cpu, 2),
        key_extraction_seconds_per_100k=round(key_extraction_cost(), 2),
        groups=len(groups),
        recall=round(found, 4),
        not_planted=noise,
        baseline_posts=len(sample),
        baseline_seconds_measured=round(naive_seconds, 2),
        baseline_seconds_scaled=round(scaled, 1),
        speedup=round(scaled / grouped, 1),
        baseline_agrees=agrees,
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--baseline-posts", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(asdict(result), indent=2))
        return
    for name, value in asdict(result).items():
        print(f"{name:36} {value}")
    target = "met" if result.group_seconds < 60 else "MISSED"
    print(f"target < 60 s for grouping: {target}")


if __name__ == "__main__":
    main()
