"""The full visual analysis (emblem, ocr, landmark, exif) end to end, with 1 and 2 workers.

    .venv/bin/python benchmarks/vision.py [--distractors 1000] [--photos 45] [--workers 1,2]
                                          [--json] [--keep DIR] [--baseline FILE]

Set-up (not timed, except the gallery index): a workspace whose landmark gallery holds the 45
real photos of ``../shared/data/landmarks`` plus ``--distractors`` synthetic reference images
(generated façades and polygon scenes, each its own "landmark"), the four stand-in emblems of
``tests/emblem_composites.py`` registered, and a corpus of two images per photo ingested from a
Telegram-style export: the photo with a stand-in emblem pasted at 30 % width (waving every other
time) and the photo with a printed note (``tests/note_composites.py``, the five languages in
turn). ``--keep DIR`` keeps that workspace in DIR, and a later run with the same sizes reuses it.

Then, for each worker count, the four analyzers run from scratch (their signals, their state and
the features they hand each other removed) through ``run_analysis``, one at a time in the order
``watchfloor analyze`` runs them: wall time, images/s, each analyzer's wall time and CPU seconds
per image (this process and its joined worker processes, with Tesseract's subprocesses: what
other jobs on the machine change least), the load average, and the ratio against the first
worker count. The table sets each run beside the baseline run with as many workers (``BASELINE``,
the last figures before the emblem and landmark analyzers shared their features, or a former
``--json`` output given as ``--baseline``).

The gallery index is built once, before the runs, and timed on its own (SIFT on every gallery
image, vocabulary, inverted file). Peak RSS is this process's (the build runs here; workers are
separate processes and hold the engines: ~560 MB each for OCR, see the README).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from sqlalchemy import delete

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emblem_composites import emblem_composite, landmark_photos, load_photo, stand_ins  # noqa: E402
from tests.exports import message, single_chat, write_export  # noqa: E402
from tests.note_composites import LANGUAGES, PHRASES, facade, note_image  # noqa: E402

from watchfloor.analyzers.landmark import LandmarkAnalyzer  # noqa: E402
from watchfloor.analyzers.registry import AnalyzerRegistry  # noqa: E402
from watchfloor.config import load_settings  # noqa: E402
from watchfloor.ingest import ingest_paths  # noqa: E402
from watchfloor.pipeline import options_from, run_analysis  # noqa: E402
from watchfloor.store import open_store  # noqa: E402
from watchfloor.store.schema import analysis_state, signals  # noqa: E402
from watchfloor.vision import gallery  # noqa: E402
from watchfloor.vision.emblem_registry import add_emblem  # noqa: E402

LANDMARKS = ROOT.parent / "shared" / "data" / "landmarks"
ANALYZERS = ["emblem", "ocr", "landmark", "exif"]


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def distractor(seed: int) -> Image.Image:
    """A synthetic reference image: a generated façade or a scene of random polygons."""
    rng = random.Random(seed)
    if seed % 2 == 0:
        return facade(rng.choice((800, 960, 1024)), rng.choice((600, 720, 768)), seed=seed)
    img = Image.new("RGB", (960, 720), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(60):
        points = [(rng.randrange(960), rng.randrange(720)) for _ in range(rng.randint(3, 6))]
        draw.polygon(points, fill=tuple(rng.randrange(256) for _ in range(3)))
    grain = np.random.default_rng(seed).normal(0, 5, (720, 960, 3))
    return Image.fromarray(np.clip(np.asarray(img, np.float32) + grain, 0, 255).astype(np.uint8))


def build_gallery(store: Any, folder: Path, distractors: int) -> None:
    with store.begin() as conn:
        report = gallery.import_csv(conn, store.media, LANDMARKS / "labels.csv")
    log(f"gallery: {report.added} photos of ../shared/data/landmarks")
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(distractors):
        path = folder / f"distractor-{i:05d}.jpg"
        distractor(i).save(path, quality=88)
        with store.begin() as conn:
            gallery.add_images(conn, store.media, [path], gallery.Place(f"Distractor {i:05d}"))
        if (i + 1) % 100 == 0:
            log(f"gallery: {i + 1}/{distractors} distractors")


def register_emblems(store: Any, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with store.begin() as conn:
        for n, stand_in in enumerate(stand_ins()):
            path = folder / f"emblem-{n}.png"
            stand_in.image.save(path)
            add_emblem(conn, store.media, path, label=stand_in.label, kind=stand_in.kind)


def write_corpus(folder: Path, photos: list[Path]) -> Path:
    """Two images per photo: a stand-in emblem pasted in, and a printed note."""
    flags = [s for s in stand_ins() if s.kind != "watermark"]
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    messages = []
    for i, photo in enumerate(photos):
        pixels = load_photo(photo)
        composite = emblem_composite(pixels, flags[i % len(flags)], 0.3, seed=i, waving=i % 2 == 1)
        (folder / "photos" / f"emblem-{i}.jpg").write_bytes(composite.jpeg)
        lang = LANGUAGES[i % len(LANGUAGES)]
        lines = (PHRASES[lang][i % len(PHRASES[lang])],)
        note = note_image(lines, lang, seed=i, angle=(i % 31) - 15, backdrop=Image.open(photo))
        (folder / "photos" / f"note-{i}.jpg").write_bytes(note)
        messages.append(message(2 * i + 1, f"photo {i}", photo=f"photos/emblem-{i}.jpg"))
        messages.append(message(2 * i + 2, f"note {i}", photo=f"photos/note-{i}.jpg"))
    return write_export(folder, single_chat(messages))


def reset(store: Any, workspace: Path) -> None:
    """Every image pending again for the four analyzers, and no features handed over."""
    shutil.rmtree(workspace / "cache" / "image-features", ignore_errors=True)
    with store.begin() as conn:
        conn.execute(delete(signals).where(signals.c.analyzer.in_(ANALYZERS)))
        conn.execute(delete(analysis_state).where(analysis_state.c.analyzer.in_(ANALYZERS)))


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished (joined) worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def timed_run(store: Any, settings: Any, workers: int, images: int) -> dict[str, Any]:
    """One analyzer at a time (as ``run_analysis`` orders them), so that the CPU time of each
    one's worker processes, joined at the end of its pass, is its own."""
    reset(store, Path(settings.workspace))
    registry = AnalyzerRegistry.from_entry_points()
    per_wall: dict[str, float] = {}
    per_cpu: dict[str, float] = {}
    found: dict[str, int] = {}
    errors = 0
    started = time.perf_counter()
    for cls in registry.ordered(ANALYZERS):
        cpu, wall = _cpu_seconds(), time.perf_counter()
        report = run_analysis(store, settings, registry, workers=workers, only=[cls.name])
        per_wall[cls.name] = round(time.perf_counter() - wall, 2)
        per_cpu[cls.name] = round((_cpu_seconds() - cpu) / images, 3)
        for a in report.analyzers:
            found[a.analyzer] = a.signals
            errors += a.errors + a.rejected
    wall = time.perf_counter() - started
    return {
        "workers": workers,
        "images": images,
        "wall_s": round(wall, 2),
        "images_per_s": round(images / wall, 3),
        "per_analyzer_s": per_wall,
        "cpu_s_per_image": per_cpu,
        "signals": found,
        "errors": errors,
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }


