"""A post with everything the analyzers found: its text with threat and place evidence marked,
its language and direction, its media with overlays and bank matches, the text read in its
images (with that text's own threat and places) and the repost group of each image.

Bounded: one post, its media (a handful) and their signals by the unique signal index, and at
most `REPOSTS` posts per repost group.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, String, cast, select

from watchfloor.analytics.repost_store import ANALYZER as REPOSTS_ANALYZER
from watchfloor.analytics.repost_store import GROUP_KIND
from watchfloor.store import queries
from watchfloor.store.schema import channels, post_media, posts, signals
from watchfloor.store.times import iso_utc
from watchfloor.web.views.highlight import place_marks, segments, term_marks, threat_marks
from watchfloor.web.views.links import channel_href, post_href, target_href
from watchfloor.web.views.media import (
    media_item,
    media_rows,
    revealed_among,
    signals_of,
)
from watchfloor.web.views.params import Window

REPOSTS = 50
ANY_TIME = Window()
RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he"})


def post_subject(post: dict[str, Any]) -> str:
    """The subject of a post's signals: channel key / message id."""
    return f"{post['channel']}/{post['message_id']}"


def text_direction(language: str | None) -> str:
    return "rtl" if language in RTL_LANGUAGES else "auto"


def _language(kinds: dict[str, dict]) -> dict[str, Any] | None:
    value = (kinds.get("language") or {}).get("value")
    return value if isinstance(value, dict) else None


def places_of(kinds: dict[str, dict]) -> list[dict[str, Any]]:
    """The places a `place` signal names, each with a link to its target page."""
    value = (kinds.get("place") or {}).get("value")
    return [
        {**p, "href": target_href(p["key"])}
        for p in (value if isinstance(value, list) else [])
        if isinstance(p, dict) and isinstance(p.get("key"), str)
    ]


def text_view(text: str, kinds: dict[str, dict], threat: str, query: str | None = None) -> dict:
    """Text runs with the threat phrases, place names (and search terms) marked."""
    threat_signal = kinds.get(threat) or {}
    place_signal = kinds.get("place") or {}
    marks = threat_marks(threat_signal.get("evidence"))
    marks += place_marks(place_signal.get("value"), text)
    if query:
        marks += term_marks(text, query)
    return {"segments": segments(text, marks), "threat": threat_signal.get("value")}


def _ocr_view(item: dict[str, Any]) -> dict[str, Any] | None:
    """The text read in an image, as a text of its own (language, threat and places)."""
    ocr = item["kinds"].get("ocr_text")
    value = (ocr or {}).get("value") or {}
    text = value.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    language = value.get("language") if isinstance(value.get("language"), str) else None
    return {
        "language": language,
        "dir": text_direction(language),
        **text_view(text, item["kinds"], "ocr_threat"),
        "places": places_of(item["kinds"]),
    }


def _bank_matches(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "value": s["value"], "score": s["score"], "evidence": s["evidence"]}
        for kind in ("pdq_match", "md5_match")
        if (s := item["kinds"].get(kind))
    ]


def repost_group(conn: Connection, group: str, exclude_post: int) -> dict[str, Any]:
    """The posts carrying any image of a repost group (group id = its smallest sha256)."""
    members_query = select(signals.c.subject).where(
        signals.c.kind == GROUP_KIND,
        signals.c.analyzer == REPOSTS_ANALYZER,
        cast(signals.c.value, String).like(f"%{group}%"),
    )
    shas = [r.subject for r in conn.execute(members_query)]
    query = (
        select(
            posts.c.id,
            posts.c.message_id,
            posts.c.date,
            post_media.c.sha256,
            channels.c.id.label("channel_id"),
            channels.c.key.label("channel"),
            channels.c.title,
        )
        .join(posts, posts.c.id == post_media.c.post_id)
        .join(channels, channels.c.id == posts.c.channel_id)
        .where(post_media.c.sha256.in_(shas or [group]))
        .order_by(posts.c.date, posts.c.id)
        .limit(REPOSTS + 1)
    )
    rows = conn.execute(query).all()
    return {
        "group": group,
        "media": len(shas),
        "more": len(rows) > REPOSTS,
        "posts": [
            {
                "id": r.id,
                "href": post_href(r.id),
                "channel": r.channel,
                "title": r.title,
                "channel_href": channel_href(r.channel_id),
                "message_id": r.message_id,
                "date": iso_utc(r.date),
                "sha256": r.sha256,
                "this_post": r.id == exclude_post,
            }
            for r in rows[:REPOSTS]
        ],
    }


