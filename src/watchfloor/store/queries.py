"""The read side: library functions behind `watchfloor stats/channels/posts/media/signals/quarantine`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from watchfloor.store.schema import (
    analysis_state,
    channels,
    media,
    post_media,
    post_versions,
    posts,
    quarantine,
    signals,
)
from watchfloor.store.search import search_clause
from watchfloor.store.times import iso_utc


def _count(conn: Connection, table, *where) -> int:
    return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def stats(conn: Connection) -> dict[str, Any]:
    by_status = dict(
        conn.execute(select(post_media.c.status, func.count()).group_by(post_media.c.status)).all()
    )
    first, last = conn.execute(select(func.min(posts.c.date), func.max(posts.c.date))).one()
    kinds = dict(conn.execute(select(signals.c.kind, func.count()).group_by(signals.c.kind)).all())
    return {
        "channels": _count(conn, channels),
        "posts": _count(conn, posts),
        "post_versions": _count(conn, post_versions),
        "first_post": iso_utc(first),
        "last_post": iso_utc(last),
        "media": _count(conn, media),
        "media_bytes": conn.execute(select(func.coalesce(func.sum(media.c.size), 0))).scalar_one(),
        "media_refs": by_status,
        "signals": kinds,
        "analysis_failures": _count(conn, analysis_state, analysis_state.c.status != "ok"),
        "quarantined": _count(conn, quarantine),
    }


def list_channels(conn: Connection) -> list[dict[str, Any]]:
    counts = (
        select(posts.c.channel_id, func.count().label("posts"))
        .group_by(posts.c.channel_id)
        .subquery()
    )
    query = (
        select(channels, func.coalesce(counts.c.posts, 0).label("posts"))
        .outerjoin(counts, counts.c.channel_id == channels.c.id)
        .order_by(channels.c.key)
    )
    return [
        {
            "id": r.id,
            "key": r.key,
            "title": r.title,
            "kind": r.kind,
            "attribution": r.attribution,
            "attribution_reasons": r.attribution_reasons or [],
            "posts": r.posts,
            "first_seen": iso_utc(r.first_seen),
            "last_seen": iso_utc(r.last_seen),
        }
        for r in conn.execute(query)
    ]


def list_posts(
    conn: Connection,
    *,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
    channel_id: int | None = None,
) -> list[dict[str, Any]]:
    """Posts newest first; `channel` is a key, title or handle, `channel_id` a channel's id (read
    through the per-channel index, so a small channel's page does not scan all posts by date)."""
    query = select(posts, channels.c.key.label("channel")).join(
        channels, channels.c.id == posts.c.channel_id
    )
    if channel_id is not None:
        query = query.where(posts.c.channel_id == channel_id)
    if channel:
        query = query.where(
            (channels.c.key == channel)
            | (channels.c.title == channel)
            | (channels.c.handle == channel)
        )
    if since:
        query = query.where(posts.c.date >= since)
    if until:
        query = query.where(posts.c.date < until)
    if search:
        clause = search_clause(conn, search)
        if clause is None:
            return []
        query = query.where(clause)
    query = query.order_by(posts.c.date.desc(), posts.c.id.desc()).limit(limit).offset(offset)
    rows = conn.execute(query).all()
    refs = _media_refs(conn, [r.id for r in rows])
    return [_post_dict(r, refs.get(r.id, [])) for r in rows]


def get_post(conn: Connection, post_id: int) -> dict[str, Any] | None:
    """One post by its id, with its media references; None when there is none."""
    query = select(posts, channels.c.key.label("channel")).join(
        channels, channels.c.id == posts.c.channel_id
    )
    row = conn.execute(query.where(posts.c.id == post_id)).first()
    return None if row is None else _post_dict(row, _media_refs(conn, [row.id]).get(row.id, []))


def _media_refs(conn: Connection, post_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    if not post_ids:
        return out
    query = select(post_media).where(post_media.c.post_id.in_(post_ids)).order_by(post_media.c.id)
    for m in conn.execute(query):
        out.setdefault(m.post_id, []).append(
            {
                "role": m.role,
                "path": m.export_path,
                "sha256": m.sha256,
                "status": m.status,
                "note": m.note,
            }
        )
    return out


def _post_dict(r, media_refs: list[dict]) -> dict[str, Any]:
    return {
        "id": r.id,
        "channel": r.channel,
        "channel_id": r.channel_id,
        "message_id": r.message_id,
        "date": iso_utc(r.date),
        "edit_date": iso_utc(r.edit_date),
        "date_assumed_tz": r.date_assumed_tz,
        "kind": r.kind,
        "sender": r.sender_name,
        "sender_id": r.sender_id,
        "text": r.text,
        "forwarded_from": r.forwarded_from,
        "reply_to": r.reply_to,
        "entities": r.entities,
        "media": media_refs,
    }


def list_media(conn: Connection, *, limit: int = 100) -> list[dict[str, Any]]:
    used = (
        select(post_media.c.sha256, func.count().label("posts"))
        .group_by(post_media.c.sha256)
        .subquery()
    )
    query = (
        select(media, func.coalesce(used.c.posts, 0).label("posts"))
        .outerjoin(used, used.c.sha256 == media.c.sha256)
        .order_by(media.c.first_seen, media.c.sha256)
        .limit(limit)
    )
    return [
        {
            "sha256": r.sha256,
            "mime": r.mime,
            "size": r.size,
            "width": r.width,
            "height": r.height,
            "posts": r.posts,
            "path": r.storage_path,
        }
        for r in conn.execute(query)
    ]


def list_signals(
    conn: Connection,
    *,
    kind: str | None = None,
    subject: str | None = None,
    analyzer: str | None = None,
    subject_type: str | None = None,
    limit: int = 100,
    offset: int = 0,
    in_stored_order: bool = False,
) -> list[dict[str, Any]]:
    """Signals by subject, analyzer and kind; `in_stored_order` (as written, by id) reads a
    page of one kind straight from its index instead of sorting all of that kind."""
    order = (
        (signals.c.id,)
        if in_stored_order
        else (signals.c.subject, signals.c.analyzer, signals.c.kind)
    )
    query = select(signals).order_by(*order).limit(limit).offset(offset)
    if kind:
        query = query.where(signals.c.kind == kind)
    if subject:
        query = query.where(signals.c.subject == subject)
    if analyzer:
        query = query.where(signals.c.analyzer == analyzer)
    if subject_type:
        query = query.where(signals.c.subject_type == subject_type)
    return [signal_dict(r) for r in conn.execute(query)]


def signal_dict(r: Any) -> dict[str, Any]:
    """A `signals` row as listed by `watchfloor signals` and the API."""
    return {
        "subject_type": r.subject_type,
        "subject": r.subject,
        "analyzer": r.analyzer,
        "version": r.version,
        "kind": r.kind,
        "value": r.value,
        "score": r.score,
        "evidence": r.evidence,
    }


def list_quarantine(
    conn: Connection, *, stage: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    query = select(quarantine).order_by(quarantine.c.first_seen, quarantine.c.id).limit(limit)
    if stage:
        query = query.where(quarantine.c.stage == stage)
    return [
        {
            "stage": r.stage,
            "source": r.source,
            "locator": r.locator,
            "code": r.code,
            "reason": r.reason,
            "first_seen": iso_utc(r.first_seen),
            "last_seen": iso_utc(r.last_seen),
        }
        for r in conn.execute(query)
    ]
