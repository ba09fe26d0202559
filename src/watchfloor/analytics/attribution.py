"""Attribution of channels and posts to outlets: official outlet, supporter, news or unknown.

A corpus step (``watchfloor analyze``, step ``attribution``, after the analyzers): it reads the
outlet registry (``text/outlets.py``), the channels, their posts (text, ``forwarded_from``),
the media of the posts and the ``emblem`` signals on that media, and writes

- each channel's ``attribution`` and ``attribution_reasons``: a channel whose title or handle is
  a registered outlet's name, alias or handle takes the outlet's kind (official, news,
  supporter); a channel of which at least 15 % of the posts, and three or more, carry an
  official outlet's material (forwarded from it, its signature line, its watermark, or a picture
  its own channel posted) is a supporter; any other channel is unknown;
- one ``attribution`` signal per attributed post (subject ``post``, analyzer ``attribution``):
  ``{"attribution", "outlet", "reasons"}``. A post in an official or news channel is what its
  channel is; a post elsewhere that carries an official outlet's material is a supporter's relay;
  a post in a supporter channel is a supporter's. Unattributed posts get no signal.

Every reason names the outlet and what matched, so an analyst can check it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from watchfloor.analytics import step_state
from watchfloor.geo.names import fold_name
from watchfloor.store import Store
from watchfloor.store.dialect import insert_many
from watchfloor.store.schema import channels, outlets, post_media, posts, signals
from watchfloor.text.outlets import Outlet, list_outlets

VERSION = "1"
ANALYZER = "attribution"
# A channel of which this share of the posts, and at least MIN_POSTS, carry an official outlet's
# material is a supporter (supporters also post their own: the demo's forward 20-40 %)
MIN_SHARE = 0.15
MIN_POSTS = 3


@dataclass
class AttributionReport:
    outlets: int = 0
    channels: dict[str, int] = field(default_factory=dict)  # channels per attribution
    posts: dict[str, int] = field(default_factory=dict)  # attributed posts per attribution
    unchanged: bool = False  # nothing attribution reads changed: not redone
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        chans = ", ".join(f"{k} {n}" for k, n in sorted(self.channels.items())) or "none"
        posts_done = sum(self.posts.values())
        return f"channels: {chans}; {posts_done} posts attributed" + (
            "; unchanged" if self.unchanged else ""
        )


class OutletMatcher:
    """Finds registered outlets by name, alias, handle, signature and watermark label."""

    def __init__(self, registry: list[Outlet]) -> None:
        self.by_name: dict[str, Outlet] = {}
        self.by_handle: dict[str, Outlet] = {}
        self.by_label: dict[str, Outlet] = {}
        self.signatures: list[tuple[str, Outlet]] = []
        for outlet in registry:
            for name in outlet.names:
                self.by_name.setdefault(fold_name(name), outlet)
            for handle in outlet.handles:
                self.by_handle.setdefault(handle.lstrip("@").casefold(), outlet)
            for label in outlet.watermark_labels:
                self.by_label.setdefault(fold_name(label), outlet)
            self.signatures += [(fold_name(s), outlet) for s in outlet.signatures if fold_name(s)]

    def named(self, text: str | None) -> Outlet | None:
        """The outlet a name, alias or handle (with or without @) stands for."""
        if not text or not text.strip():
            return None
        value = text.strip()
        return self.by_handle.get(value.lstrip("@").casefold()) or self.by_name.get(
            fold_name(value)
        )

    def signed(self, text: str) -> Outlet | None:
        """An outlet whose signature opens or closes the text, or a first line "Name: ..."."""
        lines = [line for line in text.strip().splitlines() if line.strip()]
        if not lines:
            return None
        head, colon, _rest = lines[0].partition(":")
        outlet = self.by_name.get(fold_name(head)) if colon else None
        if outlet is not None:
            return outlet
        ends = (fold_name(lines[0]), fold_name(lines[-1]))
        for signature, outlet in self.signatures:
            if any(end.startswith(signature) for end in ends):
                return outlet
        return None

    def watermark(self, label: Any) -> Outlet | None:
        return self.by_label.get(fold_name(label)) if isinstance(label, str) else None


def run_attribution(store: Store, *, force: bool = False) -> AttributionReport:
    """Attribute every channel and post, in one transaction, unless nothing it reads changed
    since the last run (``force``: attribute anyway)."""
    return step_state.run_unless_unchanged(
        store, ANALYZER, VERSION, _input_key, attribute_in, AttributionReport, force=force
    )


def _input_key(conn: Connection) -> str:
    """Changes when a post, a post's media, a channel, an outlet or an emblem signal is added,
    replaced or removed (ids only grow), or a post or an outlet is updated."""
    return step_state.fingerprint(
        conn,
        version=VERSION,
        tables=[
            (posts, None),
            (post_media, None),
            (channels, None),
            (outlets, None),
            (signals, signals.c.kind == "emblem"),
        ],
        updated=[posts.c.updated_at, outlets.c.added_at],
    )


def attribute_in(conn: Connection) -> AttributionReport:
    registry = list_outlets(conn)
    matcher = OutletMatcher(registry)
    chans = {r.id: r for r in conn.execute(select(channels))}
    registered = {cid: _channel_outlet(matcher, c) for cid, c in chans.items()}
    official_media = _official_media(conn, registered)
    marks = _watermarks(conn, matcher)
    media = _media_of_posts(conn)
    per_post: dict[int, tuple[int, str, list[dict]]] = {}
    columns = (
        posts.c.id,
        posts.c.channel_id,
        posts.c.message_id,
        posts.c.text,
        posts.c.forwarded_from,
    )
    for post in conn.execute(select(*columns)):
        reasons = _post_reasons(matcher, post, media.get(post.id, ()), official_media, marks)
        subject = f"{chans[post.channel_id].key}/{post.message_id}"
        per_post[post.id] = (post.channel_id, subject, reasons)
    by_channel = _channel_attribution(chans, registered, per_post)
    _write_channels(conn, by_channel)
    rows = _post_signals(per_post, by_channel)
    conn.execute(delete(signals).where(signals.c.analyzer == ANALYZER))
    insert_many(conn, signals, rows)
    return AttributionReport(
        outlets=len(registry),
        channels=dict(Counter(a for a, _ in by_channel.values())),
        posts=dict(Counter(r["value"]["attribution"] for r in rows)),
    )


def _channel_outlet(matcher: OutletMatcher, channel: Any) -> tuple[Outlet, str] | None:
    named = (("handle", channel.handle), ("title", channel.title), ("id", channel.platform_id))
    for what, value in named:
        outlet = matcher.named(value)
        if outlet is not None:
            return outlet, what
    return None


def _official_media(conn: Connection, registered: dict) -> dict[str, str]:
    """sha256 -> outlet, for the pictures that official outlets' own channels posted."""
    official = {
        cid: found[0].name
        for cid, found in registered.items()
        if found is not None and found[0].kind == "official"
    }
    if not official:
        return {}
    query = (
        select(posts.c.channel_id, post_media.c.sha256)
        .join(posts, posts.c.id == post_media.c.post_id)
        .where(posts.c.channel_id.in_(list(official)), post_media.c.sha256.is_not(None))
    )
    return {sha: official[cid] for cid, sha in conn.execute(query)}


