"""Emblem and watermark accuracy on composites of stand-in emblems and real landmark photos.

Stand-ins (tests/emblem_composites.py: two invented flags, an invented logo, an invented
outlet's wordmark) are pasted onto the 45 photos of ../shared/data/landmarks:

- emblems: for each photo, six widths (15, 20, 30, 50, 75, 100 % of the image width), each with
  one of the three flags/logos in turn, waving (sinusoidal mesh warp and shading) every other
  time, all with perspective, rotation, lighting change, JPEG quality 50-85 and, half of the
  time, 8-20 % of the emblem occluded;
- watermarks: for each photo, five (width, alpha) pairs from 15-30 % and 0.35-0.6, in a
  random corner, JPEG quality 50-85;
- clean: the 45 photos themselves, where nothing may be found.

A detection counts when it names the pasted emblem and its polygon's centre lies inside the
pasted one; any other detection is a false detection. Every image is checked against all four
emblems. Time is CPU time per image (decoded image to detections, OpenCV on one thread). Usage: ``.venv/bin/python benchmarks/emblem_accuracy.py [--photos N] [--workers N]
[--json]``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections import defaultdict
from multiprocessing import get_context
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emblem_composites import (  # noqa: E402
    accuracy_cases,
    landmark_photos,
    load_photo,
    stand_ins,
)

from watchfloor.vision.emblems import (  # noqa: E402
    DetectParams,
    EmblemModel,
    build_model,
    detect_emblems,
    query_features,
)

LANDMARKS = ROOT.parent / "shared" / "data" / "landmarks"

_models: list[EmblemModel] = []
_params = DetectParams()


def _init() -> None:
    cv2.setNumThreads(1)
    _models.extend(
        build_model(i, s.label, s.kind, np.asarray(s.image), _params)
        for i, s in enumerate(stand_ins())
    )


def _inside(point: np.ndarray, polygon: np.ndarray) -> bool:
    contour = polygon.reshape(-1, 1, 2).astype(np.float32)
    return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), False) >= 0


def _evaluate(job: tuple[int, str]) -> list[dict]:
    index, path = job
    photo = load_photo(Path(path))
    rows = []
    for group, truth, composite in accuracy_cases(index, photo):
        rgb = np.asarray(Image.open(io.BytesIO(composite.jpeg)).convert("RGB"))
        started = time.process_time()  # CPU time: other work on the machine does not count
        detections = detect_emblems(query_features(rgb, _params), _models, _params)
        elapsed = time.process_time() - started
        found = wrong = 0
        for d in detections:
            centre = np.array(d.polygon).mean(axis=0)
            if d.emblem_id == truth and _inside(centre, composite.polygon):
                found = 1
            else:
                wrong += 1
        rows.append(
            {
                "photo": Path(path).name,
                "group": group,
                "width": composite.width_fraction,
                "found": found,
                "wrong": wrong,
                "seconds": elapsed,
                "paths": [d.path for d in detections],
            }
        )
    return rows


def summarise(rows: list[dict]) -> dict:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["group"]].append(row)
    out = {}
    for name, items in sorted(groups.items()):
        entry = {"images": len(items), "false_detections": sum(r["wrong"] for r in items)}
        if name != "clean":
            entry["recall"] = round(sum(r["found"] for r in items) / len(items), 3)
            by_width = defaultdict(list)
            for r in items:
                by_width[r["width"]].append(r["found"])
            entry["recall_by_width"] = {
                str(w): round(sum(v) / len(v), 3) for w, v in sorted(by_width.items())
            }
        out[name] = entry
    emblem_rows = groups["rigid"] + groups["waving"]
    out["emblems_all"] = {
        "images": len(emblem_rows),
        "recall": round(sum(r["found"] for r in emblem_rows) / max(1, len(emblem_rows)), 3),
    }
    seconds = [r["seconds"] for r in rows]
    out["cpu_seconds_per_image"] = {
        "mean": round(float(np.mean(seconds)), 3),
        "max": round(float(np.max(seconds)), 3),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=45, help="use the first N photos")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    photos = landmark_photos(LANDMARKS)[: args.photos]
    jobs = [(i, str(p)) for i, p in enumerate(photos)]
    started = time.perf_counter()
    with get_context("spawn").Pool(args.workers, initializer=_init) as pool:
        rows = [row for chunk in pool.imap(_evaluate, jobs) for row in chunk]
    summary = summarise(rows) | {
        "wall_seconds": round(time.perf_counter() - started, 1),
        "photos": len(photos),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for name, entry in summary.items():
        print(f"{name}: {entry}")
    for row in rows:
        if (row["group"] != "clean" and not row["found"]) or row["wrong"]:
            print(
                f"  miss/false: {row['group']} {row['photo']} width {row['width']} found {row['found']} wrong {row['wrong']} {row['paths']}"
            )


if __name__ == "__main__":
    main()
