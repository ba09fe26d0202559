"""The targets read model: places shown or named in posts, rebuilt from signals.

A corpus step (``watchfloor analyze``, step ``targets``) reads the signals that say where a
picture was taken or which place a text names (``target_evidence.py`` has the contract), ties
each to the posts that carry the media (``post_media``) or to the post itself, and rewrites the
``targets`` and ``target_evidence`` tables in one transaction. A rebuild from the same signals
gives the same rows; a run whose inputs did not change (the signals it reads, posts and their
media, the gazetteer) does nothing and reports what the last rebuild found. Evidence for one
place from different sources lands on one key: gallery landmarks are mapped onto the gazetteer
(``Gazetteer.resolve_landmark``), EXIF positions and geoparsed names use gazetteer keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from watchfloor.analytics import step_state
from watchfloor.analytics.target_evidence import SIGNAL_KINDS, Evidence, Malformed, evidence_of
from watchfloor.geo.gazetteer import Gazetteer, default_gazetteer
from watchfloor.geo.places import Place
from watchfloor.store import Store
from watchfloor.store.dialect import insert_many
from watchfloor.store.schema import channels, post_media, posts, signals, target_evidence, targets
from watchfloor.store.times import as_utc

CHUNK = 500  # subjects per IN (...) list
VERSION = "1"
STEP = "targets"  # its state in analysis_state (see step_state.py)


@dataclass
class TargetsReport:
    signals: int = 0  # signals read
    malformed: int = 0  # signals whose value broke the contract (skipped)
    unlinked: int = 0  # signals whose subject is in no post (media not posted, post gone)
    targets: int = 0
    evidence: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # evidence rows per kind
    unchanged: bool = False  # nothing the targets are built from changed: not rebuilt
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items())) or "none"
        return (
            f"{self.targets} targets from {self.evidence} pieces of evidence ({kinds}); "
            f"{self.malformed} malformed and {self.unlinked} unlinked signals skipped"
            + ("; unchanged" if self.unchanged else "")
        )


@dataclass(frozen=True)
class _Signal:
    subject_type: str
    subject: str
    kind: str
    value: Any
    score: float | None


def rebuild_targets(
    store: Store, gazetteer: Gazetteer | None = None, *, force: bool = False
) -> TargetsReport:
    """Rewrite the targets and their evidence from the signals, in one transaction, unless
    nothing they are built from changed since the last rebuild (``force``: rebuild anyway)."""
    gazetteer = gazetteer or default_gazetteer()

    def key_of(conn: Connection) -> str:
        return step_state.fingerprint(
            conn,
            version=VERSION,
            tables=[(signals, signals.c.kind.in_(SIGNAL_KINDS)), (post_media, None), (posts, None)],
            updated=[posts.c.updated_at],
            extra=[gazetteer.version],
        )

    def compute(conn: Connection) -> TargetsReport:
        report = TargetsReport()
        rebuild_targets_in(conn, gazetteer, report)
        return report

    return step_state.run_unless_unchanged(
        store, STEP, VERSION, key_of, compute, TargetsReport, force=force
    )


def rebuild_targets_in(conn: Connection, gazetteer: Gazetteer, report: TargetsReport) -> None:
    found = _read_signals(conn)
    report.signals = len(found)
    media_posts = _posts_of_media(conn, {s.subject for s in found if s.subject_type == "media"})
    post_rows = _posts_by_key(conn, {s.subject for s in found if s.subject_type == "post"})
    rows: dict[tuple[str, int, str, str], dict[str, Any]] = {}
    places: dict[str, Place] = {}
    for sig in found:
        try:
            items = evidence_of(gazetteer, sig.kind, sig.subject_type, sig.value, sig.score)
        except Malformed:
            report.malformed += 1
            continue
        linked = media_posts.get(sig.subject, []) if sig.subject_type == "media" else []
        if sig.subject_type == "post" and sig.subject in post_rows:
            linked = [post_rows[sig.subject]]
        if not linked:
            report.unlinked += 1
            continue
        for item in items:
            places.setdefault(item.place.key, item.place)
            for post_id, seen_at in linked:
                _add_row(rows, sig, item, post_id, seen_at)
    _write(conn, places, list(rows.values()))
    report.evidence = len(rows)
    report.targets = len({r["target_key"] for r in rows.values()})
    report.by_kind = dict(Counter(r["kind"] for r in rows.values()))


def _add_row(rows: dict, sig: _Signal, item: Evidence, post_id: int, seen_at: datetime) -> None:
    key = (item.place.key, post_id, item.kind, sig.subject)
    old = rows.get(key)
    if old is not None and (old["score"] or 0) >= (item.score or 0):
        return  # one row per target, post, kind and subject: the strongest
    rows[key] = {
        "target_key": item.place.key,
        "post_id": post_id,
        "kind": item.kind,
        "subject_type": sig.subject_type,
        "subject": sig.subject,
        "score": item.score,
        "detail": item.detail,
        "seen_at": seen_at,
    }


def _read_signals(conn: Connection) -> list[_Signal]:
    query = (
        select(
            signals.c.subject_type,
            signals.c.subject,
            signals.c.kind,
            signals.c.value,
            signals.c.score,
        )
        .where(signals.c.kind.in_(SIGNAL_KINDS))
        .order_by(signals.c.id)
    )
    return [_Signal(*r) for r in conn.execute(query)]


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _posts_of_media(conn: Connection, shas: set[str]) -> dict[str, list[tuple[int, datetime]]]:
    out: dict[str, list[tuple[int, datetime]]] = {}
    for batch in _chunks(shas):
        query = (
            select(post_media.c.sha256, posts.c.id, posts.c.date)
            .join(posts, posts.c.id == post_media.c.post_id)
            .where(post_media.c.sha256.in_(batch))
            .distinct()
        )
        for sha, post_id, date in conn.execute(query):
            out.setdefault(sha, []).append((post_id, as_utc(date)))
    return out


def _posts_by_key(conn: Connection, keys: set[str]) -> dict[str, tuple[int, datetime]]:
    """Post subjects are keyed ``<channel key>/<message id>``; looked up channel by channel."""
    wanted: dict[str, list[int]] = {}
    for key in keys:
        channel, _, message = key.rpartition("/")
        if channel and message.lstrip("-").isdigit():
            wanted.setdefault(channel, []).append(int(message))
    query = select(channels.c.key, channels.c.id).where(channels.c.key.in_(wanted))
    ids = {key: channel_id for key, channel_id in conn.execute(query)}
    out: dict[str, tuple[int, datetime]] = {}
    for channel, messages in wanted.items():
        if channel not in ids:
            continue
        for start in range(0, len(messages), CHUNK):
            query = select(posts.c.message_id, posts.c.id, posts.c.date).where(
                posts.c.channel_id == ids[channel],
                posts.c.message_id.in_(messages[start : start + CHUNK]),
            )
            for message_id, post_id, date in conn.execute(query):
                out[f"{channel}/{message_id}"] = (post_id, as_utc(date))
    return out


def _write(conn: Connection, places: dict[str, Place], rows: list[dict[str, Any]]) -> None:
    conn.execute(delete(target_evidence))
    conn.execute(delete(targets))
    now = datetime.now(UTC)
    by_target: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_target.setdefault(row["target_key"], []).append(row)
    target_rows = [_target_row(places[key], found, now) for key, found in sorted(by_target.items())]
    insert_many(conn, targets, target_rows)
    insert_many(conn, target_evidence, sorted(rows, key=_row_order))


def _row_order(row: dict[str, Any]) -> tuple:
    return (row["target_key"], row["seen_at"], row["post_id"], row["kind"], row["subject"])


def _target_row(place: Place, rows: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    seen = [r["seen_at"] for r in rows]
    return {
        "key": place.key,
        "kind": place.kind,
        "name": place.name,
        "city": place.city,
        "country": place.country,
        "lat": place.lat,
        "lon": place.lon,
        "first_seen": min(seen),
        "last_seen": max(seen),
        "posts": len({r["post_id"] for r in rows}),
        "evidence_kinds": sorted({r["kind"] for r in rows}),
        "updated_at": now,
    }
