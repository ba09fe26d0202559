"""Media for pages and the API: metadata, signals, which items the viewer revealed, and the
overlays drawn over an image (emblem polygons, OCR boxes, the landmark's matched region).

Overlay coordinates are in the original image's pixels (the analyzers scale what they found on
a reduced copy back up), so an SVG with that viewBox lies exactly over the shown image.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from watchfloor.accounts.users import user_by_id
from watchfloor.store.queries import signal_dict
from watchfloor.store.schema import audit_log, channels, media, post_media, posts, signals
from watchfloor.store.times import iso_utc
from watchfloor.web.media_access import REVEAL_ACTION
from watchfloor.web.views.links import post_href

MAX_SHAPES = 50  # per kind and image
MEDIA_KINDS = ("emblem", "ocr_text", "ocr_threat", "place", "landmark", "pdq_match", "md5_match")


def signals_of(conn: Connection, subject_type: str, subjects: list[str]) -> dict[str, list[dict]]:
    """Every signal of these subjects (by the unique (subject_type, subject, ...) index)."""
    out: dict[str, list[dict]] = defaultdict(list)
    if not subjects:
        return out
    query = (
        select(signals)
        .where(signals.c.subject_type == subject_type, signals.c.subject.in_(subjects))
        .order_by(signals.c.subject, signals.c.analyzer, signals.c.kind)
    )
    for r in conn.execute(query):
        out[r.subject].append(signal_dict(r))
    return out


def media_rows(conn: Connection, shas: list[str]) -> dict[str, dict[str, Any]]:
    if not shas:
        return {}
    query = select(media).where(media.c.sha256.in_(shas))
    return {
        r.sha256: {
            "sha256": r.sha256,
            "mime": r.mime,
            "size": r.size,
            "width": r.width,
            "height": r.height,
        }
        for r in conn.execute(query)
    }


def revealed_among(
    conn: Connection, user_id: int, user_name: str, shas: list[str], hours: int
) -> set[str]:
    """The items this user may see unblurred now: all when they chose so, else those they
    revealed within `hours` (the rule of `media_access.may_see_original`, for many at once)."""
    if not shas:
        return set()
    user = user_by_id(conn, user_id)
    if user is not None and user.prefs.get("reveal_media"):
        return set(shas)
    since = datetime.now(UTC) - timedelta(hours=hours)
    query = select(audit_log.c.target_id).where(
        audit_log.c.action == REVEAL_ACTION,
        audit_log.c.actor == user_name,
        audit_log.c.target_id.in_(shas),
        audit_log.c.at >= since,
    )
    return {r.target_id for r in conn.execute(query)}


def _points(polygon: Any) -> str | None:
    if not isinstance(polygon, list) or len(polygon) < 3:
        return None
    try:
        return " ".join(f"{float(x):.1f},{float(y):.1f}" for x, y in polygon)
    except (TypeError, ValueError):
        return None


def _shape(css: str, polygon: Any, title: str) -> dict[str, str] | None:
    points = _points(polygon)
    return None if points is None else {"css": css, "points": points, "title": title}


def overlay_shapes(kinds: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """Polygons to draw: emblem detections, OCR lines, the landmark's matched region."""
    shapes: list[dict[str, str] | None] = []
    emblem = kinds.get("emblem")
    for d in ((emblem or {}).get("value") or {}).get("detections", [])[:MAX_SHAPES]:
        title = f"Emblem {d.get('label')} ({d.get('kind')}): {d.get('inliers')} inliers, score {d.get('score')}"
        shapes.append(_shape("emblem", d.get("polygon"), title))
    ocr = kinds.get("ocr_text")
    for line in ((ocr or {}).get("value") or {}).get("lines", [])[:MAX_SHAPES]:
        title = (
            f"Text read ({line.get('language') or '?'}, {line.get('engine')}): {line.get('text')}"
        )
        shapes.append(_shape("ocr", line.get("box"), title))
    landmark = kinds.get("landmark")
    if landmark:
        v = landmark.get("value") or {}
        title = f"Landmark {v.get('landmark')} ({v.get('city')}, {v.get('country')}): {v.get('inliers')} inliers"
        shapes.append(_shape("landmark", (landmark.get("evidence") or {}).get("polygon"), title))
    return [s for s in shapes if s is not None]


def by_kind(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One signal per kind (signals are unique per subject, analyzer and kind; the media
    analyzers emit distinct kinds except `place`, where ocr_places is the only media one)."""
    return {s["kind"]: s for s in found}


def media_item(meta: dict[str, Any], found: list[dict[str, Any]], revealed: bool) -> dict[str, Any]:
    """What the `media_item` macro draws for one item, and the evidence listed beside it."""
    kinds = by_kind(found)
    image = (meta.get("mime") or "").startswith("image/")
    return {
        **meta,
        "is_image": image,
        "is_video": (meta.get("mime") or "").startswith("video/"),
        "revealed": revealed,
        "overlays": overlay_shapes(kinds) if image and meta.get("width") else [],
        "kinds": kinds,
        "signals": found,
    }


def media_api(conn: Connection, sha256: str, posts_shown: int = 100) -> dict[str, Any]:
    """An item's metadata, signals and the posts carrying it (for /api/v1/media/{sha256})."""
    meta = media_rows(conn, [sha256])[sha256]
    query = (
        select(posts.c.id, posts.c.message_id, posts.c.date, channels.c.key)
        .join(post_media, post_media.c.post_id == posts.c.id)
        .join(channels, channels.c.id == posts.c.channel_id)
        .where(post_media.c.sha256 == sha256)
        .order_by(posts.c.date, posts.c.id)
        .limit(posts_shown)
    )
    carrying = [
        {
            "id": r.id,
            "channel": r.key,
            "message_id": r.message_id,
            "date": iso_utc(r.date),
            "href": post_href(r.id),
        }
        for r in conn.execute(query)
    ]
    return {
        **meta,
        "content": f"/api/v1/media/{sha256}/content",
        "signals": signals_of(conn, "media", [sha256]).get(sha256, []),
        "posts": list({p["id"]: p for p in carrying}.values()),
    }
