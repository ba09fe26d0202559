"""Rule types over content signals: a bank match, an emblem at a landmark, a threat naming a
place in a given country."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

from watchfloor.alerts.findings import Finding, Param, RuleType, plain
from watchfloor.analytics.target_queries import _country_values
from watchfloor.geo.gazetteer import default_gazetteer
from watchfloor.store.schema import channels, post_media, posts, signals, target_evidence, targets
from watchfloor.store.times import iso_utc

CHUNK = 500
PREVIEW = 280


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _post_dict(row: Any) -> dict[str, Any]:
    return {
        "post": f"{row.channel}/{row.message_id}",
        "channel": row.channel,
        "title": row.title,
        "message_id": row.message_id,
        "date": iso_utc(row.date),
    }


def _post_query():
    return select(
        posts.c.id,
        channels.c.key.label("channel"),
        channels.c.title,
        posts.c.message_id,
        posts.c.date,
        posts.c.text,
    ).join(channels, channels.c.id == posts.c.channel_id)


def posts_of_media(conn: Connection, shas: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The posts each media item appears in, oldest first."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(set(shas)):
        query = (
            _post_query()
            .add_columns(post_media.c.sha256)
            .join(post_media, post_media.c.post_id == posts.c.id)
            .where(post_media.c.sha256.in_(chunk))
            .order_by(posts.c.date, posts.c.id)
        )
        for row in conn.execute(query):
            out[row.sha256].append(_post_dict(row))
    return out


def _media_signals(conn: Connection, kinds: tuple[str, ...]) -> Iterable[Any]:
    query = select(signals.c.subject, signals.c.kind, signals.c.value, signals.c.score).where(
        signals.c.subject_type == "media", signals.c.kind.in_(kinds)
    )
    return conn.execute(query.order_by(signals.c.subject, signals.c.kind))


def bank_matches(conn: Connection, params: dict[str, Any]) -> list[Finding]:
    wanted = set(params["banks"] or [])
    hits: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sha, kind, value, score in _media_signals(conn, ("pdq_match", "md5_match")):
        banks = set(value.get("banks") or [value.get("bank")])
        if wanted and not wanted & banks:
            continue
        hits[sha].append({"kind": kind, "score": score, **value})
    where = posts_of_media(conn, hits)
    found = []
    for sha, matches in sorted(hits.items()):
        label = matches[0].get("label") or "an entry"
        found.append(
            Finding(
                f"media:{sha}",
                f"media {sha[:12]} matches {label} in bank {matches[0].get('bank')} "
                f"({len(where.get(sha, []))} posts)",
                plain({"sha256": sha, "matches": matches, "posts": where.get(sha, [])}),
            )
        )
    return found


def _emblems(value: dict[str, Any], labels: set[str]) -> list[dict[str, Any]]:
    found = [d for d in value.get("detections") or [] if isinstance(d, dict)]
    return [d for d in found if not labels or d.get("label") in labels]


def emblems_at_landmarks(conn: Connection, params: dict[str, Any]) -> list[Finding]:
    labels, landmarks = set(params["emblems"] or []), set(params["landmarks"] or [])
    emblem_of: dict[str, list[dict[str, Any]]] = {}
    landmark_of: dict[str, dict[str, Any]] = {}
    for sha, kind, value, _score in _media_signals(conn, ("emblem", "landmark")):
        if kind == "emblem" and (hits := _emblems(value, labels)):
            emblem_of[sha] = hits
        elif kind == "landmark" and (not landmarks or value.get("landmark") in landmarks):
            landmark_of[sha] = value
    both = sorted(set(emblem_of) & set(landmark_of))
    where = posts_of_media(conn, both)
    found = []
    for sha in both:
        place = landmark_of[sha]
        names = sorted({d.get("label", "?") for d in emblem_of[sha]})
        keep = ("landmark", "city", "country", "lat", "lon", "score")
        found.append(
            Finding(
                f"media:{sha}",
                f"{', '.join(names)} shown at {place.get('landmark')} "
                f"({place.get('city')}, {place.get('country')}) in {len(where.get(sha, []))} posts",
                plain(
                    {
                        "sha256": sha,
                        "emblems": emblem_of[sha],
                        "landmark": {k: place.get(k) for k in keep},
                        "posts": where.get(sha, []),
                    }
                ),
            )
        )
    return found


def _places_in(conn: Connection, country: str) -> dict[int, list[dict[str, Any]]]:
    """Posts with target evidence in the country, with the places and how they were found."""
    values = _country_values(country, default_gazetteer())
    query = (
        select(
            target_evidence.c.post_id,
            target_evidence.c.kind,
            targets.c.key,
            targets.c.name,
            targets.c.kind.label("place_kind"),
            targets.c.city,
            targets.c.country,
        )
        .join(targets, targets.c.key == target_evidence.c.target_key)
        .where(func.upper(targets.c.country).in_(values))
        .order_by(target_evidence.c.post_id, targets.c.key, target_evidence.c.kind)
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in conn.execute(query):
        place = {
            "key": row.key,
            "name": row.name,
            "kind": row.place_kind,
            "city": row.city,
            "country": row.country,
            "evidence": row.kind,
        }
        if place not in out[row.post_id]:
            out[row.post_id].append(place)
    return out


def _threats(conn: Connection, post_rows: dict[str, Any], params: dict[str, Any]) -> dict:
    """The best threat score per post: its own text (threat) or text in its images
    (ocr_threat), when labelled as wanted and scored high enough."""
    media: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks({r.id for r in post_rows.values()}):
        query = select(post_media.c.post_id, post_media.c.sha256).where(
            post_media.c.post_id.in_(chunk), post_media.c.sha256.is_not(None)
        )
        ids = {r.id: key for key, r in post_rows.items()}
        for post_id, sha in conn.execute(query):
            media[sha].append(ids[post_id])
    best: dict[str, dict[str, Any]] = {}
    for kind, subjects in (("threat", list(post_rows)), ("ocr_threat", list(media))):
        for chunk in _chunks(subjects):
            query = select(signals.c.subject, signals.c.value, signals.c.score).where(
                signals.c.kind == kind, signals.c.subject.in_(chunk)
            )
            for subject, value, score in conn.execute(query):
                if value.get("label") not in params["labels"] or (score or 0) < params["min_score"]:
                    continue
                for key in media.get(subject, []) if kind == "ocr_threat" else [subject]:
                    if key not in best or score > best[key]["score"]:
                        best[key] = {"kind": kind, "score": score, **value}
    return best


def threats_in_country(conn: Connection, params: dict[str, Any]) -> list[Finding]:
    places = _places_in(conn, params["country"])
    post_rows: dict[str, Any] = {}
    for chunk in _chunks(places):
        for row in conn.execute(_post_query().where(posts.c.id.in_(chunk))):
            post_rows[f"{row.channel}/{row.message_id}"] = row
    found = []
    for key, threat in sorted(_threats(conn, post_rows, params).items()):
        row = post_rows[key]
        named = places[row.id]
        found.append(
            Finding(
                f"post:{key}",
                f"{threat['label']} ({threat['score']:.2f}) in {row.title or row.channel} naming "
                f"{', '.join(p['name'] for p in named)}",
                plain(
                    {
                        **_post_dict(row),
                        "text": row.text[:PREVIEW],
                        "threat": threat,
                        "places": named,
                    }
                ),
            )
        )
    return found


NAMES = "names"
TYPES = (
    RuleType(
        "bank_match",
        "A media item matches a hash bank (PDQ or MD5).",
        {"banks": Param(NAMES, [], help="Only these banks (default: any).")},
        bank_matches,
    ),
    RuleType(
        "emblem_at_landmark",
        "An image shows a registered emblem and is recognised as a gallery landmark.",
        {
            "emblems": Param(NAMES, [], help="Only these emblem labels (default: any)."),
            "landmarks": Param(NAMES, [], help="Only these landmarks (default: any)."),
        },
        emblems_at_landmarks,
    ),
    RuleType(
        "threat_in_country",
        "A post scored as a threat (its text or text in its images) names or shows a place "
        "in the country.",
        {
            "country": Param("text", required=True, help="ISO code or name, e.g. FR or France."),
            "labels": Param(NAMES, ["threat"], help="Threat labels that count."),
            "min_score": Param("float", 0.5, help="Lowest threat score that counts."),
        },
        threats_in_country,
    ),
)
