"""Pipeline throughput: images/s and posts/s with 1 and 2 local workers and on a 2-worker Dask
LocalCluster, with the scaling ratio against 1 local worker side by side.

    .venv/bin/python benchmarks/pipeline.py [--images 120] [--posts 600] [--only A,B,...]
                                            [--db URL] [--json]

Set-up (not timed): a workspace (SQLite, or ``--db`` such as PostgreSQL) with an export of
``--images`` synthetic 800x600 JPEG photos (textured scenes, each captioned) and ``--posts``
text posts (``benchmarks/text_mix.py``: benign posts in five languages and reposted propaganda
exemplars), ingested. Then for each mode the analyzers of ``--only`` run from scratch (their
signals, state and quarantine removed) through ``run_analysis``, as ``watchfloor analyze`` does,
twice: the first run loads the models and fills the caches (its wall time is ``cold_wall_s``),
the second is measured. The media analyzers run first, then the post analyzers, each group
timed on its own: images/s and posts/s (captions included) over its wall time, and per CPU
second (this process, a local pool's workers, or the cluster's worker processes), which
depends much less on what else runs on the machine than wall-clock rates (the load average is
reported). The cluster (two worker processes, one thread each, reading media from a shared copy
behind an fsspec URL in a temporary directory, as with ``WATCHFLOOR_MEDIA_URL``) is started
before its runs and its start-up is reported on its own.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests.exports import message, single_chat, write_export  # noqa: E402
from tests.test_landmark_gallery import scene  # noqa: E402

from text_mix import make_mix  # noqa: E402
from watchfloor.analyzers.registry import AnalyzerRegistry  # noqa: E402
from watchfloor.config import load_settings  # noqa: E402
from watchfloor.ingest import ingest_paths  # noqa: E402
from watchfloor.pipeline import run_analysis  # noqa: E402
from watchfloor.store import open_store  # noqa: E402
from watchfloor.store.schema import analysis_state, quarantine, signals  # noqa: E402

DEFAULT_ONLY = "digests,pdq,match,md5_match,exif,crops,language,threat"


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def write_corpus(root: Path, images: int, posts: int) -> Path:
    texts = make_mix(images + posts, 0.7, seed=11)
    (root / "photos").mkdir(parents=True)
    msgs = []
    for i in range(images):
        scene(root / "photos" / f"p{i}.jpg", i, size=(800, 600))
        msgs.append(message(i + 1, texts[i], photo=f"photos/p{i}.jpg"))
    msgs += [message(images + j + 1, texts[images + j]) for j in range(posts)]
    return write_export(root, single_chat(msgs))


def forget_analysis(store) -> None:
    with store.begin() as conn:
        conn.execute(delete(signals))
        conn.execute(delete(analysis_state))
        conn.execute(delete(quarantine).where(quarantine.c.stage == "analyze"))


def cpu_seconds(client: Any = None) -> float:
    """CPU time of this process, its reaped children (a local pool's workers) and, given a
    Dask client, the cluster's worker processes."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    total = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    if client is not None:
        total += sum(client.run(_worker_cpu).values())
    return total


def _worker_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def warm_run(store, settings, registry, groups, workers: int, counts, client=None) -> dict:
    cold = timed_run(store, settings, registry, groups, workers, counts, client)
    return timed_run(store, settings, registry, groups, workers, counts, client) | {
        "cold_wall_s": cold["wall_s"]
    }


def timed_run(store, settings, registry, groups, workers: int, counts, client=None) -> dict:
    """The media analyzers, then the post analyzers, each timed in wall and CPU seconds."""
    forget_analysis(store)
    result: dict[str, Any] = {"wall_s": 0.0, "per_analyzer_s": {}, "problems": 0}
    for unit, names in groups.items():
        cpu, started = cpu_seconds(client), time.perf_counter()
        report = run_analysis(store, settings, registry, workers=workers, only=names)
        wall, cpu = time.perf_counter() - started, cpu_seconds(client) - cpu
        result[f"{unit}_per_s"] = round(counts[unit] / wall, 2)
        result[f"{unit}_per_cpu_s"] = round(counts[unit] / cpu, 2)
        result["wall_s"] = round(result["wall_s"] + wall, 2)
        result["per_analyzer_s"] |= {a.analyzer: a.seconds for a in report.analyzers}
        result["problems"] += report.problems
    return result | {"load_average": [round(v, 2) for v in os.getloadavg()]}


def cluster_run(store, settings, registry, groups, counts, root: Path) -> dict:
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with (
        LocalCluster(
            processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        start_s = time.perf_counter() - started
        on_cluster = dataclasses.replace(
            settings,
            scheduler=cluster.scheduler_address,
            media_url=f"simplecache::file://{root / 'shared-media'}",
        )
        run = warm_run(store, on_cluster, registry, groups, 1, counts, client)
    return {"mode": "dask LocalCluster, 2 workers", "start_s": round(start_s, 2), **run}


def analyzer_groups(registry: AnalyzerRegistry, only: list[str]) -> dict[str, list[str]]:
    subject = {c.name: c.subject for c in registry.ordered(only)}
    groups = {
        "images": [n for n in only if subject[n] == "media"],
        "posts": [n for n in only if subject[n] == "post"],
    }
    return {unit: names for unit, names in groups.items() if names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=120)
    parser.add_argument("--posts", type=int, default=600)
    parser.add_argument("--only", default=DEFAULT_ONLY)
    parser.add_argument("--db", help="database URL [default: SQLite in a temporary workspace]")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    only = args.only.split(",")
    root = Path(tempfile.mkdtemp(prefix="watchfloor-pipeline-"))
    os.environ["WATCHFLOOR_MEDIA_CACHE"] = str(root / "worker-cache")  # inherited by workers
    settings = load_settings(workspace=root / "ws", db_url=args.db, environ={})
    store = open_store(settings)
    registry = AnalyzerRegistry.from_entry_points()
    groups = analyzer_groups(registry, only)
    counts = {"images": args.images, "posts": args.images + args.posts}
    try:
        log(f"writing and ingesting {args.images} images, {args.posts} text posts in {root}")
        ingest_paths(store, settings, [write_corpus(root / "export", args.images, args.posts)])
        runs = []
        for workers in (1, 2):
            log(f"local, {workers} worker(s)")
            runs.append(
                {"mode": f"local, {workers} worker(s)"}
                | warm_run(store, settings, registry, groups, workers, counts)
            )
        log("dask LocalCluster, 2 workers")
        runs.append(cluster_run(store, settings, registry, groups, counts, root))
    finally:
        store.close()
        shutil.rmtree(root, ignore_errors=True)
    result = {"analyzers": only, **counts, "runs": with_ratios(runs)}
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print_table(result)


def with_ratios(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = runs[0]
    for run in runs:
        for rate in ("images_per_s", "posts_per_s"):
            if run.get(rate) and base.get(rate):
                run[rate.replace("_per_s", "_ratio")] = round(run[rate] / base[rate], 2)
    return runs


def print_table(result: dict[str, Any]) -> None:
    print(
        f"{result['images']} images, {result['posts']} posts; analyzers: "
        f"{', '.join(result['analyzers'])}"
    )
    print(
        f"{'mode':30} {'cold s':>6} {'wall s':>6} {'img/s':>6} {'ratio':>5} {'img/cpu-s':>9} "
        f"{'posts/s':>7} {'ratio':>5} {'posts/cpu-s':>11}  load"
    )
    for r in result["runs"]:
        print(
            f"{r['mode']:30} {r['cold_wall_s']:6.1f} {r['wall_s']:6.1f} "
            f"{r.get('images_per_s', 0):6.2f} {r.get('images_ratio', 0):5.2f} "
            f"{r.get('images_per_cpu_s', 0):9.2f} {r.get('posts_per_s', 0):7.1f} "
            f"{r.get('posts_ratio', 0):5.2f} {r.get('posts_per_cpu_s', 0):11.1f}  "
            f"{r['load_average'][0]:.1f}"
        )
    for r in result["runs"]:
        slowest = sorted(r["per_analyzer_s"].items(), key=lambda kv: -kv[1])[:4]
        extra = f" (cluster start {r['start_s']} s, not counted)" if "start_s" in r else ""
        print(f"  {r['mode']}: " + ", ".join(f"{k} {v:.1f} s" for k, v in slowest) + extra)


if __name__ == "__main__":
    main()
