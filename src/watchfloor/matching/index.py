"""Exact Hamming range search over 256-bit PDQ hashes: multi-index hashing on memory-mapped tables.

Why exact. Cut the 256 bits into ``m`` substrings of ``b`` bits. If two hashes are within ``r``
bits, the differing bits fall into ``m`` substrings, so at least one substring differs in at
most ``floor(r / m)`` bits (pigeonhole). Probing, for every substring of the query, every key
within ``nflip`` bit flips of it therefore finds every hash within ``r`` as long as
``m * (nflip + 1) > r``; each candidate is then checked on all 256 bits. For PDQ's radius 31
and ten million hashes the planner picks ``b = 23, m = 11, nflip = 2`` (33 > 31): 3,047 probes
and about 3,600 candidates a query instead of ten million distances (bits not covered by a
substring only lower the distance seen by the substrings, so the guarantee still holds).

How. Each substring has a direct-addressed table in CSR form: ``offsets[h]`` (``2**b + 1``
counters) and ``postings[h]`` (row numbers sorted by key), built with a radix argsort. Search is
vectorised over a batch of queries with NumPy: probe keys, bucket ranges, candidate rows, 256-bit
distances by ``bitwise_count``. All arrays are plain ``.npy`` files, loaded with ``mmap_mode="r"``
so that worker processes share one copy through the page cache. ``add`` appends to a flat tail
that is searched by brute force and folded into the tables once it grows.

Hashes are ``(n, 32)`` uint8 arrays of the hash bytes as written in hex (most significant bit
first, like python-threatexchange); ``hashes_from_hex`` converts.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

__all__ = [
    "BITS",
    "DEFAULT_RADIUS",
    "PdqIndex",
    "Plan",
    "RangeResult",
    "brute_force_search",
    "expand_ranges",
    "hashes_from_hex",
    "hashes_to_hex",
    "plan_for",
]

BITS = 256
BYTES = BITS // 8
DEFAULT_RADIUS = 31  # python-threatexchange PDQ_CONFIDENT_MATCH_THRESHOLD
FORMAT = "watchfloor-pdq-mih-1"
QUERY_BATCH = 256  # queries searched together; bounds the temporaries to a few tens of MB
FLAT_BLOCK = 1 << 16  # codes compared at a time by a flat scan
FLAT_PAIRS = 1 << 20  # (query, code) pairs a round of a flat scan
MIN_TAIL_MERGE = 4096  # a flat tail at least this long, and over 1/8 of the tables, is merged

# Cost model of one query, in nanoseconds, measured on the 2-core development machine
# (benchmarks/matching.py): a table probe is two random reads, a candidate one random 32-byte
# read and a popcount; a flat scan streams codes.
_NS_PER_PROBE = 45.0
_NS_PER_CANDIDATE = 50.0
_NS_PER_FLAT_CODE = 9.0
_MAX_TABLE_BITS = 24  # 64 MiB of counters per substring at most
_MAX_NFLIP = 3


@dataclass(frozen=True)
class Plan:
    """How the 256 bits are cut: ``substrings`` tables of ``bits`` bits, probed with up to
    ``nflip`` flips. ``substrings == 0`` means no tables: every search is a flat scan."""

    bits: int
    substrings: int
    nflip: int

    @property
    def exact_radius(self) -> int:
        """The largest radius this plan is guaranteed to answer completely."""
        return self.substrings * (self.nflip + 1) - 1 if self.substrings else BITS

    @property
    def probes(self) -> int:
        return self.substrings * sum(math.comb(self.bits, k) for k in range(self.nflip + 1))


FLAT = Plan(0, 0, 0)


def plan_for(n: int, radius: int = DEFAULT_RADIUS) -> Plan:
    """The cheapest exact plan for ``n`` hashes at ``radius`` under the measured cost model."""
    if radius < 0 or radius > BITS:
        raise ValueError(f"radius must be within 0..{BITS}, not {radius}")
    best, best_cost = FLAT, n * _NS_PER_FLAT_CODE
    for bits in range(8, _MAX_TABLE_BITS + 1):
        # no table much larger than the data: a small bank needs no 64 MiB of counters
        if bits > 8 and (1 << bits) > 4 * max(n, 1):
            break
        substrings = BITS // bits
        nflip = -(-(radius + 1) // substrings) - 1
        if nflip > min(_MAX_NFLIP, bits):
            continue
        plan = Plan(bits, substrings, nflip)
        cost = plan.probes * (_NS_PER_PROBE + n / (1 << bits) * _NS_PER_CANDIDATE)
        if cost < best_cost:
            best, best_cost = plan, cost
    return best


@dataclass(frozen=True)
class RangeResult:
    """Like faiss ``range_search``: the matches of query ``i`` are ``ids[lims[i]:lims[i+1]]``
    at ``distances[lims[i]:lims[i+1]]``, sorted by distance, then row."""

    lims: np.ndarray  # (nq + 1,) int64
    ids: np.ndarray  # int64 row numbers in the index
    distances: np.ndarray  # int32

    def for_query(self, i: int) -> list[tuple[int, int]]:
        lo, hi = int(self.lims[i]), int(self.lims[i + 1])
        return list(zip(self.ids[lo:hi].tolist(), self.distances[lo:hi].tolist(), strict=True))


def hashes_from_hex(values: Iterable[str]) -> np.ndarray:
    """``(n, 32)`` uint8 from 64-digit hex strings; raises ValueError on anything else."""
    raw = bytearray()
    count = 0
    for value in values:
        if not isinstance(value, str) or len(value) != 2 * BYTES:
            raise ValueError(f"not a PDQ hash (64 hex digits): {value!r}")
        raw += bytes.fromhex(value)
        count += 1
    return np.frombuffer(bytes(raw), dtype=np.uint8).reshape(count, BYTES).copy()


def hashes_to_hex(codes: np.ndarray) -> list[str]:
    return [bytes(row).hex() for row in _as_codes(codes)]


def _as_codes(codes: np.ndarray | Sequence[str]) -> np.ndarray:
    if not isinstance(codes, np.ndarray):
        return hashes_from_hex(codes)
    if codes.dtype != np.uint8 or codes.ndim != 2 or codes.shape[1] != BYTES:
        raise ValueError(f"expected an (n, {BYTES}) uint8 array, got {codes.dtype} {codes.shape}")
    return np.ascontiguousarray(codes)


def _native_words(codes: np.ndarray) -> np.ndarray:
    """(n, 4) uint64 for distances: XOR and popcount do not care about the byte order."""
    return codes.view(np.uint64)


def _substring_keys(codes: np.ndarray, start: int, bits: int) -> np.ndarray:
    """The ``bits`` bits from bit ``start`` (most significant first) of every hash, as int64."""
    word, offset = divmod(start, 64)
    words = codes[:, 8 * word : 8 * word + 16]
    high = words[:, :8].view(">u8")[:, 0].astype(np.uint64)
    if offset + bits <= 64:
        key = high >> np.uint64(64 - offset - bits)
    else:
        low = words[:, 8:16].view(">u8")[:, 0].astype(np.uint64)
        spill = offset + bits - 64
        key = (high << np.uint64(spill)) | (low >> np.uint64(64 - spill))
    return (key & np.uint64((1 << bits) - 1)).astype(np.int64)


def _flip_masks(bits: int, nflip: int) -> np.ndarray:
    masks = [
        sum(1 << i for i in flipped)
        for k in range(nflip + 1)
        for flipped in combinations(range(bits), k)
    ]
    return np.array(masks, dtype=np.int64)


def expand_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + c)`` for every (s, c), without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    shift = starts - np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.repeat(shift, counts) + np.arange(total, dtype=np.int64)


def _distances(codes: np.ndarray, rows: np.ndarray, queries: np.ndarray, which: np.ndarray):
    # np.take is several times faster than fancy indexing for row gathers, and a sum of four
    # columns faster than a reduction over a length-4 axis
    xor = np.take(_native_words(codes), rows, axis=0)
    xor ^= np.take(_native_words(queries), which, axis=0)
    bits = np.bitwise_count(xor)
    return bits[:, 0].astype(np.int32) + bits[:, 1] + bits[:, 2] + bits[:, 3]


def _within(
    codes: np.ndarray, rows: np.ndarray, queries: np.ndarray, which: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = _distances(codes, rows, queries, which)
    keep = d <= radius
    return which[keep], rows[keep], d[keep]


def _flat_hits(codes: np.ndarray, queries: np.ndarray, radius: int, first_row: int = 0):
    """(query, row, distance) of every row of ``codes`` within ``radius``, by brute force."""
    words, qwords, hits = _native_words(codes), _native_words(queries), []
    for c0 in range(0, len(words), FLAT_BLOCK):
        columns = [np.ascontiguousarray(words[c0 : c0 + FLAT_BLOCK, j]) for j in range(4)]
        step = max(1, FLAT_PAIRS // len(columns[0]))
        for q0 in range(0, len(qwords), step):
            d = _flat_distances(qwords[q0 : q0 + step], columns)
            qi, ri = np.nonzero(d <= radius)
            hits.append((qi + q0, ri + c0 + first_row, d[qi, ri].astype(np.int32)))
    return _concat_hits(hits)


def _flat_distances(queries: np.ndarray, columns: list[np.ndarray]) -> np.ndarray:
    """(queries, codes) distances, one 64-bit column at a time, into reused buffers."""
    shape = (len(queries), len(columns[0]))
    total, xor, bits = (
        np.zeros(shape, np.uint16),
        np.empty(shape, np.uint64),
        np.empty(shape, np.uint8),
    )
    for j, column in enumerate(columns):
        np.bitwise_xor(queries[:, j : j + 1], column[None, :], out=xor)
        np.bitwise_count(xor, out=bits)
        total += bits
    return total


def _concat_hits(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]):
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int32)
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))


def _range_result(nq: int, which: np.ndarray, rows: np.ndarray, dist: np.ndarray) -> RangeResult:
    which, rows, dist = which.astype(np.int64), rows.astype(np.int64), dist.astype(np.int32)
    order = np.lexsort((rows, dist, which))
    which, rows, dist = which[order], rows[order], dist[order]
    if len(which):  # a near match hits in several substrings: keep one
        first = np.ones(len(which), dtype=bool)
        first[1:] = (which[1:] != which[:-1]) | (rows[1:] != rows[:-1])
        which, rows, dist = which[first], rows[first], dist[first]
    lims = np.searchsorted(which, np.arange(nq + 1), side="left").astype(np.int64)
    return RangeResult(lims, rows, dist)


def brute_force_search(codes: np.ndarray, queries: np.ndarray, radius: int) -> RangeResult:
    """The reference answer: every row within ``radius`` of each query, by full scan."""
    queries = _as_codes(queries)
    return _range_result(len(queries), *_flat_hits(_as_codes(codes), queries, radius))


class PdqIndex:
    """An exact range-search index over PDQ hashes. Rows are numbered in insertion order."""

    def __init__(
        self,
        codes: np.ndarray,
        plan: Plan,
        offsets: np.ndarray | None,
        postings: np.ndarray | None,
        indexed: int,
    ) -> None:
        self.codes = codes  # (n, 32) uint8; rows [indexed:] are the flat tail
        self.plan = plan
        self.offsets = offsets  # (substrings, 2**bits + 1) uint32
        self.postings = postings  # (substrings, indexed) uint32
        self.indexed = indexed
        self._masks = _flip_masks(plan.bits, plan.nflip) if plan.substrings else None

    # building ------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        codes: np.ndarray | Sequence[str],
        radius: int = DEFAULT_RADIUS,
        plan: Plan | None = None,
    ) -> PdqIndex:
        """Index ``codes`` for exact search up to ``radius`` (the plan is chosen when not given)."""
        codes = _as_codes(codes)
        plan = plan or plan_for(len(codes), radius)
        if plan.exact_radius < radius:
            raise ValueError(f"{plan} is exact only up to radius {plan.exact_radius}")
        offsets, postings = _build_tables(codes, plan)
        return cls(codes, plan, offsets, postings, len(codes))

    def add(self, codes: np.ndarray | Sequence[str]) -> range:
        """Append hashes (searched by flat scan until the tail is folded into the tables);
        returns their row numbers."""
        new = _as_codes(codes)
        first = len(self.codes)
        self.codes = np.concatenate([np.asarray(self.codes), new])
        tail = len(self.codes) - self.indexed
        if self.plan.substrings and tail >= max(MIN_TAIL_MERGE, self.indexed // 8):
            self.offsets, self.postings = _build_tables(self.codes, self.plan)
            self.indexed = len(self.codes)
        return range(first, len(self.codes))

    # searching -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def exact_radius(self) -> int:
        return self.plan.exact_radius

    def search(
        self, queries: np.ndarray | Sequence[str], radius: int = DEFAULT_RADIUS
    ) -> RangeResult:
        """Every row within ``radius`` bits of each query, exactly. A radius beyond what the
        tables guarantee falls back to a flat scan, so the answer is always complete."""
        queries = _as_codes(queries)
        if radius < 0:
            raise ValueError(f"radius must be >= 0, not {radius}")
        if not self.plan.substrings or radius > self.plan.exact_radius:
            return _range_result(len(queries), *_flat_hits(self.codes, queries, radius))
        parts = []
        for lo in range(0, len(queries), QUERY_BATCH):
            batch = queries[lo : lo + QUERY_BATCH]
            which, rows, dist = self._table_hits(batch, radius)
            parts.append((which + lo, rows, dist))
        if self.indexed < len(self.codes):
            parts.append(_flat_hits(self.codes[self.indexed :], queries, radius, self.indexed))
        return _range_result(len(queries), *_concat_hits(parts))

    def _table_hits(self, queries: np.ndarray, radius: int):
        plan, parts = self.plan, []
        for h in range(plan.substrings):
            keys = _substring_keys(queries, h * plan.bits, plan.bits)
            probes = (keys[:, None] ^ self._masks[None, :]).ravel()
            offsets = self.offsets[h]
            starts = np.take(offsets, probes).astype(np.int64)
            counts = np.take(offsets, probes + 1).astype(np.int64) - starts
            hit = np.flatnonzero(counts)
            if not len(hit):
                continue
            rows = np.take(self.postings[h], expand_ranges(starts[hit], counts[hit]))
            which = np.repeat(hit // len(self._masks), counts[hit])
            parts.append(_within(self.codes, rows, queries, which, radius))
        return _concat_hits(parts)

    # persisting ----------------------------------------------------------------------------

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Writes ``codes.npy``, ``offsets.npy``, ``postings.npy`` and ``index.json``."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "codes.npy", np.asarray(self.codes))
        if self.plan.substrings:
            np.save(path / "offsets.npy", np.asarray(self.offsets))
            np.save(path / "postings.npy", np.asarray(self.postings))
        meta = {
            "format": FORMAT,
            "plan": asdict(self.plan),
            "rows": len(self),
            "indexed": self.indexed,
        }
        (path / "index.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | os.PathLike[str], *, mmap: bool = True) -> PdqIndex:
        path = Path(directory)
        meta = json.loads((path / "index.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path} is not a {FORMAT} index: {meta.get('format')!r}")
        mode = "r" if mmap else None
        plan = Plan(**meta["plan"])
        codes = np.load(path / "codes.npy", mmap_mode=mode)
        if len(codes) != meta["rows"]:
            raise ValueError(f"{path}: codes.npy has {len(codes)} rows, index.json {meta['rows']}")
        tables = (
            (
                np.load(path / "offsets.npy", mmap_mode=mode),
                np.load(path / "postings.npy", mmap_mode=mode),
            )
            if plan.substrings
            else (None, None)
        )
        return cls(codes, plan, *tables, meta["indexed"])


def _build_tables(codes: np.ndarray, plan: Plan) -> tuple[np.ndarray | None, np.ndarray | None]:
    if not plan.substrings:
        return None, None
    n, size = len(codes), 1 << plan.bits
    if n >= 1 << 32:
        raise ValueError("at most 2**32 - 1 hashes per index")
    offsets = np.empty((plan.substrings, size + 1), dtype=np.uint32)
    postings = np.empty((plan.substrings, n), dtype=np.uint32)
    for h in range(plan.substrings):
        keys = _substring_keys(codes, h * plan.bits, plan.bits).astype(np.uint32)
        postings[h] = np.argsort(keys, kind="stable")  # radix sort for uint32
        offsets[h, 0] = 0
        np.cumsum(np.bincount(keys, minlength=size), out=offsets[h, 1:])
    return offsets, postings
