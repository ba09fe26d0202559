"""Geoparsing speed: posts per second of the ``places`` analyzer's core on one core.

The posts are the realistic mix of ``benchmarks/text.py`` (``text_mix.make_mix``: mostly benign
posts about the same places the threats name, in the five languages, and reposted propaganda,
threats and news), ``--benign`` of them benign. Reported: the time to build the name index (once
per worker process), posts per CPU-second and per wall-second over the mix, the share of posts
naming a place, and the places named most. Wall-clock rates depend on what else runs on the
machine (the load average is reported); posts per CPU-second do not.

    .venv/bin/python benchmarks/places.py
    .venv/bin/python benchmarks/places.py --posts 50000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from watchfloor.analyzers.places import geoparser, place_signal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from text_mix import make_mix


def run(posts: int, benign: float, seed: int) -> dict[str, Any]:
    mix = make_mix(posts, benign, seed)
    cpu, wall = time.process_time(), time.perf_counter()
    geoparser()
    build_cpu, build_wall = time.process_time() - cpu, time.perf_counter() - wall
    named: Counter = Counter()
    with_places = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for text in mix:
        signals = place_signal(text)
        with_places += bool(signals)
        for signal in signals:
            named.update(p["name"] for p in signal.value)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "posts": posts,
        "benign": benign,
        "index_build_cpu_s": round(build_cpu, 2),
        "index_build_wall_s": round(build_wall, 2),
        "posts_per_cpu_s": round(posts / cpu),
        "posts_per_wall_s": round(posts / wall),
        "share_naming_a_place": round(with_places / posts, 3),
        "top_places": named.most_common(10),
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--benign", type=float, default=0.95)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    result = run(args.posts, args.benign, args.seed)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(
        f"name index built in {result['index_build_cpu_s']} s CPU "
        f"({result['index_build_wall_s']} s wall)\n"
        f"{result['posts']} posts ({args.benign:.0%} benign): {result['posts_per_cpu_s']} posts "
        f"per CPU-second, {result['posts_per_wall_s']} per wall-second on one core "
        f"(load {result['load_average']:.1f}); {result['share_naming_a_place']:.1%} name a place"
    )
    print("most named: " + ", ".join(f"{name} {n}" for name, n in result["top_places"]))


if __name__ == "__main__":
    main()