def _media_of_posts(conn: Connection) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    query = select(post_media.c.post_id, post_media.c.sha256).where(
        post_media.c.sha256.is_not(None)
    )
    for post_id, sha in conn.execute(query):
        out[post_id].append(sha)
    return out


def _watermarks(conn: Connection, matcher: OutletMatcher) -> dict[str, list[tuple[Outlet, str]]]:
    """sha256 -> [(outlet, label)] from the emblem analyzer's detections."""
    out: dict[str, list[tuple[Outlet, str]]] = defaultdict(list)
    query = select(signals.c.subject, signals.c.value).where(
        signals.c.kind == "emblem", signals.c.subject_type == "media"
    )
    for sha, value in conn.execute(query):
        detections = value.get("detections") if isinstance(value, dict) else None
        for det in detections if isinstance(detections, list) else ():
            label = det.get("label") if isinstance(det, dict) else None
            outlet = matcher.watermark(label)
            if outlet is not None:
                out[sha].append((outlet, label))
    return out


def _post_reasons(matcher, post, shas, official_media, marks) -> list[dict[str, Any]]:
    reasons: list[dict[str, Any]] = []
    outlet = matcher.named(post.forwarded_from)
    if outlet is not None:
        reasons.append(_reason("forwarded_from", outlet, post.forwarded_from))
    outlet = matcher.signed(post.text or "")
    if outlet is not None:
        reasons.append(_reason("signature", outlet, (post.text or "").strip().splitlines()[0]))
    for sha in shas:
        for outlet, label in marks.get(sha, ()):
            reasons.append(_reason("watermark", outlet, label) | {"media": sha})
        if sha in official_media:
            reasons.append(
                {
                    "reason": "repost",
                    "outlet": official_media[sha],
                    "kind": "official",
                    "media": sha,
                }
            )
    return reasons


