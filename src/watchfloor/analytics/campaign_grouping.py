"""Grouping posts into campaigns: the pure part, without the store (the benchmark runs it alone).

Every post carries reason keys (``repost:<group>``, ``emblem_target:<label>|<target>``,
``hashtag:<tag>``, ``text:<hash>``). For each key its posts are sorted by time and cut into runs
wherever two consecutive posts are more than ``window`` apart (a sliding window). A run is a link
when it spans at least ``min_channels`` channels and no more than ``max_span``: a key used
steadily for months (``#news``) forms one long run and links nothing, so it cannot glue unrelated
campaigns together. Hashtags used by more than ``hashtag_max_share`` of all posts (with a floor
of ``hashtag_min_ceiling`` posts, so small corpora keep theirs) are dropped before that.
Posts joined by links are merged with union-find; a component across >= ``min_channels``
channels is a campaign. Cost: one sort per key, linear in the number of (post, key) pairs.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from watchfloor.analytics.reposts import UnionFind


@dataclass(frozen=True)
class GroupingOptions:
    window: timedelta = timedelta(days=7)
    max_span: timedelta = timedelta(days=21)
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


def _broad_hashtags(posts: Sequence[PostKeys], options: GroupingOptions) -> set[str]:
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


def find_links(posts: Sequence[PostKeys], options: GroupingOptions) -> list[Link]:
    window, max_span = options.window.total_seconds(), options.max_span.total_seconds()
    links = []
    for reason, members in _by_reason(posts, _broad_hashtags(posts, options)).items():
        if len(members) < options.min_channels:
            continue
        for run in _runs(members, window):
            if len(run) < options.min_channels or run[-1].ts - run[0].ts > max_span:
                continue
            channels = len({p.channel for p in run})
            if channels >= options.min_channels:
                links.append(Link(reason, [p.key for p in run], channels))
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
