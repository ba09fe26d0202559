"""PDQ bank look-ups at radius 31: Watchfloor's index against faiss, side by side, exact.

    .venv/bin/python benchmarks/matching.py [--large] [--sizes 1000000,...] [--queries 2000]
                                            [--json] [--no-multihash] [--sweep]

Bank: n random 256-bit hashes (seeded). Queries: copies of bank rows with exactly d bits
flipped, ``--per-distance`` of them for every d in 0..40 (d <= 31 must be found, d >= 32 must
not be), and random hashes for the rest (they match nothing: the chance that a random hash is
within 31 bits of one of ten million is below 1e-50).

Contenders, each in its own child process so that build time and peak RSS are its own:

- ``watchfloor``: ``PdqIndex`` (multi-index hashing, plan chosen for n), saved, then loaded
  memory-mapped as the analyzer uses it; one thread. ``watchfloor x2``: the same loaded index
  shared by two forked processes answering half the queries each, as the analyzer's workers do.
- ``faiss-flat``: ``IndexBinaryFlat.range_search``, the exact brute-force baseline (faiss's
  own threads: all cores); at ten million it answers a subset of the queries.
- ``faiss-multihash``: ``IndexBinaryMultiHash`` 16 x 16 bits with ``nflip=1`` (exact at 31 by the
  same pigeonhole argument), all cores.

recall = planted matches found at d <= 31 / planted; "false" = planted rows reported at d >= 32
(must be 0); "agrees" = the same (query, row, distance) set as faiss-flat on the queries both
answered. ``--sweep`` times several plans of ``PdqIndex`` instead (to calibrate its cost model).
``--large`` adds a bank of ten million.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from watchfloor.matching.index import PdqIndex, Plan, RangeResult, plan_for

RADIUS = 31
MAX_PLANTED = 40
SEED = 20261129
FLAT_BUDGET = 2_000_000_000  # distances computed by faiss-flat per size (~5-10 s here)
PROCESSES = 2  # the development machine's cores
SWEEP_PLANS = [(16, 16, 1), (19, 13, 2), (20, 12, 2), (21, 12, 2), (22, 11, 2), (23, 11, 2)]


@dataclass
class Row:
    index: str
    n: int
    plan: str
    build_s: float
    load_s: float | None
    queries: int
    qps: float
    us_per_query: float
    recall: float
    false_matches: int
    agrees_with_flat: bool | None
    peak_rss_mb: float
    disk_mb: float | None


@dataclass
class Workload:
    bank: np.ndarray
    queries: np.ndarray
    planted_row: np.ndarray  # -1 for random queries
    planted_distance: np.ndarray


def make_bank(n: int, seed: int = SEED) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 32), dtype=np.uint8)


def make_workload(n: int, nq: int, per_distance: int) -> Workload:
    bank = make_bank(n)
    rng = np.random.default_rng(SEED + 1)
    distances = np.repeat(np.arange(MAX_PLANTED + 1), per_distance)
    rows = rng.integers(0, n, len(distances))
    bits = np.unpackbits(bank[rows], axis=1)
    for i, d in enumerate(distances):
        bits[i, rng.choice(256, d, replace=False)] ^= 1
    planted = np.packbits(bits, axis=1)
    randoms = rng.integers(0, 256, (max(nq - len(planted), 0), 32), dtype=np.uint8)
    order = rng.permutation(len(planted) + len(randoms))
    queries = np.concatenate([planted, randoms])[order]
    planted_row = np.concatenate([rows, np.full(len(randoms), -1)])[order]
    planted_distance = np.concatenate([distances, np.full(len(randoms), -1)])[order]
    return Workload(bank, queries, planted_row, planted_distance)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(work: Workload, result: RangeResult, nq: int) -> tuple[float, int]:
    """Recall on the planted queries at d <= 31, and planted rows reported at d >= 32."""
    found, wanted, false = 0, 0, 0
    for q in range(nq):
        row, d = work.planted_row[q], work.planted_distance[q]
        if row < 0:
            continue
        hit = row in set(result.ids[result.lims[q] : result.lims[q + 1]].tolist())
        if d <= RADIUS:
            wanted += 1
            found += hit
        else:
            false += hit
    return (found / wanted if wanted else 1.0), false


def pairs(result: RangeResult, nq: int) -> set[tuple[int, int, int]]:
    return {
        (q, int(r), int(d))
        for q in range(nq)
        for r, d in zip(
            result.ids[result.lims[q] : result.lims[q + 1]],
            result.distances[result.lims[q] : result.lims[q + 1]],
            strict=True,
        )
    }


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


# contenders ----------------------------------------------------------------------------------


def run_watchfloor(work: Workload, nq: int, plan: Plan | None = None) -> tuple[dict, RangeResult]:
    index, build_s = timed(lambda: PdqIndex.build(work.bank, RADIUS, plan))
    folder = Path(tempfile.mkdtemp(prefix="wf-bench-index-"))
    try:
        index.save(folder)
        disk_mb = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        del index
        loaded, load_s = timed(lambda: PdqIndex.load(folder))
        loaded.search(work.queries[: min(200, nq)], RADIUS)  # page the tables in
        result, search_s = timed(lambda: loaded.search(work.queries[:nq], RADIUS))
        pooled_s = search_in_processes(loaded, work.queries[:nq], PROCESSES)
        info = {"plan": _plan_name(loaded.plan), "build_s": build_s, "load_s": load_s}
        return info | {"search_s": search_s, "pooled_s": pooled_s, "disk_mb": disk_mb}, result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_SHARED: dict[str, object] = {}


def _search_part(part: int) -> int:
    index, parts = _SHARED["index"], _SHARED["parts"]
    return len(index.search(parts[part], RADIUS).ids)


def search_in_processes(index: PdqIndex, queries: np.ndarray, processes: int) -> float:
    """Seconds for ``processes`` forked processes, sharing the memory-mapped index as the
    analyzer's worker processes do, to answer the queries between them."""
    _SHARED["index"], _SHARED["parts"] = index, np.array_split(queries, processes)
    with mp.get_context("fork").Pool(processes) as pool:
        pool.map(_search_part, range(processes))  # warm up each process
        _found, seconds = timed(lambda: pool.map(_search_part, range(processes)))
    return seconds


