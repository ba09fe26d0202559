"""What campaign grouping reads from the store: each post with the reason keys it carries.

- ``repost:<group>``: a media item of the post, by its repost group (signal ``repost_group``
  of the reposts step) or, when it is in none, by its own SHA-256 (the very same file);
- ``emblem_target:<emblem label>|<target key>``: an emblem found in the post's media (signal
  ``emblem``) and a target the post shows or names (``target_evidence``);
- ``hashtag:<folded tag>``;
- ``text:<hash>``: the post's core text (``text.normalise.core_text``: no links, mentions,
  trailing hashtags or emoji), folded, punctuation dropped, when at least ``MIN_TEXT_WORDS``
  words long: near-identical reposts of a text (other tags, links, case, diacritics) share it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, select

from watchfloor.analytics.campaign_grouping import PostKeys
from watchfloor.store.schema import channels, post_media, posts, signals, target_evidence, targets
from watchfloor.store.times import as_utc
from watchfloor.text.normalise import core_text, fold

MIN_TEXT_WORDS = 6
CHUNK = 500
_WORDS = re.compile(r"\w+")


@dataclass
class PostInfo:
    id: int
    key: str
    channel: str
    date: datetime
    media: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


@dataclass
class CorpusKeys:
    posts: list[PostKeys]
    info: dict[str, PostInfo]  # by post key
    channel_titles: dict[str, str | None]
    target_names: dict[str, str]
    media_groups: dict[str, str]  # sha256 -> repost group
    emblems: dict[str, list[str]]  # sha256 -> emblem labels


@lru_cache(maxsize=1 << 16)  # reposts and forwards repeat texts word for word
def text_key(text: str) -> str | None:
    words = _WORDS.findall(fold(core_text(text)))
    if len(words) < MIN_TEXT_WORDS:
        return None
    return "text:" + hashlib.sha256(" ".join(words).encode()).hexdigest()[:20]


def hashtag_keys(entities: dict | None) -> list[str]:
    return [f"hashtag:{fold(tag)}" for tag in (entities or {}).get("hashtags", [])]


def _chunks(values: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _read_posts(
    conn: Connection, since: datetime | None, until: datetime | None
) -> tuple[list[tuple[PostInfo, str, dict]], dict[str, str | None]]:
    query = (
        select(
            posts.c.id,
            channels.c.key,
            channels.c.title,
            posts.c.message_id,
            posts.c.date,
            posts.c.text,
            posts.c.entities,
        )
        .join(channels, channels.c.id == posts.c.channel_id)
        .where(posts.c.kind == "message")
    )
    if since is not None:
        query = query.where(posts.c.date >= since)
    if until is not None:
        query = query.where(posts.c.date < until)
    rows, titles = [], {}
    for r in conn.execute(query):
        titles[r.key] = r.title
        info = PostInfo(r.id, f"{r.key}/{r.message_id}", r.key, as_utc(r.date))
        rows.append((info, r.text, r.entities))
    return rows, titles


def _attach_media(conn: Connection, by_id: dict[int, PostInfo]) -> None:
    for batch in _chunks(by_id):
        query = select(post_media.c.post_id, post_media.c.sha256).where(
            post_media.c.post_id.in_(batch), post_media.c.sha256.is_not(None)
        )
        for post_id, sha in conn.execute(query):
            if sha not in by_id[post_id].media:
                by_id[post_id].media.append(sha)


def _attach_targets(conn: Connection, by_id: dict[int, PostInfo]) -> dict[str, str]:
    names: dict[str, str] = {}
    for batch in _chunks(by_id):
        query = (
            select(target_evidence.c.post_id, targets.c.key, targets.c.name)
            .join(targets, targets.c.key == target_evidence.c.target_key)
            .where(target_evidence.c.post_id.in_(batch))
        )
        for post_id, key, name in conn.execute(query):
            names[key] = name
            if key not in by_id[post_id].targets:
                by_id[post_id].targets.append(key)
    return names


def _media_signals(conn: Connection) -> tuple[dict[str, str], dict[str, list[str]]]:
    groups: dict[str, str] = {}
    emblems: dict[str, list[str]] = defaultdict(list)
    query = select(signals.c.subject, signals.c.kind, signals.c.value).where(
        signals.c.subject_type == "media", signals.c.kind.in_(("repost_group", "emblem"))
    )
    for sha, kind, value in conn.execute(query):
        if kind == "repost_group":
            groups[sha] = str((value or {}).get("group"))
        else:
            labels = {d.get("label") for d in (value or {}).get("detections", [])}
            emblems[sha].extend(sorted(label for label in labels if label))
    return groups, dict(emblems)


def _reasons(info: PostInfo, text: str, entities: dict, corpus: CorpusKeys) -> tuple[str, ...]:
    reasons = [f"repost:{corpus.media_groups.get(sha, sha)}" for sha in info.media]
    labels = {label for sha in info.media for label in corpus.emblems.get(sha, [])}
    reasons += [f"emblem_target:{lb}|{t}" for lb in sorted(labels) for t in info.targets]
    reasons += hashtag_keys(entities)
    key = text_key(text)
    if key:
        reasons.append(key)
    return tuple(dict.fromkeys(reasons))


def read_corpus_keys(
    conn: Connection, since: datetime | None = None, until: datetime | None = None
) -> CorpusKeys:
    rows, titles = _read_posts(conn, since, until)
    by_id = {info.id: info for info, _, _ in rows}
    _attach_media(conn, by_id)
    target_names = _attach_targets(conn, by_id)
    groups, emblems = _media_signals(conn)
    corpus = CorpusKeys([], {}, titles, target_names, groups, emblems)
    for info, text, entities in rows:
        corpus.info[info.key] = info
        reasons = _reasons(info, text, entities, corpus)
        if reasons:
            corpus.posts.append(PostKeys(info.key, info.channel, info.date.timestamp(), reasons))
    return corpus
