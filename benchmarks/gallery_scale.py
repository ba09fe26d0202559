"""The landmark gallery index at scale: build time, peak memory and query time with 1,000 and
10,000 reference images.

    .venv/bin/python benchmarks/gallery_scale.py [--sizes 1000,10000] [--descriptors 4000]
                                                 [--queries 50] [--json]

Reference images are synthetic *descriptor sets drawn from real ones*: RootSIFT descriptors of
the 45 photos of ../shared/data/landmarks (SIFT at 1024 px, as the analyzer computes them; of
synthetic textured scenes when the photos are absent) pooled, and each synthetic reference
image draws ``--descriptors`` of them at random with Gaussian noise (sigma 0.02 per dimension,
clipped and renormalised). SIFT extraction itself (0.2-0.5 s per photo, cached per image by
SHA-256) is not part of the figures: it is paid once per image whatever the index.

Each size runs in its own child process (so peak RSS is its own): the vocabulary is trained on
a sample, every image's descriptors are generated, assigned to words and dropped (as the
analyzer's build streams cached features), the inverted file is written and opened
memory-mapped the way workers open it. Queries: ``--queries`` gallery images regenerated with
more noise and half their descriptors dropped; "recall" = the source image is on the shortlist
(20). Verification then costs the same ~20 pairs whatever the gallery size.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from watchfloor.matching.verify import extract_features
from watchfloor.vision.landmark_build import write_index
from watchfloor.vision.landmark_eval import synthetic_scenes
from watchfloor.vision.landmark_index import (
    GalleryIndex,
    GalleryRef,
    IndexParams,
    Vocabulary,
)

LANDMARKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "landmarks"
SEED = 20261129
NOISE = 0.02
SHORTLIST = 20


def descriptor_pool(params: IndexParams) -> tuple[np.ndarray, str]:
    photos = sorted(LANDMARKS.glob("*/*.jpg"))
    source = "the 45 landmark photos"
    if not photos:
        photos = synthetic_scenes(20, Path(tempfile.mkdtemp(prefix="scale-scenes-")))
        source = "20 synthetic scenes"
    pool = np.concatenate([extract_features(p, params.features).root_sift for p in photos])
    return pool, source


def synthetic_image(pool: np.ndarray, image: int, count: int, noise: float = NOISE):
    rng = np.random.default_rng((SEED, image))
    rows = pool[rng.integers(0, len(pool), count)]
    noisy = np.clip(rows + rng.normal(0, noise, rows.shape).astype(np.float32), 0, None)
    return noisy / np.maximum(np.linalg.norm(noisy, axis=1, keepdims=True), 1e-12)


def query_of(pool: np.ndarray, image: int, count: int) -> np.ndarray:
    rows = synthetic_image(pool, image, count)
    rng = np.random.default_rng((SEED, image, 1))
    kept = rows[rng.random(len(rows)) < 0.5]
    noisy = np.clip(kept + rng.normal(0, NOISE, kept.shape).astype(np.float32), 0, None)
    return noisy / np.maximum(np.linalg.norm(noisy, axis=1, keepdims=True), 1e-12)


def run_size(size: int, descriptors: int, queries: int, pool_file: str, out) -> None:
    pool = np.load(pool_file)
    params = IndexParams()
    root = Path(tempfile.mkdtemp(prefix="gallery-scale-"))
    started = time.perf_counter()
    per_image = params.sample_per(size)
    sample = np.concatenate([synthetic_image(pool, i, per_image) for i in range(size)])
    vocabulary = Vocabulary.train(sample, params)
    del sample
    trained = time.perf_counter() - started
    words = [vocabulary.assign(synthetic_image(pool, i, descriptors)) for i in range(size)]
    (root / "vocabulary").mkdir()
    vocabulary.save(root / "vocabulary")
    entries = [
        {
            "id": i,
            "sha256": f"{i:064x}",
            "landmark": f"place {i // 5}",
            "city": None,
            "country": None,
            "lat": None,
            "lon": None,
        }
        for i in range(size)
    ]
    meta = {
        "format": "benchmark",
        "vocabulary": "vocabulary",
        "trained_on": size,
        "entries": entries,
    }
    write_index(root / "index", words, len(vocabulary), meta)
    del words
    built = time.perf_counter() - started
    index = GalleryIndex(GalleryRef(str(root), str(root), "index", "bench", params))
    rng = np.random.default_rng(SEED)
    targets = rng.choice(size, min(queries, size), replace=False)
    found, elapsed = 0, 0.0
    for target in targets:
        query = query_of(pool, int(target), descriptors)
        t = time.perf_counter()
        rows = index.shortlist(index.scores_of(query), SHORTLIST)
        elapsed += time.perf_counter() - t
        found += int(target) in rows
    disk = sum(p.stat().st_size for p in (root / "index").iterdir())
    out.put(
        {
            "gallery_images": size,
            "descriptors_per_image": descriptors,
            "words": len(vocabulary),
            "train_s": round(trained, 1),
            "build_s": round(built, 1),
            "index_mb_on_disk": round(disk / 1e6, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "shortlist_ms": round(1000 * elapsed / len(targets), 1),
            "recall_at_20": round(found / len(targets), 3),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--descriptors", type=int, default=4000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    pool, source = descriptor_pool(IndexParams())
    rows = []
    context = mp.get_context("spawn")  # a forked child would count the parent's pages
    pool_file = Path(tempfile.mkdtemp(prefix="scale-pool-")) / "pool.npy"
    np.save(pool_file, pool)
    for size in (int(s) for s in args.sizes.split(",")):
        queue = context.Queue()
        child = context.Process(
            target=run_size, args=(size, args.descriptors, args.queries, str(pool_file), queue)
        )
        child.start()
        rows.append(queue.get())
        child.join()
        if not args.json:
            print(rows[-1], flush=True)
    report = {"descriptor_pool": f"{len(pool)} RootSIFT descriptors of {source}", "rows": rows}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(report["descriptor_pool"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
