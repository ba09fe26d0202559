"""The PDQ index: exact at its radius (against brute force and faiss), persisted, extendable."""

from __future__ import annotations

import json
from itertools import pairwise

import faiss
import numpy as np
import pytest

from watchfloor.matching.index import (
    BITS,
    FLAT,
    PdqIndex,
    Plan,
    RangeResult,
    brute_force_search,
    hashes_from_hex,
    hashes_to_hex,
    plan_for,
)

# Plans small enough for tests (the 2**23-key tables of big banks are exercised by the benchmark).
PLANS = [Plan(16, 16, 1), Plan(20, 12, 2), Plan(12, 21, 1), Plan(8, 32, 0), Plan(13, 19, 1), FLAT]


def random_codes(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 32), dtype=np.uint8)


def flip(code: np.ndarray, positions) -> np.ndarray:
    bits = np.unpackbits(code)
    bits[list(positions)] ^= 1
    return np.packbits(bits)


def planted_queries(bank: np.ndarray, seed: int, per_distance: int = 3, top: int = 40):
    """Bank rows with exactly d random bits flipped, for d in 0..top, and random hashes."""
    rng = np.random.default_rng(seed)
    queries, truth = [], []
    for d in range(top + 1):
        for _ in range(per_distance):
            row = int(rng.integers(len(bank)))
            queries.append(flip(bank[row], rng.choice(BITS, d, replace=False)))
            truth.append((row, d))
    queries += list(random_codes(20, seed + 1))
    return np.array(queries), truth


def as_set(result: RangeResult) -> set[tuple[int, int, int]]:
    return {(q, row, d) for q in range(len(result.lims) - 1) for row, d in result.for_query(q)}


def adversarial(code: np.ndarray, plan: Plan, radius: int) -> np.ndarray:
    """A hash exactly ``radius`` bits away with the flips spread so that every substring but
    one differs in more than ``nflip`` bits: found only through that one substring's probes."""
    positions, left = [], radius
    for h in range(plan.substrings):
        take = min(plan.nflip + 1 if h else plan.nflip, left, plan.bits)
        positions += [h * plan.bits + i for i in range(take)]
        left -= take
    covered = plan.substrings * plan.bits
    positions += list(range(covered, covered + left))  # bits outside every substring
    assert len(positions) == radius and left <= BITS - covered
    return flip(code, positions)


def test_every_plan_the_planner_picks_is_exact_by_pigeonhole():
    for n in (0, 1, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000):
        for radius in (0, 8, 15, 31, 32, 47, 63, 100, 256):
            plan = plan_for(n, radius)
            assert plan.exact_radius >= radius
            if plan.substrings:
                assert plan.substrings * (plan.nflip + 1) > radius
                assert plan.substrings * plan.bits <= BITS
    assert plan_for(10_000_000) == Plan(23, 11, 2)  # 33 > 31: exact at PDQ's threshold
    with pytest.raises(ValueError):
        plan_for(10, -1)


@pytest.mark.parametrize("plan", PLANS, ids=str)
def test_range_search_equals_brute_force(plan):
    bank = random_codes(20_000, seed=1)
    queries, truth = planted_queries(bank, seed=2)
    index = PdqIndex.build(bank, radius=min(31, plan.exact_radius), plan=plan)
    radius = min(31, plan.exact_radius)
    got = index.search(queries, radius)
    assert as_set(got) == as_set(brute_force_search(bank, queries, radius))
    for q, (row, d) in enumerate(truth):
        assert (row in dict(got.for_query(q))) == (d <= radius), (q, row, d)
    for q in range(len(queries)):
        distances = [d for _row, d in got.for_query(q)]
        assert distances == sorted(distances)


@pytest.mark.parametrize("plan", [Plan(16, 16, 1), Plan(20, 12, 2), Plan(13, 19, 1)], ids=str)
def test_worst_case_spread_of_flips_is_found(plan):
    bank = random_codes(5_000, seed=3)
    radius = plan.exact_radius
    queries = np.array([adversarial(bank[i], plan, r) for i in range(50) for r in (radius, 31)])
    found = PdqIndex.build(bank, radius, plan).search(queries, radius)
    for q in range(len(queries)):
        assert q // 2 in dict(found.for_query(q))


