"""Coordinated campaigns: posts across >= 3 channels within a time window that share reposted
media, an emblem at the same target, hashtags or near-identical text. The library behind
``watchfloor campaigns`` and the alert rule ``new campaign``.

Computed on read (no table): grouping is linear in the posts read (see ``campaign_grouping``),
so a listing always reflects the current signals, and a campaign's id is derived from its
earliest posts (``core_id``), stable across runs and as the campaign grows. ``since``/``until``
(``until`` exclusive) select campaigns active in the window; posts are read with a margin of
twice ``max_span`` either side so that a campaign overlapping the window is seen whole.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from watchfloor.analytics.campaign_grouping import Group, GroupingOptions, group_posts
from watchfloor.analytics.campaign_keys import CorpusKeys, read_corpus_keys
from watchfloor.store.schema import posts
from watchfloor.store.times import as_utc
from watchfloor.text.normalise import core_text

REASON_KINDS = ("repost", "emblem_target", "hashtag", "text")
PREVIEW = 160


@dataclass
class Campaign:
    id: str
    start: datetime
    end: datetime
    channels: list[dict[str, Any]]  # key, title, posts
    members: list[dict[str, Any]]  # post_id, key, channel, date
    reasons: list[dict[str, Any]]  # kind, detail
    targets: list[dict[str, Any]]  # key, name, posts
    shared_media: list[str]

    @property
    def size(self) -> int:
        return len(self.members)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "size": self.size,
            "channels": self.channels,
            "members": [{**m, "date": m["date"].isoformat()} for m in self.members],
            "reasons": self.reasons,
            "targets": self.targets,
            "shared_media": self.shared_media,
        }


def _reason(reason: str, keys: list[str], corpus: CorpusKeys, texts: dict[str, str]) -> dict:
    kind, _, value = reason.partition(":")
    members = [corpus.info[k] for k in keys]
    detail: dict[str, Any] = {
        "posts": len(keys),
        "channels": len({m.channel for m in members}),
        "start": min(m.date for m in members).isoformat(),
        "end": max(m.date for m in members).isoformat(),
    }
    if kind == "repost":
        detail["group"] = value
        detail["media"] = sorted(
            {s for m in members for s in m.media if corpus.media_groups.get(s, s) == value}
        )
    elif kind == "emblem_target":
        label, _, target = value.partition("|")
        detail.update(emblem=label, target=target, name=corpus.target_names.get(target, target))
    elif kind == "hashtag":
        detail["hashtag"] = "#" + value
    else:
        detail["text"] = texts.get(keys[0], "")
    return {"kind": kind, "detail": detail}


def _reasons(group: Group, corpus: CorpusKeys, texts: dict[str, str]) -> list[dict]:
    keys: dict[str, list[str]] = defaultdict(list)
    for link in group.links:
        keys[link.reason].extend(link.posts)
    found = [_reason(r, list(dict.fromkeys(k)), corpus, texts) for r, k in keys.items()]
    order = {kind: i for i, kind in enumerate(REASON_KINDS)}
    return sorted(found, key=lambda r: (order[r["kind"]], -r["detail"]["posts"], str(r)))


def _campaign(group: Group, corpus: CorpusKeys, texts: dict[str, str]) -> Campaign:
    infos = [corpus.info[m.key] for m in group.members]
    per_channel = Counter(i.channel for i in infos)
    per_target = Counter(t for i in infos for t in i.targets)
    reasons = _reasons(group, corpus, texts)
    media = {s for r in reasons if r["kind"] == "repost" for s in r["detail"]["media"]}
    return Campaign(
        id=group.id,
        start=infos[0].date,
        end=infos[-1].date,
        channels=[
            {"key": key, "title": corpus.channel_titles.get(key), "posts": n}
            for key, n in sorted(per_channel.items())
        ],
        members=[
            {"post_id": i.id, "key": i.key, "channel": i.channel, "date": i.date} for i in infos
        ],
        reasons=reasons,
        targets=[
            {"key": key, "name": corpus.target_names.get(key, key), "posts": n}
            for key, n in sorted(per_target.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        shared_media=sorted(media),
    )


def _texts(conn: Connection, groups: list[Group], corpus: CorpusKeys) -> dict[str, str]:
    """Core text previews of the first post of each text reason."""
    firsts = {link.posts[0] for g in groups for link in g.links if link.reason.startswith("text:")}
    ids = {corpus.info[k].id: k for k in firsts}
    if not ids:
        return {}
    query = select(posts.c.id, posts.c.text).where(posts.c.id.in_(list(ids)))
    return {ids[i]: core_text(text)[:PREVIEW] for i, text in conn.execute(query)}


def _overlaps(group: Group, since: datetime | None, until: datetime | None) -> bool:
    first, last = group.members[0].ts, group.members[-1].ts
    if since is not None and last < since.timestamp():
        return False
    return until is None or first < until.timestamp()


def list_campaigns(
    conn: Connection,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    *,
    options: GroupingOptions | None = None,
) -> list[Campaign]:
    """Campaigns active in [since, until), the most recently started first."""
    options = options or GroupingOptions()
    since, until = as_utc(since), as_utc(until)
    margin = options.max_span * 2
    corpus = read_corpus_keys(
        conn, None if since is None else since - margin, None if until is None else until + margin
    )
    groups = [g for g in group_posts(corpus.posts, options) if _overlaps(g, since, until)]
    groups.sort(key=lambda g: (-g.members[0].ts, g.id))
    if limit is not None:
        groups = groups[:limit]
    texts = _texts(conn, groups, corpus)
    return [_campaign(g, corpus, texts) for g in groups]


def get_campaign(
    conn: Connection, campaign_id: str, *, options: GroupingOptions | None = None
) -> Campaign | None:
    wanted = campaign_id if campaign_id.startswith("campaign:") else f"campaign:{campaign_id}"
    return next((c for c in list_campaigns(conn, options=options) if c.id == wanted), None)
