"""The read side of repost grouping: each group with the posts that carry it, over time.

For a group: where and when it was first seen, every post that carries one of its media
(channel, message, time, which copy), how it spread from channel to channel, the forwards among
those posts (``posts.forwarded_from``), and the verified pairs that hold the group together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from watchfloor.analytics.repost_store import CHUNK, group_memberships
from watchfloor.store.schema import channels, post_media, posts
from watchfloor.store.times import iso_utc

__all__ = ["list_repost_groups"]


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def list_repost_groups(
    conn: Connection, *, min_size: int = 2, limit: int = 50
) -> list[dict[str, Any]]:
    """Repost groups of at least ``min_size`` media, the most posted first (then by id)."""
    memberships = group_memberships(conn)
    members: dict[str, list[str]] = defaultdict(list)
    for sha, membership in sorted(memberships.items()):
        members[membership.group].append(sha)
    wanted = {g: shas for g, shas in members.items() if len(shas) >= min_size}
    counts = _post_counts(conn, [s for shas in wanted.values() for s in shas])
    order = sorted(wanted, key=lambda g: (-sum(counts.get(s, 0) for s in wanted[g]), g))
    return [_group(conn, g, wanted[g], memberships) for g in order[:limit]]


def _post_counts(conn: Connection, shas: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for batch in _chunks(sorted(shas)):
        query = (
            select(post_media.c.sha256, func.count(func.distinct(post_media.c.post_id)))
            .where(post_media.c.sha256.in_(batch))
            .group_by(post_media.c.sha256)
        )
        out.update({sha: n for sha, n in conn.execute(query)})
    return out


def _posts_of(conn: Connection, shas: list[str]) -> list[dict[str, Any]]:
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for batch in _chunks(shas):
        query = (
            select(
                post_media.c.sha256,
                posts.c.id,
                posts.c.message_id,
                posts.c.date,
                posts.c.forwarded_from,
                posts.c.forwarded_from_id,
                channels.c.key,
                channels.c.title,
            )
            .join(posts, posts.c.id == post_media.c.post_id)
            .join(channels, channels.c.id == posts.c.channel_id)
            .where(post_media.c.sha256.in_(batch))
        )
        for r in conn.execute(query):
            rows[(r.id, r.sha256)] = {
                "channel": r.key,
                "title": r.title,
                "message_id": r.message_id,
                "date": iso_utc(r.date),
                "sha256": r.sha256,
                "forwarded_from": r.forwarded_from,
                "forwarded_from_id": r.forwarded_from_id,
            }
    return sorted(rows.values(), key=lambda p: (p["date"], p["channel"], p["message_id"]))


def _spread(reposts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Channels in the order the group reached them, with their first and last post."""
    by_channel: dict[str, dict[str, Any]] = {}
    for p in reposts:  # in date order
        entry = by_channel.setdefault(
            p["channel"],
            {"channel": p["channel"], "title": p["title"], "first": p["date"], "last": None},
        )
        entry.setdefault("posts", 0)
        entry["last"] = p["date"]
        entry["posts"] += 1
    return list(by_channel.values())


def _forwards(reposts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "from": p["forwarded_from"],
            "from_id": p["forwarded_from_id"],
            "to": p["channel"],
            "to_title": p["title"],
            "message_id": p["message_id"],
            "date": p["date"],
        }
        for p in reposts
        if p["forwarded_from"] or p["forwarded_from_id"]
    ]


def _group(
    conn: Connection, group: str, shas: list[str], memberships: dict[str, Any]
) -> dict[str, Any]:
    reposts = _posts_of(conn, shas)
    per_media = defaultdict(int)
    for p in reposts:
        per_media[p["sha256"]] += 1
    first, last = (reposts[0], reposts[-1]) if reposts else (None, None)
    return {
        "group": group,
        "media": len(shas),
        "posts": len(reposts),
        "channels": len({p["channel"] for p in reposts}),
        "first_seen": first,
        "last_seen": last,
        "spread": _spread(reposts),
        "forwards": _forwards(reposts),
        "reposts": reposts,
        "members": [
            {
                "sha256": sha,
                "posts": per_media[sha],
                "verified": memberships[sha].evidence.get("verified", []),
            }
            for sha in shas
        ],
    }
