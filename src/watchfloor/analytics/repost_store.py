"""What repost grouping reads from and writes to the store.

Groups are signals: subject = media SHA-256, analyzer ``reposts``, kind ``repost_group``, value
``{"group": <id>}``, evidence ``{"verified": [<pair checks this media was joined by>]}``. Which
media have been grouped is remembered in ``analysis_state`` under the same analyzer name, with
the ``crops`` version the descriptor had, so a later run looks only at new media.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, select

from watchfloor.analyzers.base import SignalOut
from watchfloor.analyzers.crops import decode_descriptor
from watchfloor.store.media_store import MediaStore
from watchfloor.store.schema import analysis_state, media, signals
from watchfloor.store.signals import record_outcome, states_for

__all__ = [
    "ANALYZER",
    "DESCRIPTOR_KIND",
    "GROUP_KIND",
    "DescriptorInfo",
    "GroupMembership",
    "clear_groups",
    "descriptor_infos",
    "descriptor_vectors",
    "group_memberships",
    "media_paths",
    "pdq_values",
    "processed_states",
    "record_membership",
]

ANALYZER = "reposts"
GROUP_KIND = "repost_group"
DESCRIPTOR_KIND = "crop_descriptor"
CHUNK = 500  # SHA-256 values per IN (...) list


@dataclass(frozen=True)
class DescriptorInfo:
    input_key: str  # what a grouping state must carry to be current: the crops version
    usable: bool


@dataclass(frozen=True)
class GroupMembership:
    group: str
    evidence: dict[str, Any]


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def descriptor_infos(conn: Connection) -> dict[str, DescriptorInfo]:
    """Every media item with a crop descriptor: its input key and whether it is usable."""
    query = select(signals.c.subject, signals.c.version, signals.c.evidence).where(
        signals.c.subject_type == "media", signals.c.kind == DESCRIPTOR_KIND
    )
    return {
        r.subject: DescriptorInfo(f"crops:{r.version}", bool((r.evidence or {}).get("usable")))
        for r in conn.execute(query)
    }


def descriptor_vectors(
    conn: Connection, shas: Iterable[str]
) -> Iterator[tuple[str, np.ndarray, float]]:
    """(sha256, unit vector, aspect ratio) of the given media, in the order given, a chunk at a
    time."""
    for batch in _chunks(shas):
        query = select(signals.c.subject, signals.c.value).where(
            signals.c.subject_type == "media",
            signals.c.kind == DESCRIPTOR_KIND,
            signals.c.subject.in_(batch),
        )
        found = {r.subject: r.value for r in conn.execute(query)}
        for sha in batch:
            if sha in found:
                value = found[sha]
                yield sha, decode_descriptor(value["vector"]), float(value["aspect"])


def processed_states(conn: Connection) -> dict[str, tuple[str, str]]:
    return states_for(conn, ANALYZER, "media")


def group_memberships(conn: Connection) -> dict[str, GroupMembership]:
    query = select(signals.c.subject, signals.c.value, signals.c.evidence).where(
        signals.c.analyzer == ANALYZER, signals.c.kind == GROUP_KIND
    )
    return {
        r.subject: GroupMembership(r.value["group"], r.evidence or {"verified": []})
        for r in conn.execute(query)
    }


def clear_groups(conn: Connection) -> None:
    """Forget every group and grouping state (the grouping is rebuilt from scratch)."""
    conn.execute(delete(signals).where(signals.c.analyzer == ANALYZER))
    conn.execute(delete(analysis_state).where(analysis_state.c.analyzer == ANALYZER))


def media_paths(conn: Connection, store: MediaStore, shas: Iterable[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for batch in _chunks(sorted(set(shas))):
        query = select(media.c.sha256, media.c.storage_path).where(media.c.sha256.in_(batch))
        out.update({r.sha256: store.root / Path(r.storage_path) for r in conn.execute(query)})
    return out


def pdq_values(conn: Connection, shas: Iterable[str]) -> dict[str, dict[str, Any]]:
    """{sha256: {"pdq": {...}, "pdq_dihedral": {...}}} for media the pdq analyzer hashed."""
    out: dict[str, dict[str, Any]] = {}
    for batch in _chunks(sorted(set(shas))):
        query = select(signals.c.subject, signals.c.kind, signals.c.value).where(
            signals.c.subject_type == "media",
            signals.c.kind.in_(("pdq", "pdq_dihedral")),
            signals.c.subject.in_(batch),
        )
        for r in conn.execute(query):
            out.setdefault(r.subject, {})[r.kind] = r.value
    return out


def record_membership(
    conn: Connection,
    version: str,
    sha: str,
    input_key: str,
    membership: GroupMembership | None,
) -> None:
    """Write one media item's group (None: in no group) and mark it grouped at this version."""
    outputs = []
    if membership is not None:
        outputs.append(
            SignalOut(GROUP_KIND, {"group": membership.group}, None, membership.evidence)
        )
    record_outcome(
        conn,
        analyzer=ANALYZER,
        version=version,
        subject_type="media",
        subject=sha,
        input_key=input_key,
        status="ok",
        detail=None,
        outputs=outputs,
    )