def _media(conn: Connection, post: dict, viewer: tuple[int, str, int] | None) -> list[dict]:
    shas = list(dict.fromkeys(m["sha256"] for m in post["media"] if m["sha256"]))
    metas = media_rows(conn, shas)
    found = signals_of(conn, "media", shas)
    shown = revealed_among(conn, *viewer[:2], shas, viewer[2]) if viewer else set()
    out = []
    for ref in post["media"]:
        sha = ref["sha256"]
        if not sha or sha not in metas:
            out.append({"ref": ref, "item": None})
            continue
        item = media_item(metas[sha], found.get(sha, []), sha in shown)
        group = (item["kinds"].get(GROUP_KIND) or {}).get("value") or {}
        out.append(
            {
                "ref": ref,
                "item": item,
                "ocr": _ocr_view(item),
                "matches": _bank_matches(item),
                "reposts": repost_group(conn, group["group"], post["id"])
                if isinstance(group.get("group"), str)
                else None,
            }
        )
    return out


def post_detail(
    conn: Connection, post_id: int, viewer: tuple[int, str, int] | None = None
) -> dict[str, Any] | None:
    """The post page's data; `viewer` = (user id, name, reveal hours) decides what is revealed."""
    post = queries.get_post(conn, post_id)
    if post is None:
        return None
    channel = conn.execute(
        select(channels.c.id, channels.c.key, channels.c.title, channels.c.attribution).where(
            channels.c.id == post["channel_id"]
        )
    ).one()
    found = signals_of(conn, "post", [post_subject(post)]).get(post_subject(post), [])
    kinds = {s["kind"]: s for s in found}
    language = _language(kinds)
    code = language.get("language") if language else None
    return {
        "post": post,
        "channel": {**channel._asdict(), "href": channel_href(channel.id)},
        "language": language,
        "lang": code if code and code != "other" else None,
        "dir": text_direction(code),
        "text": text_view(post["text"], kinds, "threat"),
        "places": places_of(kinds),
        "signals": found,
        "media": _media(conn, post, viewer),
    }


def post_api(conn: Connection, post_id: int) -> dict[str, Any] | None:
    """A post with its signals and the signals of its media, for /api/v1/posts/{id}."""
    post = queries.get_post(conn, post_id)
    if post is None:
        return None
    subject = post_subject(post)
    shas = [m["sha256"] for m in post["media"] if m["sha256"]]
    media_signals = signals_of(conn, "media", shas)
    return {
        **post,
        "signals": signals_of(conn, "post", [subject]).get(subject, []),
        "media_signals": {sha: media_signals.get(sha, []) for sha in shas},
    }


def language_code(found: list[dict[str, Any]]) -> str | None:
    """The language a post's `language` signal names (None for other or none)."""
    for s in found:
        if s["kind"] == "language" and isinstance(s["value"], dict):
            code = s["value"].get("language")
            return code if code and code != "other" else None
    return None


def with_direction(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Posts with `lang` and `dir` from their language signals, their channel's title (a query
    each for the page) and links to the post and its channel."""
    found = signals_of(conn, "post", [post_subject(p) for p in rows])
    ids = sorted({p["channel_id"] for p in rows})
    titles = dict(
        conn.execute(select(channels.c.id, channels.c.title).where(channels.c.id.in_(ids))).all()
    )
    out = []
    for p in rows:
        lang = language_code(found.get(post_subject(p), []))
        out.append(
            {
                **p,
                "href": post_href(p["id"]),
                "channel_title": titles.get(p["channel_id"]),
                "channel_href": channel_href(p["channel_id"]),
                "lang": lang,
                "dir": text_direction(lang),
            }
        )
    return out


def list_posts(
    conn: Connection,
    *,
    channel: str | None = None,
    channel_id: int | None = None,
    window: Window = ANY_TIME,
    query: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """A page of posts, newest first (the library call behind `watchfloor posts`)."""
    return queries.list_posts(
        conn,
        channel=channel,
        channel_id=channel_id,
        since=window.since,
        until=window.until,
        search=query or None,
        limit=limit,
        offset=offset,
    )


__all__ = ["list_posts", "post_api", "post_detail", "repost_group", "text_view"]
