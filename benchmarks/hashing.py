"""PDQ throughput: ``pdq_hash_file(mode="fast")`` against a plain full decode, on real photos.

Baseline = what python-threatexchange does: Pillow full decode -> ``convert("RGB")`` ->
``pdqhash.compute``. Both run side by side in one process, alternating which goes first, over
the landmark photos (``shared/data/landmarks/**/*.jpg``) and the PDQ reference images
(``shared/data/pdq-reference``). Threads are pinned to one so that BLAS cannot make the fast
path look better than it is on a loaded machine.

    .venv/bin/python benchmarks/hashing.py [--repeats 5] [--json] [--sweep 128,192,256,384]

images/s is the number of images over the median wall time of one pass over the set. Distances
are fast vs baseline hash, over the images whose baseline quality is >= 80.
"""

import os

os.environ["OMP_NUM_THREADS"] = "1"  # before numpy is imported: one BLAS thread
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

from watchfloor import pdq

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass
class Row:
    name: str
    images: int
    baseline_per_s: float
    exact_per_s: float
    fast_per_s: float
    speedup: float
    compared: int
    max_bits: int
    mean_bits: float


def baseline_hash(path: Path) -> tuple[str, int]:
    vector, quality = pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
    return np.packbits(vector.astype(np.uint8)).tobytes().hex(), int(quality)


def fast_hash(path: Path) -> tuple[str, int]:
    result = pdq.pdq_hash_file(path, mode="fast")
    return result.hash, result.quality


def exact_hash(path: Path) -> tuple[str, int]:
    result = pdq.pdq_hash_file(path, mode="exact")
    return result.hash, result.quality


def fast_hash_at(reduce_to: int) -> Callable[[Path], tuple[str, int]]:
    def run(path: Path) -> tuple[str, int]:
        result = pdq._fast_result(path, pdq.DEFAULT_MAX_PIXELS, reduce_to)
        return result.hash, result.quality

    return run


def find_images(data: Path) -> dict[str, list[Path]]:
    landmarks = sorted((data / "landmarks").rglob("*.jpg"))
    reference = sorted(
        p for p in (data / "pdq-reference").rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES
    )
    if not landmarks or not reference:
        sys.exit(f"no images under {data} (landmarks/, pdq-reference/)")
    large = [p for p in landmarks + reference if p.suffix.lower() != ".png" and _is_large(p)]
    return {
        "all": landmarks + reference,
        "landmarks": landmarks,
        "pdq-reference": reference,
        "JPEG, long side >= 1000": large,
    }


def _is_large(path: Path) -> bool:
    with Image.open(path) as im:
        return max(im.size) >= 1000


def seconds_per_pass(
    hashers: dict[str, Callable[[Path], tuple[str, int]]], paths: list[Path], repeats: int
) -> dict[str, float]:
    """Median time of one pass over ``paths`` per hasher; the order rotates every repeat."""
    names = list(hashers)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            for path in paths:
                hashers[name](path)
            timings[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in timings.items()}


def distances(paths: list[Path], hasher: Callable[[Path], tuple[str, int]]) -> list[int]:
    found = []
    for path in paths:
        reference, quality = baseline_hash(path)
        if quality >= 80:
            found.append(pdq.hamming_distance(hasher(path)[0], reference))
    return found


def measure(name: str, paths: list[Path], repeats: int) -> Row:
    hashers = {"baseline": baseline_hash, "exact": exact_hash, "fast": fast_hash}
    seconds = seconds_per_pass(hashers, paths, repeats)
    bits = distances(paths, fast_hash)
    return Row(
        name=name,
        images=len(paths),
        baseline_per_s=len(paths) / seconds["baseline"],
        exact_per_s=len(paths) / seconds["exact"],
        fast_per_s=len(paths) / seconds["fast"],
        speedup=seconds["baseline"] / seconds["fast"],
        compared=len(bits),
        max_bits=max(bits, default=0),
        mean_bits=float(np.mean(bits)) if bits else 0.0,
    )


def sweep(paths: list[Path], sizes: list[int], repeats: int) -> list[dict[str, float]]:
    hashers = {"baseline": baseline_hash} | {f"fast@{n}": fast_hash_at(n) for n in sizes}
    seconds = seconds_per_pass(hashers, paths, repeats)
    rows = []
    for n in sizes:
        bits = distances(paths, hashers[f"fast@{n}"])
        rows.append(
            {
                "reduce_to": n,
                "fast_per_s": len(paths) / seconds[f"fast@{n}"],
                "speedup": seconds["baseline"] / seconds[f"fast@{n}"],
                "max_bits": max(bits, default=0),
                "mean_bits": float(np.mean(bits)) if bits else 0.0,
            }
        )
    return rows


def print_table(rows: list[Row], repeats: int) -> None:
    print(
        f"PDQ images/s, median of {repeats} passes, 1 thread; fast mode reduces to a shorter "
        f"side >= {pdq.FAST_REDUCE_TO} px; bits = fast vs baseline over images with quality >= 80"
    )
    header = (
        f"{'set':<24} {'n':>3} {'baseline/s':>10} {'exact/s':>8} {'fast/s':>8} "
        f"{'speedup':>7} {'q>=80':>5} {'max bits':>8} {'mean bits':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.name:<24} {r.images:>3} {r.baseline_per_s:>10.1f} {r.exact_per_s:>8.1f} "
            f"{r.fast_per_s:>8.1f} {r.speedup:>6.2f}x {r.compared:>5} {r.max_bits:>8} "
            f"{r.mean_bits:>9.2f}"
        )


def print_sweep(rows: list[dict[str, float]]) -> None:
    print("\nreduce_to sweep over all images (same baseline):")
    print(f"{'reduce_to':>9} {'fast/s':>8} {'speedup':>7} {'max bits':>8} {'mean bits':>9}")
    for r in rows:
        print(
            f"{r['reduce_to']:>9} {r['fast_per_s']:>8.1f} {r['speedup']:>6.2f}x "
            f"{r['max_bits']:>8} {r['mean_bits']:>9.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="shared/data folder")
    parser.add_argument("--repeats", type=int, default=5, help="passes per hasher and set")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--sweep", default="", help="comma-separated reduce_to values to compare as well"
    )
    args = parser.parse_args(argv)
    sets = find_images(args.data)
    for hasher in (baseline_hash, exact_hash, fast_hash):  # warm caches, page in the files
        for path in sets["all"]:
            hasher(path)
    rows = [measure(name, paths, args.repeats) for name, paths in sets.items()]
    sizes = [int(n) for n in args.sweep.split(",") if n.strip()]
    swept = sweep(sets["all"], sizes, args.repeats) if sizes else []
    if args.json:
        report = {
            "repeats": args.repeats,
            "threads": 1,
            "fast_reduce_to": pdq.FAST_REDUCE_TO,
            "sets": [asdict(r) for r in rows],
            "sweep": swept,
        }
        print(json.dumps(report, indent=2))
    else:
        print_table(rows, args.repeats)
        if swept:
            print_sweep(swept)
    return 0


if __name__ == "__main__":
    sys.exit(main())
