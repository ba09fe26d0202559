"""Writing channels and posts: new posts are inserted, edited ones updated with their earlier
version kept in post_versions, unchanged ones left alone, so re-ingesting never duplicates."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, select, update

from watchfloor.analyzers.base import PostItem
from watchfloor.records import Channel, Post
from watchfloor.store.dialect import insert_ignore, insert_many
from watchfloor.store.schema import channels, post_media, post_versions, posts
from watchfloor.store.search import index_new_posts, normalize_for_search
from watchfloor.store.times import as_utc


@dataclass
class WriteCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    versions_kept: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.versions_kept += other.versions_kept
        return self


@dataclass(frozen=True)
class Existing:
    id: int
    content_hash: str
    edit_date: datetime | None
    text: str
    raw: str


@dataclass
class PreparedPost:
    post: Post
    content_hash: str
    media_rows: list[dict] = field(default_factory=list)  # post_media rows without post_id


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def upsert_channel(conn: Connection, channel: Channel) -> int:
    now = datetime.now(UTC)
    conn.execute(
        insert_ignore(conn, channels),
        {
            "key": channel.key,
            "platform": channel.platform,
            "platform_id": channel.platform_id,
            "handle": channel.handle,
            "title": channel.title,
            "kind": channel.kind,
            "attribution": channel.attribution,
            "created_at": now,
        },
    )
    row = conn.execute(
        select(channels.c.id, channels.c.title).where(channels.c.key == channel.key)
    ).one()
    if channel.title and row.title != channel.title:
        conn.execute(update(channels).where(channels.c.id == row.id).values(title=channel.title))
    return row.id


def refresh_channel_dates(conn: Connection, channel_id: int) -> None:
    first, last = conn.execute(
        select(func.min(posts.c.date), func.max(posts.c.date)).where(
            posts.c.channel_id == channel_id
        )
    ).one()
    conn.execute(
        update(channels).where(channels.c.id == channel_id).values(first_seen=first, last_seen=last)
    )


def existing_posts(
    conn: Connection, channel_id: int, message_ids: list[int]
) -> dict[int, Existing]:
    if not message_ids:
        return {}
    cols = (
        posts.c.message_id,
        posts.c.id,
        posts.c.content_hash,
        posts.c.edit_date,
        posts.c.text,
        posts.c.raw,
    )
    rows = conn.execute(
        select(*cols).where(posts.c.channel_id == channel_id, posts.c.message_id.in_(message_ids))
    )
    return {
        r.message_id: Existing(r.id, r.content_hash, as_utc(r.edit_date), r.text, r.raw)
        for r in rows
    }


def _post_values(p: PreparedPost) -> dict:
    """The columns of a post's row that come from the post itself."""
    post = p.post
    return {
        "message_id": post.message_id,
        "date": post.date,
        "edit_date": post.edit_date,
        "date_assumed_tz": post.date_assumed_tz,
        "kind": post.kind,
        "text": post.text,
        "search_text": normalize_for_search(post.text),
        "sender_id": post.sender_id,
        "sender_name": post.sender_name,
        "forwarded_from": post.forwarded_from,
        "forwarded_from_id": post.forwarded_from_id,
        "reply_to": post.reply_to,
        "entities": post.entities.as_dict(),
        "raw": post.raw.decode("utf-8", "replace"),
        "raw_format": post.raw_format,
        "content_hash": p.content_hash,
    }


def insert_posts(conn: Connection, channel_id: int, new: list[PreparedPost]) -> None:
    if not new:
        return
    now = datetime.now(UTC)
    insert_many(
        conn,
        posts,
        [_post_values(p) for p in new],
        {"channel_id": channel_id, "ingested_at": now, "updated_at": now},
    )
    index_new_posts(conn, channel_id, [p.post.message_id for p in new])
    with_media = [p for p in new if p.media_rows]
    if with_media:
        ids = existing_posts(conn, channel_id, [p.post.message_id for p in with_media])
        _insert_media_rows(conn, {ids[p.post.message_id].id: p.media_rows for p in with_media})


def _insert_media_rows(conn: Connection, rows_by_post: dict[int, list[dict]]) -> None:
    rows = [dict(row, post_id=post_id) for post_id, rows in rows_by_post.items() for row in rows]
    if rows:
        conn.execute(insert_ignore(conn, post_media), rows)


def is_newer(incoming: Post, current: Existing) -> bool:
    """An incoming record replaces the stored one unless it is an older edit of the same message."""
    if incoming.edit_date is None:
        return current.edit_date is None
    return current.edit_date is None or incoming.edit_date >= current.edit_date


def apply_change(conn: Connection, p: PreparedPost, current: Existing) -> WriteCounts:
    """Keep both versions of a changed message; the newer one is the post, the other a version."""
    now = datetime.now(UTC)
    if not is_newer(p.post, current):
        kept = _keep_version(
            conn,
            current.id,
            p.post.edit_date,
            p.post.text,
            p.post.raw.decode("utf-8", "replace"),
            p.content_hash,
            now,
        )
        return WriteCounts(unchanged=1, versions_kept=kept)
    kept = _keep_version(
        conn, current.id, current.edit_date, current.text, current.raw, current.content_hash, now
    )
    values = _post_values(p) | {"updated_at": now}
    conn.execute(update(posts).where(posts.c.id == current.id).values(**values))
    conn.execute(delete(post_media).where(post_media.c.post_id == current.id))
    _insert_media_rows(conn, {current.id: p.media_rows})
    return WriteCounts(updated=1, versions_kept=kept)


def _keep_version(conn, post_id, edit_date, text, raw, digest, now) -> int:
    """Stores a version unless it is already kept; returns 1 when it was new."""
    result = conn.execute(
        insert_ignore(conn, post_versions).returning(post_versions.c.id),
        {
            "post_id": post_id,
            "edit_date": edit_date,
            "text": text,
            "raw": raw,
            "content_hash": digest,
            "recorded_at": now,
        },
    )
    return len(result.all())


def post_items(conn: Connection) -> Iterator[PostItem]:
    query = select(
        channels.c.key,
        posts.c.message_id,
        posts.c.date,
        posts.c.text,
        posts.c.content_hash,
        posts.c.entities,
    ).join(channels, channels.c.id == posts.c.channel_id)
    for r in conn.execute(query.order_by(posts.c.id)):
        yield PostItem(
            f"{r.key}/{r.message_id}",
            r.key,
            r.message_id,
            as_utc(r.date),
            r.text,
            r.content_hash,
            r.entities,
        )