def test_the_worst_case_defeats_too_few_flips():
    """The worst-case queries above are a real test: probing with one flip too few misses them."""
    bank = random_codes(5_000, seed=3)
    plan = Plan(16, 16, 1)
    queries = np.array([adversarial(bank[i], plan, 31) for i in range(50)])
    short = PdqIndex.build(bank, 15, Plan(16, 16, 0))
    which, rows, _d = short._table_hits(queries, 31)
    assert not set(zip(which.tolist(), rows.tolist(), strict=True)) & {(i, i) for i in range(50)}
    assert as_set(short.search(queries, 31)) == as_set(brute_force_search(bank, queries, 31))


def test_agrees_with_faiss_flat_range_search():
    bank = random_codes(30_000, seed=4)
    queries, _truth = planted_queries(bank, seed=5, per_distance=5)
    flat = faiss.IndexBinaryFlat(BITS)
    flat.add(bank)
    lims, distances, ids = flat.range_search(queries, 32)  # faiss: distance < radius
    expected = RangeResult(lims.astype(np.int64), ids.astype(np.int64), distances.astype(np.int32))
    assert as_set(PdqIndex.build(bank).search(queries, 31)) == as_set(expected)


def test_hex_round_trip_and_bit_order():
    values = ["f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", "0" * 63 + "1"]
    codes = hashes_from_hex(values)
    assert hashes_to_hex(codes) == values
    assert codes[1, 31] == 1 and codes[0, 0] == 0xF8  # most significant bit first
    for bad in (["abc"], ["g" * 64], [b"\x00" * 32]):
        with pytest.raises(ValueError):
            hashes_from_hex(bad)
    with pytest.raises(ValueError):
        PdqIndex.build(np.zeros((3, 16), dtype=np.uint8))


def test_a_radius_beyond_the_plan_is_still_answered_exactly():
    bank = random_codes(3_000, seed=6)
    queries, _truth = planted_queries(bank, seed=7, top=60)
    index = PdqIndex.build(bank, 31, Plan(16, 16, 1))
    assert as_set(index.search(queries, 50)) == as_set(brute_force_search(bank, queries, 50))
    with pytest.raises(ValueError):
        PdqIndex.build(bank, 40, Plan(16, 16, 1))


def test_add_appends_rows_searched_before_and_after_folding():
    bank = random_codes(13_000, seed=8)
    index = PdqIndex.build(bank[:8_000], plan=Plan(16, 16, 1))
    assert index.add(bank[8_000:8_010]) == range(8_000, 8_010)
    assert index.indexed == 8_000  # a short tail is scanned, not indexed
    queries, _truth = planted_queries(bank, seed=9)
    assert as_set(index.search(queries)) == as_set(brute_force_search(bank[:8_010], queries, 31))
    index.add(bank[8_010:])
    assert index.indexed == len(index) == 13_000  # a long tail is folded into the tables
    assert as_set(index.search(queries)) == as_set(brute_force_search(bank, queries, 31))


@pytest.mark.parametrize("mmap", [True, False])
def test_save_and_load(tmp_path, mmap):
    bank = random_codes(10_000, seed=10)
    index = PdqIndex.build(bank[:9_000])
    index.add(bank[9_000:9_100])
    index.save(tmp_path / "ix")
    loaded = PdqIndex.load(tmp_path / "ix", mmap=mmap)
    assert isinstance(loaded.codes, np.memmap) == mmap
    assert (loaded.plan, loaded.indexed, len(loaded)) == (index.plan, 9_000, 9_100)
    queries, _truth = planted_queries(bank[:9_100], seed=11)
    assert as_set(loaded.search(queries)) == as_set(index.search(queries))
    meta = json.loads((tmp_path / "ix" / "index.json").read_text())
    (tmp_path / "ix" / "index.json").write_text(json.dumps(meta | {"format": "other"}))
    with pytest.raises(ValueError, match="not a"):
        PdqIndex.load(tmp_path / "ix")


def test_empty_index_and_empty_queries():
    empty = PdqIndex.build(np.zeros((0, 32), dtype=np.uint8))
    result = empty.search(random_codes(3, seed=12))
    assert result.lims.tolist() == [0, 0, 0, 0] and len(result.ids) == 0
    bank = random_codes(2_000, seed=13)
    none = PdqIndex.build(bank).search(np.zeros((0, 32), dtype=np.uint8))
    assert none.lims.tolist() == [0]


def test_a_near_match_in_many_substrings_is_reported_once():
    bank = random_codes(4_000, seed=14)
    result = PdqIndex.build(bank, plan=Plan(16, 16, 1)).search(bank[:10])
    for q in range(10):
        rows = [row for row, _d in result.for_query(q)]
        assert rows == [q]
    assert all(b - a == 1 for a, b in pairwise(result.lims.tolist()))