def _plan_name(plan: Plan) -> str:
    if not plan.substrings:
        return "flat"
    return f"{plan.substrings}x{plan.bits}b nflip={plan.nflip}"


def _faiss_result(lims: np.ndarray, distances: np.ndarray, ids: np.ndarray) -> RangeResult:
    return RangeResult(lims.astype(np.int64), ids.astype(np.int64), distances.astype(np.int32))


def run_faiss(work: Workload, nq: int, multihash: bool) -> tuple[dict, RangeResult]:
    import faiss

    def build():
        if multihash:
            index = faiss.IndexBinaryMultiHash(256, 16, 16)
            index.nflip = 1
        else:
            index = faiss.IndexBinaryFlat(256)
        index.add(work.bank)
        return index

    index, build_s = timed(build)
    index.range_search(work.queries[: min(20, nq)], RADIUS + 1)  # warm up
    # faiss counts a binary range as distance < radius
    (lims, dist, ids), search_s = timed(lambda: index.range_search(work.queries[:nq], RADIUS + 1))
    plan = "16x16b nflip=1" if multihash else "brute force"
    info = {"plan": plan, "build_s": build_s, "load_s": None, "search_s": search_s}
    return info | {"disk_mb": None}, _faiss_result(lims, dist, ids)


def contender(name: str, n: int, nq: int, answer: int, per_distance: int, plan, out) -> None:
    """Runs in a child process: answers the first ``answer`` of ``nq`` queries; sends back
    (info, pairs) through ``out``."""
    work = make_workload(n, nq, per_distance)
    nq = answer
    if name == "watchfloor":
        info, result = run_watchfloor(work, nq, Plan(*plan) if plan else None)
    else:
        info, result = run_faiss(work, nq, multihash=name == "faiss-multihash")
    recall, false = score(work, result, nq)
    info |= {"recall": recall, "false": false, "peak_rss_mb": peak_rss_mb(), "queries": nq}
    out.send((info, pairs(result, nq)))
    out.close()


def in_child(name: str, n: int, nq: int, answer: int, per_distance: int, plan=None):
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=contender, args=(name, n, nq, answer, per_distance, plan, send))
    proc.start()
    info, found = receive.recv()
    proc.join()
    return info, found


