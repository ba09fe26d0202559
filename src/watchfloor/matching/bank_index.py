"""The workspace's matching index: the enabled entries of the enabled banks, kept in step with
the banks' revisions under ``<workspace>/index/``.

``sync_bank_index(store, directory)`` runs in the main process. It reads the ``banks`` table
(one small query) and compares each bank's revision with the manifest on disk:

- nothing changed: nothing is read or written;
- a bank changed and every entry the index holds for it is still there, unchanged: only the new
  entries are read and written, as a new segment (or folded into a small last one); past
  ``MAX_SEGMENTS`` segments they are compacted into one from the index's own files;
- anything else (an entry disabled, removed or edited, a bank disabled or deleted, a threshold
  raised beyond what the PDQ index was planned for): everything is rebuilt from the database.

A segment is a directory of ``.npy`` files: entry ids, bank ids, qualities, labels, and either a
``PdqIndex`` (``watchfloor.matching.index``) or a sorted MD5 table. Segments never change once
written; a manifest names the segments of one bank state and ``CURRENT`` names the manifest, so
a reader always sees a complete index. ``open_bank_index(ref)`` opens one manifest's segments
memory-mapped, once per process: worker processes share the pages through the page cache.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from watchfloor.matching.index import DEFAULT_RADIUS, hashes_from_hex
from watchfloor.matching.index_files import (
    BankState,
    Entries,
    Manifest,
    Segment,
    collect_garbage,
    current_manifest,
    locked,
    read_manifest,
    state_fingerprint,
    write_manifest,
)
from watchfloor.pdq import QUALITY_THRESHOLD
from watchfloor.store.schema import bank_entries, banks

__all__ = [
    "INDEX_DIRNAME",
    "BankIndex",
    "BankState",
    "IndexRef",
    "Match",
    "SyncReport",
    "index_directory",
    "open_bank_index",
    "read_bank_state",
    "sync_bank_index",
]

INDEX_DIRNAME = "index"
MAX_SEGMENTS = 4  # per signal type; more are compacted into one
SMALL_SEGMENT = 65_536  # a last segment smaller than this (or 1/8 of all) absorbs new entries
READ_BATCH = 50_000
SIGNAL_TYPES = ("pdq", "md5")
_HEX = {"pdq": re.compile(r"[0-9a-f]{64}"), "md5": re.compile(r"[0-9a-f]{32}")}
_WIDTH = {"pdq": 32, "md5": 16}


# bank state ----------------------------------------------------------------------------------


def read_bank_state(conn: Connection) -> list[BankState]:
    rows = conn.execute(
        select(banks.c.id, banks.c.name, banks.c.threshold, banks.c.revision)
        .where(banks.c.enabled.is_(True))
        .order_by(banks.c.id)
    )
    return [BankState(r.id, r.name, r.threshold, r.revision) for r in rows]


def index_directory(workspace: str | os.PathLike[str]) -> Path:
    return Path(workspace) / INDEX_DIRNAME


# entries -------------------------------------------------------------------------------------


def read_entries(
    conn: Connection, signal_type: str, bank_ids: Sequence[int]
) -> tuple[Entries, int]:
    """The enabled entries of these banks, in id order; also how many had a malformed value."""
    query = (
        select(
            bank_entries.c.id,
            bank_entries.c.bank_id,
            bank_entries.c.value,
            bank_entries.c.quality,
            bank_entries.c.label,
        )
        .where(
            bank_entries.c.enabled.is_(True),
            bank_entries.c.signal_type == signal_type,
            bank_entries.c.bank_id.in_(list(bank_ids)),
        )
        .order_by(bank_entries.c.id)
    )
    parts, invalid, width = [], 0, _WIDTH[signal_type]
    result = conn.execution_options(yield_per=READ_BATCH).execute(query)
    for chunk in result.partitions():
        rows = [row for r in chunk if (row := _entry_row(r, signal_type)) is not None]
        invalid += len(chunk) - len(rows)
        parts.append(Entries.from_rows(rows, width))
    return Entries.concat(parts, width), invalid


def _entry_row(r: Any, signal_type: str) -> tuple[int, int, bytes, int, str | None] | None:
    value = (r.value or "").strip().lower()
    if not _HEX[signal_type].fullmatch(value):
        return None
    if signal_type == "pdq" and r.quality is not None and r.quality < QUALITY_THRESHOLD:
        return None  # a flat or tiny picture's hash: it would match unrelated images
    quality = -1 if r.quality is None else int(r.quality)
    return (r.id, r.bank_id, bytes.fromhex(value), quality, r.label)


# syncing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexRef:
    """What an analyzer carries to its worker processes: where the index is and which state."""

    directory: str
    manifest: str
    fingerprint: str


@dataclass
class SyncReport:
    ref: IndexRef
    action: str  # unchanged, extended, rebuilt
    entries: dict[str, int] = field(default_factory=dict)  # signal type -> entries indexed
    added: int = 0
    invalid: int = 0  # entries skipped: a malformed value, or a PDQ quality below 50
    seconds: float = 0.0


class _Rebuild(Exception):
    """The index cannot be extended to the new bank state; it must be rebuilt."""


def sync_bank_index(store: Any, directory: str | os.PathLike[str]) -> SyncReport:
    """Bring the persisted index in step with the banks; ``store`` is a watchfloor Store."""
    root, started = Path(directory), time.perf_counter()
    with locked(root), store.connect() as conn:
        state = read_bank_state(conn)
        fingerprint = state_fingerprint(state)
        current = current_manifest(root)
        if current is not None and current.fingerprint == fingerprint:
            report = SyncReport(_ref(root, current), "unchanged")
            report.entries = _counts(root, current)
            return report
        try:
            manifest, report = _extend(conn, root, current, state, fingerprint)
        except _Rebuild:
            manifest, report = _rebuild(conn, root, state, fingerprint)
        write_manifest(root, manifest)
        collect_garbage(root)
    report.ref, report.seconds = _ref(root, manifest), time.perf_counter() - started
    report.entries = _counts(root, manifest)
    return report


def _ref(root: Path, manifest: Manifest) -> IndexRef:
    return IndexRef(str(root.resolve()), manifest.name, manifest.fingerprint)


def _counts(root: Path, manifest: Manifest) -> dict[str, int]:
    return {
        kind: sum(len(np.load(root / n / "entry_ids.npy", mmap_mode="r")) for n in names)
        for kind, names in manifest.segments.items()
    }


def _new_manifest(state: list[BankState], fingerprint: str, radius: int, segments) -> Manifest:
    name = f"manifest-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}.json"
    return Manifest(name, fingerprint, radius, tuple(state), segments)


def _radius(state: Sequence[BankState]) -> int:
    return max([DEFAULT_RADIUS, *(b.threshold for b in state)])


def _rebuild(conn: Connection, root: Path, state: list[BankState], fingerprint: str):
    radius, ids = _radius(state), [b.id for b in state]
    segments, invalid, total = {}, 0, 0
    for kind in SIGNAL_TYPES:
        entries, bad = read_entries(conn, kind, ids)
        invalid += bad
        total += len(entries)
        segments[kind] = _save_segments(
            root, [Segment.build(kind, entries, radius)] if len(entries) else []
        )
    manifest = _new_manifest(state, fingerprint, radius, segments)
    return manifest, SyncReport(_ref(root, manifest), "rebuilt", added=total, invalid=invalid)


def _save_segments(root: Path, segments: list[Segment]) -> tuple[str, ...]:
    for segment in segments:
        if not (root / segment.name).exists():
            segment.save(root)
    return tuple(s.name for s in segments)


def _extend(
    conn: Connection,
    root: Path,
    current: Manifest | None,
    state: list[BankState],
    fingerprint: str,
):
    """New entries of changed banks as new segments; raises _Rebuild when that is not enough."""
    if current is None:
        raise _Rebuild
    before = {b.id: b for b in current.banks}
    if set(before) - {b.id for b in state} or _radius(state) > current.radius:
        raise _Rebuild  # a bank was disabled or deleted, or the PDQ index needs a wider radius
    changed = [b.id for b in state if before.get(b.id) != b]
    segments, added, invalid = {}, 0, 0
    for kind in SIGNAL_TYPES:
        existing = [Segment.load(root, n) for n in current.segments.get(kind, ())]
        new, bad = _new_entries(conn, kind, changed, existing)
        invalid += bad
        added += len(new)
        segments[kind] = _save_segments(root, _append(kind, existing, new, current.radius))
    manifest = _new_manifest(state, fingerprint, current.radius, segments)
    return manifest, SyncReport(_ref(root, manifest), "extended", added=added, invalid=invalid)


def _new_entries(
    conn: Connection, kind: str, changed: list[int], existing: list[Segment]
) -> tuple[Entries, int]:
    """Entries of the changed banks that the index lacks; _Rebuild if one it holds changed."""
    if not changed:
        return Entries.empty(_WIDTH[kind]), 0
    fresh, invalid = read_entries(conn, kind, changed)
    seen = np.zeros(len(fresh), dtype=bool)
    for segment in existing:
        held = segment.entries
        rows = np.flatnonzero(np.isin(held.bank_ids, changed))
        if not len(rows):
            continue
        pos = _positions(fresh.ids, np.asarray(held.ids)[rows])
        if (pos < 0).any():
            raise _Rebuild  # an entry was disabled or removed
        if not _same(fresh, pos, held, rows):
            raise _Rebuild  # an entry was edited in place
        seen[pos] = True
    return fresh.take(np.flatnonzero(~seen)), invalid


def _positions(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Where each of ``ids`` is in ``sorted_ids``; -1 where it is not."""
    pos = np.searchsorted(sorted_ids, ids)
    found = pos < len(sorted_ids)
    found[found] = sorted_ids[pos[found]] == ids[found]
    return np.where(found, pos, -1)


