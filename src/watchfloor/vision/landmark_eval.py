"""Measuring landmark recognition on a labelled gallery CSV (the columns ``gallery import``
reads): leave-one-out, whole landmarks held out, and synthetic scenes of no place at all.

Leave-one-out: each photo is the query and every other photo the gallery; the query is left out
of the shortlist and of verification. The vocabulary and idf weights are those of the whole
gallery (a query's descriptors took part in clustering the words; its image is never a
candidate). Held-out landmark: each photo is queried with every photo of its own landmark left
out, so the right answer is no answer. Synthetic scenes: textured, structured images drawn with
numpy; they show no place, so any accepted landmark is wrong. Queries have the features the
``landmark`` analyzer computes (``landmarks.query_features``).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from watchfloor.config import load_settings
from watchfloor.imaging import probe_image
from watchfloor.matching.verify import Features, extract_features
from watchfloor.store import open_store
from watchfloor.vision.gallery import import_csv
from watchfloor.vision.landmark_build import sync_gallery_index
from watchfloor.vision.landmark_index import (
    GalleryIndex,
    gallery_directory,
    open_gallery_index,
)
from watchfloor.vision.landmarks import RecogniseParams, query_features, recognise

__all__ = [
    "Outcome",
    "gallery_from_csv",
    "hold_out_landmarks",
    "leave_one_out",
    "summarise",
    "synthetic_scenes",
]


@dataclass(frozen=True)
class Outcome:
    query: str
    truth: str | None  # None: the right answer is no landmark
    answer: str | None  # the accepted landmark, None when nothing was accepted
    inliers: int
    runner_up_inliers: int
    shortlisted_truth: bool  # an image of the true landmark was on the shortlist

    @property
    def verdict(self) -> str:
        if self.answer is None:
            return "rejected"
        return "correct" if self.answer == self.truth else "wrong"


def gallery_from_csv(csv_path: Path, workspace: Path) -> GalleryIndex:
    """A fresh SQLite workspace holding the CSV's gallery, and its index opened."""
    settings = load_settings(workspace=workspace)
    store = open_store(settings)
    try:
        with store.begin() as conn:
            report = import_csv(conn, store.media, csv_path)
        if report.problems:
            raise ValueError(f"{csv_path}: {len(report.problems)} rows rejected")
        ref = sync_gallery_index(store, gallery_directory(workspace))
    finally:
        store.close()
    return open_gallery_index(ref)


def _query_features(index: GalleryIndex, row: int) -> Features:
    """A gallery photo's features as the landmark analyzer computes them for a query: its
    gallery features, unless the query policy works at another size (a photo just under
    1,024 px is brought to it)."""
    gallery = index.params.features
    query = query_features(gallery)
    info = probe_image(index.media_path(row))
    long_side = max(info.width, info.height)
    if query.working_side(long_side) == gallery.working_side(long_side):
        return index.gallery_features(row)
    return extract_features(index.media_path(row), query)


def _query(index: GalleryIndex, row: int, exclude: frozenset[str], truth, params) -> Outcome:
    entry = index.entries[row]
    result = recognise(_query_features(index, row), index, params, exclude=exclude)
    return Outcome(
        entry["sha256"][:16],
        truth,
        result.landmark if result.accepted else None,
        result.inliers,
        result.runner_up_inliers,
        any(c.landmark == truth for c in result.candidates),
    )


def leave_one_out(
    index: GalleryIndex, params: RecogniseParams | None = None, rows: list[int] | None = None
) -> list[Outcome]:
    rows = list(range(len(index))) if rows is None else rows
    return [
        _query(
            index, r, frozenset([index.entries[r]["sha256"]]), index.entries[r]["landmark"], params
        )
        for r in rows
    ]


def hold_out_landmarks(
    index: GalleryIndex, params: RecogniseParams | None = None, rows: list[int] | None = None
) -> list[Outcome]:
    rows = list(range(len(index))) if rows is None else rows
    outcomes = []
    for r in rows:
        landmark = index.entries[r]["landmark"]
        own = frozenset(e["sha256"] for e in index.entries if e["landmark"] == landmark)
        outcomes.append(_query(index, r, own, None, params))
    return outcomes


def synthetic_scenes(count: int, folder: Path, seed: int = 7) -> list[Path]:
    """Photos of no place: noise textures, façade-like grids of windows, random polygons."""
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        height, width = 768, 1024
        base = rng.integers(60, 200, 3)
        noise = rng.normal(0, 25, (height // 8, width // 8, 3))
        image = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8)).resize(
            (width, height), Image.Resampling.BICUBIC
        )
        draw = ImageDraw.Draw(image)
        step = int(rng.integers(40, 120))
        for x in range(0, width, step):  # a grid of "windows"
            for y in range(height // 3, height, step):
                if rng.random() < 0.6:
                    fill = tuple(int(v) for v in rng.integers(0, 255, 3))
                    draw.rectangle([x + 8, y + 8, x + step // 2, y + step // 2], fill=fill)
        for _ in range(12):
            points = [tuple(int(v) for v in rng.integers(0, (width, height))) for _ in range(5)]
            draw.polygon(points, fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
        path = folder / f"scene-{i:02d}.jpg"
        image.save(path, quality=88)
        paths.append(path)
    return paths


def query_scenes(
    index: GalleryIndex, paths: list[Path], params: RecogniseParams | None = None
) -> list[Outcome]:
    outcomes = []
    for path in paths:
        query = extract_features(path, query_features(index.params.features))
        result = recognise(query, index, params)
        answer = result.landmark if result.accepted else None
        outcomes.append(
            Outcome(path.name, None, answer, result.inliers, result.runner_up_inliers, False)
        )
    return outcomes


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    verdicts = Counter(o.verdict for o in outcomes)
    n = len(outcomes)
    per_landmark: dict[str, Counter] = {}
    for o in outcomes:
        per_landmark.setdefault(o.truth or "(none)", Counter())[o.verdict] += 1
    return {
        "queries": n,
        "correct": verdicts["correct"],
        "wrong": verdicts["wrong"],
        "rejected": verdicts["rejected"],
        "top1_accepted": round(verdicts["correct"] / n, 3) if n else 0.0,
        "shortlist_recall": round(sum(o.shortlisted_truth for o in outcomes) / n, 3) if n else 0.0,
        "per_landmark": {k: dict(v) for k, v in sorted(per_landmark.items())},
    }


def outcome_rows(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    return [asdict(o) | {"verdict": o.verdict} for o in outcomes]


def temporary_workspace() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="watchfloor-landmarks-")
