"""The files of the matching index: column-wise entries, immutable segments, manifests.

A segment is a directory of ``.npy`` files: entry ids, bank ids, qualities, labels, and either a
``PdqIndex`` or a sorted MD5 table. Segments never change once written; a manifest names the
segments of one bank state and ``CURRENT`` names the manifest, so a reader always sees a complete
index. Writes go through a temporary name and ``os.replace``; a lock file serialises writers.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from watchfloor.matching.index import PdqIndex, expand_ranges

FORMAT = "watchfloor-bank-index-1"
KEEP_MANIFESTS = 3  # older manifests (and segments only they use) are removed


@dataclass(frozen=True)
class BankState:
    """An enabled bank as the index sees it."""

    id: int
    name: str
    threshold: int
    revision: int


def state_fingerprint(state: Sequence[BankState]) -> str:
    """Changes whenever an enabled bank changes, appears or goes away."""
    payload = json.dumps([asdict(b) for b in state], sort_keys=True).encode()
    return hashlib.sha256(FORMAT.encode() + payload).hexdigest()[:16]


@dataclass
class Entries:
    """Bank entries of one signal type, column-wise: ids, bank ids, hash bytes, qualities
    (-1: unknown) and labels (UTF-8 blob with offsets; ``has_label`` tells None from "")."""

    ids: np.ndarray
    bank_ids: np.ndarray
    values: np.ndarray  # (n, 32) uint8 for pdq, (n, 16) for md5
    quality: np.ndarray
    label_blob: np.ndarray
    label_offsets: np.ndarray
    has_label: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls, width: int) -> Entries:
        return cls.from_rows([], width)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, int, bytes, int, str | None]], width: int):
        """From ``(id, bank_id, value bytes, quality, label)`` tuples."""
        encoded = [(label or "").encode() for *_rest, label in rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            bank_ids=np.array([r[1] for r in rows], dtype=np.int64),
            values=np.frombuffer(b"".join(r[2] for r in rows), dtype=np.uint8)
            .reshape(len(rows), width)
            .copy(),
            quality=np.array([r[3] for r in rows], dtype=np.int16),
            label_blob=np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(),
            label_offsets=offsets,
            has_label=np.array([r[4] is not None for r in rows], dtype=bool),
        )

    def label(self, row: int) -> str | None:
        if not self.has_label[row]:
            return None
        lo, hi = int(self.label_offsets[row]), int(self.label_offsets[row + 1])
        return bytes(self.label_blob[lo:hi]).decode()

    def labels(self, rows: Iterable[int]) -> list[str | None]:
        return [self.label(int(r)) for r in rows]

    def take(self, rows: np.ndarray) -> Entries:
        rows = np.asarray(rows, dtype=np.int64)
        starts = np.asarray(self.label_offsets)[rows]
        lengths = np.asarray(self.label_offsets)[rows + 1] - starts
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return Entries(
            ids=np.asarray(self.ids)[rows],
            bank_ids=np.asarray(self.bank_ids)[rows],
            values=np.asarray(self.values)[rows],
            quality=np.asarray(self.quality)[rows],
            label_blob=np.asarray(self.label_blob)[expand_ranges(starts, lengths)],
            label_offsets=offsets,
            has_label=np.asarray(self.has_label)[rows],
        )

    @staticmethod
    def concat(parts: Sequence[Entries], width: int) -> Entries:
        if not parts:
            return Entries.empty(width)
        shifts = np.cumsum([0] + [len(p.label_blob) for p in parts[:-1]])
        offsets = [np.asarray(parts[0].label_offsets[:1])]
        offsets += [p.label_offsets[1:] + shift for p, shift in zip(parts, shifts, strict=True)]
        return Entries(
            ids=np.concatenate([p.ids for p in parts]),
            bank_ids=np.concatenate([p.bank_ids for p in parts]),
            values=np.concatenate([p.values for p in parts]).reshape(-1, width),
            quality=np.concatenate([p.quality for p in parts]),
            label_blob=np.concatenate([p.label_blob for p in parts]),
            label_offsets=np.concatenate(offsets),
            has_label=np.concatenate([p.has_label for p in parts]),
        )

    _ARRAYS = ("ids", "bank_ids", "values", "quality", "label_blob", "label_offsets", "has_label")

    def save(self, directory: Path) -> None:
        for name in self._ARRAYS:
            np.save(directory / f"entry_{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, directory: Path) -> Entries:
        return cls(**{n: np.load(directory / f"entry_{n}.npy", mmap_mode="r") for n in cls._ARRAYS})


# segments ------------------------------------------------------------------------------------


class Md5Table:
    """MD5 digests sorted as two 64-bit halves: exact look-up by binary search."""

    def __init__(self, high: np.ndarray, low: np.ndarray) -> None:
        self.high, self.low = high, low

    @staticmethod
    def halves(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        words = np.ascontiguousarray(values).view(">u8").astype(np.uint64)
        return words[:, 0], words[:, 1]

    @classmethod
    def sort_order(cls, values: np.ndarray) -> np.ndarray:
        high, low = cls.halves(values)
        return np.lexsort((low, high))

    def rows_for(self, digest: bytes) -> list[int]:
        high, low = self.halves(np.frombuffer(digest, dtype=np.uint8).reshape(1, 16))
        lo = int(np.searchsorted(self.high, high[0], side="left"))
        hi = int(np.searchsorted(self.high, high[0], side="right"))
        return [r for r in range(lo, hi) if self.low[r] == low[0]]


@dataclass
class Segment:
    signal_type: str
    name: str
    entries: Entries
    pdq: PdqIndex | None = None
    md5: Md5Table | None = None

    @classmethod
    def build(cls, signal_type: str, entries: Entries, radius: int) -> Segment:
        name = f"{signal_type}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        if signal_type == "pdq":
            return cls(signal_type, name, entries, pdq=PdqIndex.build(entries.values, radius))
        ordered = entries.take(Md5Table.sort_order(entries.values))
        return cls(signal_type, name, ordered, md5=Md5Table(*Md5Table.halves(ordered.values)))

    def save(self, root: Path) -> None:
        tmp = root / f".{self.name}.tmp"
        tmp.mkdir(parents=True)
        self.entries.save(tmp)
        if self.pdq is not None:
            self.pdq.save(tmp)
        os.replace(tmp, root / self.name)

    @classmethod
    def load(cls, root: Path, name: str) -> Segment:
        signal_type = name.split("-", 1)[0]
        entries = Entries.load(root / name)
        if signal_type == "pdq":
            return cls(signal_type, name, entries, pdq=PdqIndex.load(root / name))
        return cls(signal_type, name, entries, md5=Md5Table(*Md5Table.halves(entries.values)))


# manifests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    name: str
    fingerprint: str
    radius: int
    banks: tuple[BankState, ...]
    segments: dict[str, tuple[str, ...]]  # signal type -> segment names

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "radius": self.radius,
            "banks": [asdict(b) for b in self.banks],
            "segments": {k: list(v) for k, v in self.segments.items()},
        }

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise ValueError(f"index manifest {name} has format {data.get('format')!r}")
        return cls(
            name,
            data["fingerprint"],
            data["radius"],
            tuple(BankState(**b) for b in data["banks"]),
            {k: tuple(v) for k, v in data["segments"].items()},
        )


def read_manifest(root: Path, name: str) -> Manifest:
    return Manifest.from_json(name, json.loads((root / name).read_text(encoding="utf-8")))


def current_manifest(root: Path) -> Manifest | None:
    try:
        manifest = read_manifest(root, (root / "CURRENT").read_text(encoding="utf-8").strip())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    names = [n for seg in manifest.segments.values() for n in seg]
    return manifest if all((root / n).is_dir() for n in names) else None


def write_manifest(root: Path, manifest: Manifest) -> None:
    atomic_write(root / manifest.name, json.dumps(manifest.to_json(), indent=1))
    atomic_write(root / "CURRENT", manifest.name)


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def collect_garbage(root: Path) -> None:
    """Keeps the newest manifests and the segments they use; a worker still reading a removed
    file keeps its memory map (POSIX unlink semantics)."""
    manifests = sorted(root.glob("manifest-*.json"), key=lambda p: p.stat().st_mtime_ns)
    keep, used = manifests[-KEEP_MANIFESTS:], set()
    for path in manifests[:-KEEP_MANIFESTS]:
        path.unlink(missing_ok=True)
    for path in keep:
        try:
            used.update(n for seg in read_manifest(root, path.name).segments.values() for n in seg)
        except (OSError, ValueError, KeyError):
            continue
    for path in root.iterdir():
        if path.is_dir() and path.name not in used:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
