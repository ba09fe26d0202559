"""Grouping posts into campaigns: the pure part, without the store (the benchmark runs it alone).

Every post carries reason keys (``repost:<group>``, ``emblem_target:<label>|<target>``,
``hashtag:<tag>``, ``text:<hash>``). For each key its posts are sorted by time and cut into runs
wherever two consecutive posts are more than ``window`` apart (a sliding window). A run is a link
when it spans at least ``min_channels`` channels and no more than ``max_span``, and is a burst:
unlikely under the key's background rate, that of its posts outside the run over the whole
corpus (a Poisson tail below ``burst_alpha`` divided by the number of windows the corpus spans,
which counts as at least ``baseline_windows`` long, so that a short export still has bursts).
A key used steadily for months (``#news``) forms one long run, and one used now and then all
year forms short runs at its usual rate: neither links anything, so it cannot glue unrelated
campaigns together, while a key seen only in the run is always a burst. Hashtags used by more than ``hashtag_max_share`` of all posts (with a floor
of ``hashtag_min_ceiling`` posts, so small corpora keep theirs) are dropped before that.
Posts joined by links are merged with union-find; a component across >= ``min_channels``
channels is a campaign. Cost: one sort per key, linear in the number of (post, key) pairs.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from watchfloor.analytics.reposts import UnionFind


@dataclass(frozen=True)
class GroupingOptions:
    window: timedelta = timedelta(days=7)
    max_span: timedelta = timedelta(days=21)
    burst_alpha: float = 0.01
    baseline_windows: int = 8
    min_channels: int = 3
    hashtag_max_share: float = 0.005
    hashtag_min_ceiling: int = 200


@dataclass(frozen=True)
class PostKeys:
    """One post as grouping sees it. ``key`` is ``<channel key>/<message id>`` (stable across
    stores); ``ts`` is seconds since the epoch."""

    key: str
    channel: str
    ts: float
    reasons: tuple[str, ...]


@dataclass
class Link:
    reason: str
    posts: list[str]
    channels: int


@dataclass
class Group:
    id: str
    members: list[PostKeys]  # by time
    links: list[Link] = field(default_factory=list)

    @property
    def channels(self) -> list[str]:
        return sorted({m.channel for m in self.members})


def broad_hashtags(posts: Sequence[PostKeys], options: GroupingOptions) -> set[str]:
    counts: dict[str, int] = defaultdict(int)
    for post in posts:
        for reason in post.reasons:
            if reason.startswith("hashtag:"):
                counts[reason] += 1
    ceiling = max(options.hashtag_min_ceiling, options.hashtag_max_share * len(posts))
    return {reason for reason, n in counts.items() if n > ceiling}


def _by_reason(posts: Sequence[PostKeys], skip: set[str]) -> dict[str, list[PostKeys]]:
    out: dict[str, list[PostKeys]] = defaultdict(list)
    for post in posts:
        for reason in post.reasons:
            if reason not in skip:
                out[reason].append(post)
    return out


def _runs(members: list[PostKeys], window: float) -> Iterable[list[PostKeys]]:
    members.sort(key=lambda p: (p.ts, p.key))
    run = [members[0]]
    for post in members[1:]:
        if post.ts - run[-1].ts > window:
            yield run
            run = []
        run.append(post)
    yield run


def poisson_tail(k: int, mean: float) -> float:
    """P(N >= k) for N ~ Poisson(mean), summed from k upwards (no cancellation)."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    term = math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
    total, i = 0.0, k
    while term > 1e-300 and (i < k + 5 or term > 1e-12 * total):
        total += term
        i += 1
        term *= mean / i
    return min(1.0, total)


def is_link(run: list[PostKeys], total: int, seconds: float, options: GroupingOptions) -> bool:
    """Whether a run of one key's posts links them. ``total``: the key's posts in the corpus,
    ``seconds``: the corpus' length (see ``corpus_seconds``)."""
    if len(run) < options.min_channels:
        return False
    span, window = run[-1].ts - run[0].ts, options.window.total_seconds()
    if span > options.max_span.total_seconds():
        return False
    background = (total - len(run) + 1) * max(span, window) / seconds  # +1: never a zero rate
    if poisson_tail(len(run), background) >= options.burst_alpha * window / seconds:
        return False
    return len({p.channel for p in run}) >= options.min_channels


def corpus_seconds(posts: Sequence[PostKeys], options: GroupingOptions) -> float:
    least = options.baseline_windows * options.window.total_seconds()
    if not posts:
        return least
    return max(least, max(p.ts for p in posts) - min(p.ts for p in posts))


def find_links(posts: Sequence[PostKeys], options: GroupingOptions) -> list[Link]:
    window, seconds = options.window.total_seconds(), corpus_seconds(posts, options)
    links = []
    for reason, members in _by_reason(posts, broad_hashtags(posts, options)).items():
        if len(members) < options.min_channels:
            continue
        for run in _runs(members, window):
            if is_link(run, len(members), seconds, options):
                links.append(Link(reason, [p.key for p in run], len({p.channel for p in run})))
    return links


def core_id(members: Sequence[PostKeys], min_channels: int) -> str:
    """``campaign:<16 hex>`` from the earliest post of each of the first ``min_channels``
    channels to post: later posts joining the campaign do not change it."""
    core: dict[str, str] = {}
    for post in sorted(members, key=lambda p: (p.ts, p.key)):
        core.setdefault(post.channel, post.key)
        if len(core) == min_channels:
            break
    digest = hashlib.sha256("\n".join(sorted(core.values())).encode()).hexdigest()
    return f"campaign:{digest[:16]}"


def group_posts(posts: Sequence[PostKeys], options: GroupingOptions | None = None) -> list[Group]:
    """Campaigns among ``posts``, earliest first."""
    options = options or GroupingOptions()
    links = find_links(posts, options)
    uf = UnionFind()
    for link in links:
        first = link.posts[0]
        for other in link.posts[1:]:
            uf.union(first, other)
    by_key = {p.key: p for p in posts}
    components: dict[str, list[PostKeys]] = defaultdict(list)
    linked = {key for link in links for key in link.posts}
    for key in linked:
        components[uf.find(key)].append(by_key[key])
    link_of: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        link_of[uf.find(link.posts[0])].append(link)
    groups = []
    for root, members in components.items():
        members.sort(key=lambda p: (p.ts, p.key))
        if len({m.channel for m in members}) < options.min_channels:
            continue
        groups.append(Group(core_id(members, options.min_channels), members, link_of[root]))
    groups.sort(key=lambda g: (g.members[0].ts, g.id))
    return groups
