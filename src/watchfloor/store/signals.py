"""Signals and the analysis state that makes re-runs incremental."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, and_, delete, literal, select

from watchfloor.analyzers.base import MediaItem, SignalOut
from watchfloor.store.dialect import upsert
from watchfloor.store.media_store import MediaStore
from watchfloor.store.schema import analysis_state, media, signals

_SIGNAL_KEY = ("subject_type", "subject", "analyzer", "kind")
_MEDIA_COLUMNS = (
    media.c.sha256,
    media.c.storage_path,
    media.c.size,
    media.c.mime,
    media.c.width,
    media.c.height,
)


def _media_item(row, store: MediaStore) -> MediaItem:
    return MediaItem(
        row.sha256, store.root / Path(row.storage_path), row.size, row.mime, row.width, row.height
    )


def pending_media(
    conn: Connection, analyzer: str, version: str, store: MediaStore
) -> Iterator[MediaItem]:
    """Media this analyzer has not seen at this version (media bytes never change under a key)."""
    state = analysis_state.alias("s")
    join = media.outerjoin(
        state,
        and_(
            state.c.analyzer == analyzer,
            state.c.subject_type == literal("media"),
            state.c.subject == media.c.sha256,
        ),
    )
    query = (
        select(*_MEDIA_COLUMNS)
        .select_from(join)
        .where((state.c.subject.is_(None)) | (state.c.version != version))
        .order_by(media.c.sha256)
    )
    for r in conn.execute(query):
        yield _media_item(r, store)


def record_outcome(
    conn: Connection,
    *,
    analyzer: str,
    version: str,
    subject_type: str,
    subject: str,
    input_key: str,
    status: str,
    detail: str | None,
    outputs: list[SignalOut],
) -> None:
    """Replace this analyzer's signals for the subject and remember what they were computed from."""
    now = datetime.now(UTC)
    conn.execute(
        delete(signals).where(
            signals.c.analyzer == analyzer,
            signals.c.subject_type == subject_type,
            signals.c.subject == subject,
        )
    )
    if outputs:  # an upsert: a concurrent writer of the same subject cannot double a signal
        conn.execute(
            upsert(
                conn,
                signals,
                list(_SIGNAL_KEY),
                ["version", "value", "score", "evidence", "created_at"],
            ),
            [
                {
                    "subject_type": subject_type,
                    "subject": subject,
                    "analyzer": analyzer,
                    "version": version,
                    "kind": o.kind,
                    "value": o.value,
                    "score": o.score,
                    "evidence": o.evidence,
                    "created_at": now,
                }
                for o in outputs
            ],
        )
    stmt = upsert(
        conn,
        analysis_state,
        ["analyzer", "subject_type", "subject"],
        ["version", "input_key", "status", "detail", "updated_at"],
    )
    conn.execute(
        stmt,
        {
            "analyzer": analyzer,
            "subject_type": subject_type,
            "subject": subject,
            "version": version,
            "input_key": input_key,
            "status": status,
            "detail": detail,
            "updated_at": now,
        },
    )


def all_media(conn: Connection, store: MediaStore) -> Iterator[MediaItem]:
    for r in conn.execute(select(*_MEDIA_COLUMNS).order_by(media.c.sha256)):
        yield _media_item(r, store)


def states_for(conn: Connection, analyzer: str, subject_type: str) -> dict[str, tuple[str, str]]:
    rows = conn.execute(
        select(
            analysis_state.c.subject, analysis_state.c.version, analysis_state.c.input_key
        ).where(
            analysis_state.c.analyzer == analyzer, analysis_state.c.subject_type == subject_type
        )
    )
    return {r.subject: (r.version, r.input_key) for r in rows}


def signal_values(
    conn: Connection, subject_type: str, subject: str, kinds: tuple[str, ...]
) -> dict[str, object]:
    rows = conn.execute(
        select(signals.c.kind, signals.c.value).where(
            signals.c.subject_type == subject_type,
            signals.c.subject == subject,
            signals.c.kind.in_(kinds),
        )
    )
    return {r.kind: r.value for r in rows}