# The last run before local features were shared between the emblem and landmark analyzers
# (README, 2026-11-29, quiet machine): what the side-by-side ratios compare against by default.
BASELINE: dict[str, Any] = {
    "label": "2026-11-29 (quiet machine, features computed twice)",
    "runs": [
        {
            "workers": 1,
            "images_per_s": 0.715,
            "per_analyzer_s": {"emblem": 53.1, "exif": 0.1, "landmark": 42.5, "ocr": 30.0},
        },
        {
            "workers": 2,
            "images_per_s": 1.59,
            "per_analyzer_s": {"emblem": 24.1, "exif": 0.2, "landmark": 17.3, "ocr": 15.1},
        },
    ],
}


def set_up(root: Path, distractors: int, photos: list[Path]) -> tuple[Any, Any]:
    """The workspace, built unless ``root`` holds one built with the same sizes (``--keep``)."""
    settings = load_settings(workspace=root / "ws")
    marker = root / "set-up.json"
    wanted = {"distractors": distractors, "photos": len(photos)}
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        log(f"reusing the workspace in {root}")
        return settings, open_store(settings)
    if marker.exists() or (root / "ws").exists():
        sys.exit(f"{root} holds another set-up: remove it or choose another --keep")
    store = open_store(settings)
    build_gallery(store, root / "distractors", distractors)
    register_emblems(store, root / "emblems")
    export = write_corpus(root / "export", photos)
    ingest_paths(store, settings, [export.parent])
    marker.write_text(json.dumps(wanted))
    return settings, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--distractors", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=45)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--keep", type=Path, help="keep the workspace here, or reuse the one kept there"
    )
    parser.add_argument(
        "--baseline", type=Path, help="a former --json output to compare with (default: BASELINE)"
    )
    args = parser.parse_args()
    if not (LANDMARKS / "labels.csv").is_file():
        sys.exit(f"needs {LANDMARKS}")
    baseline = json.loads(args.baseline.read_text()) if args.baseline else BASELINE
    root = args.keep or Path(tempfile.mkdtemp(prefix="watchfloor-vision-"))
    photos = landmark_photos(LANDMARKS)[: args.photos]
    settings, store = set_up(root, args.distractors, photos)
    try:
        started = time.perf_counter()
        LandmarkAnalyzer(options_from(settings)).prepare(store)
        build_s = time.perf_counter() - started
        log(f"gallery index: {build_s:.1f} s")
        runs = [
            timed_run(store, settings, int(w), 2 * len(photos)) for w in args.workers.split(",")
        ]
    finally:
        store.close()
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    result = {
        "gallery_images": 45 + args.distractors,
        "gallery_index_build_s": round(build_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs": [
            {**r, "ratio": round(r["images_per_s"] / runs[0]["images_per_s"], 2)} for r in runs
        ],
        "baseline": baseline.get("label", str(args.baseline)),
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print_table(result, baseline)


def print_table(result: dict[str, Any], baseline: dict[str, Any]) -> None:
    """Each run beside the baseline run with as many workers: ``now / then (x speed-up)``."""
    before = {r["workers"]: r for r in baseline["runs"]}
    print(
        f"gallery {result['gallery_images']} images, index built in "
        f"{result['gallery_index_build_s']:.1f} s; baseline: {result['baseline']}"
    )
    print(
        f"{'workers':>7} {'images':>6} {'wall s':>7} {'img/s (baseline, x)':>22} "
        f"{'ratio':>5}  per analyzer: wall s (baseline) cpu s/image (baseline)  load"
    )
    for r in result["runs"]:
        old = before.get(r["workers"], {})
        old_rate = old.get("images_per_s")
        rate = f"{r['images_per_s']:.3f}"
        if old_rate:
            rate += f" ({old_rate}, {r['images_per_s'] / old_rate:.2f}x)"
        old_per, old_cpu = old.get("per_analyzer_s", {}), old.get("cpu_s_per_image", {})
        per = ", ".join(
            f"{k} {v:.1f} ({old_per.get(k, '-')}) {r['cpu_s_per_image'][k]:.3f}"
            + (f" ({old_cpu[k]:.3f})" if k in old_cpu else "")
            for k, v in r["per_analyzer_s"].items()
        )
        load = "/".join(f"{v:.1f}" for v in r["load_average"])
        print(
            f"{r['workers']:>7} {r['images']:>6} {r['wall_s']:>7} {rate:>22} "
            f"{r['ratio']:>5}  {per}  {load}"
        )


if __name__ == "__main__":
    main()