def _same(fresh: Entries, pos: np.ndarray, held: Entries, rows: np.ndarray) -> bool:
    if not len(rows):
        return True
    return (
        np.array_equal(fresh.bank_ids[pos], held.bank_ids[rows])
        and np.array_equal(fresh.values[pos], held.values[rows])
        and np.array_equal(fresh.quality[pos], held.quality[rows])
        and fresh.labels(pos) == held.labels(rows)
    )


def _append(kind: str, existing: list[Segment], new: Entries, radius: int) -> list[Segment]:
    if not len(new):
        return existing
    total = sum(len(s.entries) for s in existing) + len(new)
    if existing and len(existing[-1].entries) + len(new) <= max(SMALL_SEGMENT, total // 8):
        merged = Entries.concat([existing[-1].entries, new], _WIDTH[kind])
        segments = [*existing[:-1], Segment.build(kind, merged, radius)]
    else:
        segments = [*existing, Segment.build(kind, new, radius)]
    if len(segments) > MAX_SEGMENTS:
        merged = Entries.concat([s.entries for s in segments], _WIDTH[kind])
        segments = [Segment.build(kind, merged, radius)]
    return segments


# searching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One bank entry that a query matched."""

    bank: str
    bank_id: int
    entry_id: int
    label: str | None
    signal_type: str
    distance: int  # PDQ bits; 0 for MD5
    threshold: int | None  # the bank's PDQ threshold; None for MD5
    entry_quality: int | None
    query: int = 0  # which of the query hashes matched
    transform: str | None = None  # the name of that hash (a rotation or flip), when known

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["query"]
        return data


class BankIndex:
    """One manifest's segments, opened memory-mapped."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root, self.manifest = root, manifest
        self.banks = {b.id: b for b in manifest.banks}
        self.segments = {
            kind: [Segment.load(root, n) for n in names]
            for kind, names in manifest.segments.items()
        }

    @classmethod
    def open(cls, ref: IndexRef) -> BankIndex:
        root = Path(ref.directory)
        manifest = read_manifest(root, ref.manifest)
        if manifest.fingerprint != ref.fingerprint:
            raise ValueError(
                f"index manifest {ref.manifest} is not of bank state {ref.fingerprint}"
            )
        return cls(root, manifest)

    def size(self, signal_type: str) -> int:
        return sum(len(s.entries) for s in self.segments.get(signal_type, []))

    def bank_names(self) -> list[str]:
        return [b.name for b in self.manifest.banks]

    def match_pdq(self, hashes: Sequence[str], banks: set[str] | None = None) -> list[Match]:
        """Entries within their bank's threshold of any of ``hashes``; for an entry that several
        hashes match, the closest (then the first) hash."""
        if not hashes:
            return []
        queries = hashes_from_hex([h.lower() for h in hashes])
        best: dict[int, Match] = {}
        for segment in self.segments.get("pdq", []):
            result = segment.pdq.search(queries, self.manifest.radius)
            for q in range(len(hashes)):
                for row, distance in result.for_query(q):
                    match = self._pdq_match(segment, row, distance, q, banks)
                    old = best.get(match.entry_id) if match else None
                    if match and (old is None or (distance, q) < (old.distance, old.query)):
                        best[match.entry_id] = match
        return sorted(best.values(), key=lambda m: (m.distance, m.bank, m.entry_id))

    def _pdq_match(
        self, segment: Segment, row: int, distance: int, query: int, banks: set[str] | None
    ) -> Match | None:
        bank = self.banks[int(segment.entries.bank_ids[row])]
        if distance > bank.threshold or (banks is not None and bank.name not in banks):
            return None
        return self._match(segment, row, bank, distance, bank.threshold, query)

    def match_md5(self, digest: str, banks: set[str] | None = None) -> list[Match]:
        value = digest.strip().lower()
        if not _HEX["md5"].fullmatch(value):
            raise ValueError(f"not an MD5 digest (32 hex digits): {digest!r}")
        found = []
        for segment in self.segments.get("md5", []):
            for row in segment.md5.rows_for(bytes.fromhex(value)):
                bank = self.banks[int(segment.entries.bank_ids[row])]
                if banks is None or bank.name in banks:
                    found.append(self._match(segment, row, bank, 0, None, 0))
        return sorted(found, key=lambda m: (m.bank, m.entry_id))

    @staticmethod
    def _match(
        segment: Segment,
        row: int,
        bank: BankState,
        distance: int,
        threshold: int | None,
        query: int,
    ) -> Match:
        quality = int(segment.entries.quality[row])
        return Match(
            bank=bank.name,
            bank_id=bank.id,
            entry_id=int(segment.entries.ids[row]),
            label=segment.entries.label(row),
            signal_type=segment.signal_type,
            distance=int(distance),
            threshold=threshold,
            entry_quality=None if quality < 0 else quality,
            query=query,
        )


_OPEN: dict[IndexRef, BankIndex] = {}


def open_bank_index(ref: IndexRef) -> BankIndex:
    """The index of this state, opened once per process (the last one opened is kept)."""
    index = _OPEN.get(ref)
    if index is None:
        index = BankIndex.open(ref)
        _OPEN.clear()
        _OPEN[ref] = index
    return index
