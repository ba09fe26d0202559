"""Landmark recognition accuracy on ../shared/data/landmarks (45 photos of 11 landmarks).

    .venv/bin/python benchmarks/landmark_accuracy.py [--json] [--shortlist K] [--scenes N]
                                                     [--csv PATH] [--no-distractors]

1. Leave-one-out: each photo against the other 44 as the gallery (top-1 accepted, wrong
   accepted, rejected, per landmark). Target: top-1 accepted >= 0.8 with 0 wrong.
2. Distractors, where the only right answer is none: every photo with its whole landmark held
   out of the gallery, and ``--scenes`` synthetic scenes. Target: 0 accepted.

See ``watchfloor.vision.landmark_eval`` for how the gallery and queries are set up.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from watchfloor.vision import landmark_eval as ev
from watchfloor.vision.landmarks import RecogniseParams

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "landmarks" / "labels.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--shortlist", type=int, default=RecogniseParams().shortlist)
    parser.add_argument("--scenes", type=int, default=10)
    parser.add_argument("--no-distractors", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"no reference data at {args.csv}", file=sys.stderr)
        return 2
    params = RecogniseParams(shortlist=args.shortlist)
    report: dict = {"params": params.key}
    with ev.temporary_workspace() as tmp:
        started = time.perf_counter()
        index = ev.gallery_from_csv(args.csv, Path(tmp))
        report["index_build_s"] = round(time.perf_counter() - started, 1)
        report["leave_one_out"] = _timed(lambda: ev.leave_one_out(index, params))
        if not args.no_distractors:
            report["held_out_landmark"] = _timed(lambda: ev.hold_out_landmarks(index, params))
            scenes = ev.synthetic_scenes(args.scenes, Path(tmp))
            report["synthetic_scenes"] = _timed(lambda: ev.query_scenes(index, scenes, params))
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print(report)
    return 0


def _timed(run) -> dict:
    started = time.perf_counter()
    outcomes = run()
    elapsed = time.perf_counter() - started
    summary = ev.summarise(outcomes)
    summary["seconds_per_query"] = round(elapsed / max(1, len(outcomes)), 3)
    summary["outcomes"] = ev.outcome_rows(outcomes)
    return summary


def _print(report: dict) -> None:
    print(f"params {report['params']}; gallery index built in {report['index_build_s']} s")
    for name in ("leave_one_out", "held_out_landmark", "synthetic_scenes"):
        if name not in report:
            continue
        s = report[name]
        print(
            f"\n{name}: {s['queries']} queries, correct {s['correct']}, wrong {s['wrong']}, "
            f"rejected {s['rejected']}; top-1 accepted {s['top1_accepted']}, shortlist recall "
            f"{s['shortlist_recall']}; {s['seconds_per_query']} s per query"
        )
        for landmark, counts in s["per_landmark"].items():
            print(f"  {landmark[:48]:48s} {counts}")
        for o in s["outcomes"]:
            if o["verdict"] == "wrong":
                print(f"  WRONG {o['query']}: {o['answer']} ({o['inliers']} inliers)")


if __name__ == "__main__":
    sys.exit(main())