# running -------------------------------------------------------------------------------------


def measure(n: int, nq: int, per_distance: int, multihash: bool) -> list[Row]:
    flat_nq = min(nq, max(100, FLAT_BUDGET // n))
    names = ["watchfloor", "faiss-flat"] + (["faiss-multihash"] if multihash else [])
    results = {}
    for name in names:
        print(f"  n={n:,} {name} ...", file=sys.stderr, flush=True)
        answer = flat_nq if name == "faiss-flat" else nq
        results[name] = in_child(name, n, nq, answer, per_distance)
    reference = results["faiss-flat"][1]
    rows = []
    for name in names:
        info, found = results[name]
        common = {p for p in found if p[0] < flat_nq}
        agrees = None if name == "faiss-flat" else common == reference
        rows.append(_row(name, n, info, agrees))
        if "pooled_s" in info:
            pooled = info | {"search_s": info["pooled_s"]}
            rows.append(_row(f"{name} x{PROCESSES}", n, pooled, agrees))
    return rows


def _row(name: str, n: int, info: dict, agrees: bool | None) -> Row:
    qps = info["queries"] / info["search_s"]
    return Row(
        index=name,
        n=n,
        plan=info["plan"],
        build_s=round(info["build_s"], 2),
        load_s=None if info["load_s"] is None else round(info["load_s"], 3),
        queries=info["queries"],
        qps=round(qps, 1),
        us_per_query=round(1e6 / qps, 1),
        recall=info["recall"],
        false_matches=info["false"],
        agrees_with_flat=agrees,
        peak_rss_mb=round(info["peak_rss_mb"], 1),
        disk_mb=None if info["disk_mb"] is None else round(info["disk_mb"], 1),
    )


def sweep(n: int, nq: int, per_distance: int) -> list[Row]:
    rows = []
    for plan in SWEEP_PLANS:
        print(f"  n={n:,} plan {plan} ...", file=sys.stderr, flush=True)
        info, _found = in_child("watchfloor", n, nq, nq, per_distance, plan)
        rows.append(_row("watchfloor", n, info, None))
    print(f"  planner's choice for n={n:,}: {_plan_name(plan_for(n))}", file=sys.stderr)
    return rows


def print_table(rows: list[Row]) -> None:
    head = (
        f"{'index':16s} {'n':>11s} {'plan':16s} {'build s':>8s} {'load s':>7s} {'queries':>7s}"
        f" {'q/s':>8s} {'us/q':>8s} {'recall':>6s} {'false':>5s} {'agrees':>6s}"
        f" {'peak MB':>8s} {'disk MB':>8s}"
    )
    print(head)
    for r in rows:
        agrees = "-" if r.agrees_with_flat is None else ("yes" if r.agrees_with_flat else "NO")
        load = "-" if r.load_s is None else f"{r.load_s:.3f}"
        disk = "-" if r.disk_mb is None else f"{r.disk_mb:.1f}"
        print(
            f"{r.index:16s} {r.n:>11,} {r.plan:16s} {r.build_s:>8.2f} {load:>7s} {r.queries:>7d}"
            f" {r.qps:>8.1f} {r.us_per_query:>8.1f} {r.recall:>6.3f} {r.false_matches:>5d}"
            f" {agrees:>6s} {r.peak_rss_mb:>8.1f} {disk:>8s}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000", help="bank sizes, comma-separated")
    parser.add_argument("--large", action="store_true", help="add a bank of 10,000,000")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--per-distance", type=int, default=20, help="planted queries per d")
    parser.add_argument("--no-multihash", action="store_true", help="skip faiss-multihash")
    parser.add_argument("--sweep", action="store_true", help="time PdqIndex plans instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] + ([10_000_000] if args.large else [])
    rows = []
    for n in sizes:
        if args.sweep:
            rows += sweep(n, args.queries, args.per_distance)
        else:
            rows += measure(n, args.queries, args.per_distance, not args.no_multihash)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print_table(rows)
    exact = all(r.recall == 1.0 and r.false_matches == 0 for r in rows)
    return 0 if exact and all(r.agrees_with_flat is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
