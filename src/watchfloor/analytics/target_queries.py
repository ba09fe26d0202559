"""Reading the targets read model: the library behind ``watchfloor targets`` (and the web map).

``since``/``until`` select evidence by the date of its post (``until`` exclusive): a target
is listed when it was seen in the window, with first/last seen, posts and evidence kinds counted
within it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from watchfloor.geo.gazetteer import Gazetteer, default_gazetteer
from watchfloor.store.schema import channels, posts, target_evidence, targets
from watchfloor.store.times import iso_utc

TEXT_PREVIEW = 280


def _window(query, since: datetime | None, until: datetime | None):
    if since is not None:
        query = query.where(target_evidence.c.seen_at >= since)
    if until is not None:
        query = query.where(target_evidence.c.seen_at < until)
    return query


def _country_values(country: str, gazetteer: Gazetteer) -> list[str]:
    """'fr', 'France', 'Frankrijk' and 'فرنسا' all select targets in FR."""
    code = gazetteer.country_code(country)
    return sorted({v.upper() for v in (country.strip(), code) if v})


def _with_counts(since: datetime | None, until: datetime | None):
    """Targets joined to their evidence counts within the window (aggregated apart: the JSON
    column cannot be grouped by on PostgreSQL)."""
    te = target_evidence
    agg = _window(
        select(
            te.c.target_key,
            func.min(te.c.seen_at).label("first_seen"),
            func.max(te.c.seen_at).label("last_seen"),
            func.count(te.c.post_id.distinct()).label("posts"),
            func.count().label("evidence"),
        ).group_by(te.c.target_key),
        since,
        until,
    ).subquery()
    t = targets.c
    described = (t.key, t.kind, t.name, t.city, t.country, t.lat, t.lon)
    query = select(*described, agg.c.first_seen, agg.c.last_seen, agg.c.posts, agg.c.evidence)
    return query.join(agg, agg.c.target_key == targets.c.key)


def list_targets(
    conn: Connection,
    since: datetime | None = None,
    until: datetime | None = None,
    country: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[dict[str, Any]]:
    """Targets seen in the window, the most posted first."""
    query = _with_counts(since, until)
    if country:
        values = _country_values(country, gazetteer or default_gazetteer())
        query = query.where(func.upper(targets.c.country).in_(values))
    if kind:
        query = query.where(targets.c.kind == kind)
    counted = query.selected_columns
    query = query.order_by(counted.posts.desc(), counted.last_seen.desc(), targets.c.key)
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    kinds = _evidence_kinds(conn, [r.key for r in rows], since, until)
    return [_target_dict(r, kinds.get(r.key, [])) for r in rows]


def _evidence_kinds(
    conn: Connection, keys: list[str], since: datetime | None, until: datetime | None
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for start in range(0, len(keys), 500):
        te = target_evidence
        query = _window(
            select(te.c.target_key, te.c.kind)
            .where(te.c.target_key.in_(keys[start : start + 500]))
            .distinct(),
            since,
            until,
        )
        for key, kind in conn.execute(query):
            out.setdefault(key, []).append(kind)
    return {key: sorted(found) for key, found in out.items()}


def _target_dict(r, kinds: list[str]) -> dict[str, Any]:
    return {
        "key": r.key,
        "kind": r.kind,
        "name": r.name,
        "city": r.city,
        "country": r.country,
        "lat": r.lat,
        "lon": r.lon,
        "first_seen": iso_utc(r.first_seen),
        "last_seen": iso_utc(r.last_seen),
        "posts": r.posts,
        "evidence": r.evidence,
        "evidence_kinds": kinds,
    }


def get_target(conn: Connection, key: str) -> dict[str, Any] | None:
    """One target with its counts over all its evidence, or None."""
    row = conn.execute(_with_counts(None, None).where(targets.c.key == key)).first()
    if row is None:
        return None
    return _target_dict(row, _evidence_kinds(conn, [key], None, None).get(key, []))


def _page_of_posts(key: str, limit: int, offset: int):
    """Ids of one page of the target's posts, oldest first."""
    te = target_evidence
    return (
        select(posts.c.id)
        .where(posts.c.id.in_(select(te.c.post_id).where(te.c.target_key == key)))
        .order_by(posts.c.date, posts.c.id)
        .limit(limit)
        .offset(offset)
    )


def target_posts(
    conn: Connection, key: str, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """The posts that show or name a target, oldest first, each with its evidence
    (`limit`/`offset` page over posts, not over evidence rows)."""
    te = target_evidence
    query = (
        select(
            te,
            posts.c.message_id,
            posts.c.date,
            posts.c.text,
            channels.c.key.label("channel"),
            channels.c.id.label("channel_id"),
            channels.c.title,
        )
        .join(posts, posts.c.id == te.c.post_id)
        .join(channels, channels.c.id == posts.c.channel_id)
        .where(te.c.target_key == key)
        .order_by(posts.c.date, posts.c.id, te.c.kind, te.c.subject)
    )
    if limit is not None:
        page = [r.id for r in conn.execute(_page_of_posts(key, limit, offset))]
        query = query.where(te.c.post_id.in_(page))
    out: dict[int, dict[str, Any]] = {}
    for r in conn.execute(query):
        post = out.setdefault(r.post_id, _post_dict(r))
        post["evidence"].append(
            {
                "kind": r.kind,
                "subject_type": r.subject_type,
                "subject": r.subject,
                "score": r.score,
                "detail": r.detail,
            }
        )
    return list(out.values())


def _post_dict(r) -> dict[str, Any]:
    text = r.text or ""
    return {
        "post_id": r.post_id,
        "channel": r.channel,
        "channel_id": r.channel_id,
        "title": r.title,
        "message_id": r.message_id,
        "date": iso_utc(r.date),
        "text": text[:TEXT_PREVIEW] + ("…" if len(text) > TEXT_PREVIEW else ""),
        "evidence": [],
    }


def targets_geojson(conn: Connection, **filters: Any) -> dict[str, Any]:
    """The targets ``list_targets`` gives, as a GeoJSON FeatureCollection of points
    (targets without coordinates, such as countries, are left out)."""
    return as_geojson(list_targets(conn, **filters))


def as_geojson(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """`list_targets` rows as a FeatureCollection of points; rows without coordinates are
    left out."""
    features = [
        {
            "type": "Feature",
            "id": t["key"],
            "geometry": {"type": "Point", "coordinates": [t["lon"], t["lat"]]},
            "properties": {k: v for k, v in t.items() if k not in ("lat", "lon")},
        }
        for t in rows
        if t["lat"] is not None and t["lon"] is not None
    ]
    return {"type": "FeatureCollection", "features": features}
