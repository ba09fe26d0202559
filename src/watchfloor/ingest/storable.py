"""Records fitted to what both databases can store, at the one place every source's records pass.

PostgreSQL refuses text holding NUL characters and strings longer than a ``VARCHAR(n)`` column;
SQLite takes both. So that a hostile export behaves the same on either database: NUL becomes
U+FFFD in every stored text (the raw record keeps it, escaped), and a message whose identifiers
are longer than their columns is quarantined (``malformed_message``), as is a chat whose id or
type is, or holds NUL (``SourceError('malformed_export')``: the file is quarantined).
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import TypeVar

from watchfloor.records import Channel, Entities, MediaRef, Post, Rejected
from watchfloor.sources.base import SourceError

NUL, REPLACEMENT = "\x00", "\ufffd"
POST_LIMITS = {"kind": 40, "sender_id": 255, "forwarded_from_id": 255}
ROLE_LIMIT = 40  # post_media.role
CHANNEL_LIMITS = {"platform_id": 255, "kind": 60, "handle": 255}  # channels.key: 300
T = TypeVar("T", Post, Channel, MediaRef, Entities)


def storable_post(post: Post, source: str) -> Post | Rejected:
    too_long = [
        (name, len(value), limit)
        for name, limit in POST_LIMITS.items()
        if (value := getattr(post, name)) is not None and len(value) > limit
    ]
    too_long += [
        ("media role", len(r.role), ROLE_LIMIT) for r in post.media if len(r.role) > ROLE_LIMIT
    ]
    if too_long:
        name, length, limit = too_long[0]
        reason = f"{name} has {length:,} characters, more than the {limit} the store keeps"
        payload = post.raw.decode("utf-8", "replace")
        return Rejected(source, f"message {post.message_id}", "malformed_message", reason, payload)
    if not _has_nul(post):
        return post
    return replace(
        _without_nul(post),
        entities=_without_nul(post.entities),
        media=tuple(_without_nul(ref) for ref in post.media),
    )


def storable_channel(channel: Channel) -> Channel:
    """The channel with NUL replaced in its title; its identifiers are keys, stored exactly or
    not at all."""
    for name, limit in CHANNEL_LIMITS.items():
        value = getattr(channel, name)
        if value is not None and len(value) > limit:
            raise SourceError(
                "malformed_export",
                f"the chat's {name} has {len(value):,} characters, more than the {limit} the "
                "store keeps",
            )
        if value is not None and NUL in value:
            raise SourceError("malformed_export", f"the chat's {name} holds a NUL character")
    return _without_nul(channel)


def _has_nul(post: Post) -> bool:
    texts = [post.text, post.sender_name, post.forwarded_from, post.sender_id, post.kind]
    texts += [post.forwarded_from_id, *post.entities.links, *post.entities.hashtags]
    texts += [t for ref in post.media for t in (ref.role, ref.path, ref.note, ref.mime_hint)]
    return any(NUL in t for t in texts if t)


def _without_nul(record: T) -> T:
    changes = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, str) and NUL in value:
            changes[f.name] = value.replace(NUL, REPLACEMENT)
        elif isinstance(value, tuple) and any(isinstance(v, str) and NUL in v for v in value):
            changes[f.name] = tuple(v.replace(NUL, REPLACEMENT) for v in value)
    return replace(record, **changes) if changes else record
