"""The posts, channels, targets, campaigns and media an alert's evidence names, as links.

Evidence differs per rule type (see alerts/checks_*.py), so it is walked generically: a dict
with `channel` and `message_id` (or `post` = "channel/message_id") names a post, `post_id` a
post by id, `channel` a channel, a `landmark:`/`city:`/`country:` string a target, a
`campaign:` string a campaign and `sha256` a media item. Every reference is then resolved
against the store in a few bounded queries; names that do not exist are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, tuple_

from watchfloor.store.schema import channels, media, posts, target_evidence, targets
from watchfloor.store.times import iso_utc
from watchfloor.web.views.links import campaign_href, channel_href, post_href, target_href

CAP = 100  # links of each kind
TARGET_KEY = re.compile(r"^(landmark|city|country):\S+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class References:
    post_keys: set[tuple[str, int]] = field(default_factory=set)
    post_ids: set[int] = field(default_factory=set)
    channels: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)
    campaigns: dict[str, str | None] = field(default_factory=dict)  # id -> start, if known
    media: set[str] = field(default_factory=set)


def _post_key(value: str) -> tuple[str, int] | None:
    channel, _, message = value.rpartition("/")
    return (channel, int(message)) if channel and message.isdigit() else None


def _scalar(value: str, refs: References) -> None:
    if TARGET_KEY.match(value):
        refs.targets.add(value)
    elif value.startswith("campaign:"):
        refs.campaigns.setdefault(value, None)


def _mapping(value: dict[str, Any], refs: References) -> None:
    channel, message = value.get("channel"), value.get("message_id")
    if isinstance(channel, str):
        refs.channels.add(channel)
        if isinstance(message, int) and not isinstance(message, bool):
            refs.post_keys.add((channel, message))
    if isinstance(value.get("post"), str) and (key := _post_key(value["post"])):
        refs.post_keys.add(key)
    if isinstance(value.get("post_id"), int):
        refs.post_ids.add(value["post_id"])
    campaign, start = value.get("id"), value.get("start")
    if isinstance(campaign, str) and campaign.startswith("campaign:") and isinstance(start, str):
        refs.campaigns[campaign] = start
    if isinstance(value.get("sha256"), str) and SHA256.match(value["sha256"]):
        refs.media.add(value["sha256"])


def _walk(value: Any, refs: References, depth: int = 0) -> None:
    if depth > 12:
        return
    if isinstance(value, dict):
        _mapping(value, refs)
        for item in value.values():
            _walk(item, refs, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _walk(item, refs, depth + 1)
    elif isinstance(value, str):
        _scalar(value, refs)


def _subject(subject: str, refs: References) -> None:
    kind, _, rest = subject.partition(":")
    if kind == "post" and (key := _post_key(rest)):
        refs.post_keys.add(key)
    elif kind == "media" and SHA256.match(rest):
        refs.media.add(rest)
    else:
        _scalar(subject, refs)


def references(subject: str, evidence: Any) -> References:
    refs = References()
    _subject(subject, refs)
    _walk(evidence, refs)
    return refs


def _post_link(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "channel": row.channel,
        "title": row.title,
        "message_id": row.message_id,
        "date": iso_utc(row.date),
        "href": post_href(row.id),
    }


def _posts(conn: Connection, refs: References) -> list[dict[str, Any]]:
    query = select(
        posts.c.id,
        posts.c.message_id,
        posts.c.date,
        channels.c.key.label("channel"),
        channels.c.title,
    ).join(channels, channels.c.id == posts.c.channel_id)
    found: dict[int, dict[str, Any]] = {}
    keys = sorted(refs.post_keys)[:CAP]
    if keys:
        pairs = tuple_(channels.c.key, posts.c.message_id).in_(keys)
        found.update((r.id, _post_link(r)) for r in conn.execute(query.where(pairs)))
    ids = sorted(refs.post_ids)[:CAP]
    if ids:
        found.update((r.id, _post_link(r)) for r in conn.execute(query.where(posts.c.id.in_(ids))))
    return sorted(found.values(), key=lambda p: (p["date"] or "", p["id"]))[:CAP]


def _channels(conn: Connection, refs: References) -> list[dict[str, Any]]:
    keys = sorted(refs.channels)[:CAP]
    if not keys:
        return []
    query = select(channels.c.id, channels.c.key, channels.c.title, channels.c.attribution)
    rows = conn.execute(query.where(channels.c.key.in_(keys)).order_by(channels.c.key))
    return [
        {
            "id": r.id,
            "key": r.key,
            "title": r.title,
            "attribution": r.attribution,
            "href": channel_href(r.id),
        }
        for r in rows
    ]


def _targets(conn: Connection, refs: References) -> list[dict[str, Any]]:
    keys = sorted(refs.targets)[:CAP]
    if not keys:
        return []
    query = select(targets.c.key, targets.c.name, targets.c.city, targets.c.country)
    rows = conn.execute(query.where(targets.c.key.in_(keys)).order_by(targets.c.name))
    return [
        {"key": r.key, "name": r.name, "city": r.city, "country": r.country,
         "href": target_href(r.key)}
        for r in rows
    ]  # fmt: skip


def _media(conn: Connection, refs: References) -> list[dict[str, Any]]:
    shas = sorted(refs.media)[:CAP]
    if not shas:
        return []
    m = media.c
    query = select(m.sha256, m.mime, m.width, m.height).where(m.sha256.in_(shas))
    return [r._asdict() for r in conn.execute(query.order_by(m.sha256))]


def _shown_places(conn: Connection, post_ids: list[int], shas: list[str]) -> set[str]:
    """Targets the media show in those posts (looked up by post: ix_target_evidence_post)."""
    if not post_ids or not shas:
        return set()
    te = target_evidence.c
    query = select(te.target_key).where(te.post_id.in_(post_ids), te.subject.in_(shas))
    return set(conn.execute(query.distinct()).scalars())


def evidence_links(conn: Connection, subject: str, evidence: Any) -> dict[str, list[Any]]:
    refs = references(subject, evidence)
    found_posts = _posts(conn, refs)
    shas = sorted(refs.media)[:CAP]
    refs.targets |= _shown_places(conn, [p["id"] for p in found_posts], shas)
    return {
        "posts": found_posts,
        "channels": _channels(conn, refs),
        "targets": _targets(conn, refs),
        "campaigns": [
            {"id": c, "start": refs.campaigns[c], "href": campaign_href(c, refs.campaigns[c])}
            for c in sorted(refs.campaigns)[:CAP]
        ],
        "media": _media(conn, refs),
    }