def _reason(reason: str, outlet: Outlet, matched: str | None) -> dict[str, Any]:
    return {"reason": reason, "outlet": outlet.name, "kind": outlet.kind, "matched": matched}


def _channel_attribution(chans, registered, per_post) -> dict[int, tuple[str, list[dict]]]:
    carrying: Counter = Counter()
    totals: Counter = Counter()
    evidence: dict[int, Counter] = defaultdict(Counter)
    for channel_id, _subject, reasons in per_post.values():
        totals[channel_id] += 1
        official = [r for r in reasons if r["kind"] == "official"]
        if official:
            carrying[channel_id] += 1
        for r in official:
            evidence[channel_id][(r["reason"], r["outlet"])] += 1
    out: dict[int, tuple[str, list[dict]]] = {}
    for cid in chans:
        if registered[cid] is not None:
            outlet, what = registered[cid]
            reason = {"reason": "registered", "outlet": outlet.name, "matched": what}
            out[cid] = (outlet.kind, [reason])
            continue
        share = carrying[cid] / totals[cid] if totals[cid] else 0.0
        reasons = [
            {"reason": reason, "outlet": name, "posts": n}
            for (reason, name), n in sorted(evidence[cid].items())
        ]
        if carrying[cid] >= MIN_POSTS and share >= MIN_SHARE:
            counts = {"posts": carrying[cid], "of": totals[cid], "share": round(share, 3)}
            reasons.append({"reason": "share", **counts})
            out[cid] = ("supporter", reasons)
        else:
            out[cid] = ("unknown", reasons)
    return out


def _write_channels(conn: Connection, by_channel: dict[int, tuple[str, list[dict]]]) -> None:
    for cid, (attribution, reasons) in by_channel.items():
        conn.execute(
            update(channels)
            .where(channels.c.id == cid)
            .values(attribution=attribution, attribution_reasons=reasons)
        )


def _post_signals(per_post, by_channel) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    rows = []
    for channel_id, subject, reasons in per_post.values():
        channel_attribution, channel_reasons = by_channel[channel_id]
        official = [r for r in reasons if r["kind"] == "official"]
        if channel_attribution in ("official", "news"):
            label, why = channel_attribution, channel_reasons + reasons
        elif official:
            label, why = "supporter", official
        elif channel_attribution == "supporter":
            label, why = "supporter", [{"reason": "channel", "attribution": "supporter"}]
        else:
            continue
        outlets = [r["outlet"] for r in why if "outlet" in r]
        value = {"attribution": label, "outlet": outlets[0] if outlets else None, "reasons": why}
        rows.append(
            {
                "subject_type": "post",
                "subject": subject,
                "analyzer": ANALYZER,
                "version": VERSION,
                "kind": "attribution",
                "value": value,
                "score": None,
                "evidence": None,
                "created_at": now,
            }
        )
    return rows
