"""The full visual analysis (emblem, ocr, landmark, exif) end to end, with 1 and 2 workers.

    .venv/bin/python benchmarks/vision.py [--distractors 1000] [--photos 45] [--workers 1,2]
                                          [--json] [--keep DIR]

Set-up (not timed, except the gallery index): a workspace whose landmark gallery holds the 45
real photos of ``../shared/data/landmarks`` plus ``--distractors`` synthetic reference images
(generated façades and polygon scenes, each its own "landmark"), the four stand-in emblems of
``tests/emblem_composites.py`` registered, and a corpus of two images per photo ingested from a
Telegram-style export: the photo with a stand-in emblem pasted at 30 % width (waving every other
time) and the photo with a printed note (``tests/note_composites.py``, the five languages in
turn). Then, for each worker count, the four analyzers run from scratch (their signals and
state removed) through ``run_analysis``, as ``watchfloor analyze --only ...`` does: wall time,
images/s, the time of each analyzer, and the ratio against the first worker count.

The gallery index is built once, before the runs, and timed on its own (SIFT on every gallery
image, vocabulary, inverted file). Peak RSS is this process's (the build runs here; workers are
separate processes and hold the engines: ~350 MB each for OCR, see the README).
"""

from __future__ import annotations

import argparse
import json
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


def reset(store: Any) -> None:
    with store.begin() as conn:
        conn.execute(delete(signals).where(signals.c.analyzer.in_(ANALYZERS)))
        conn.execute(delete(analysis_state).where(analysis_state.c.analyzer.in_(ANALYZERS)))


def timed_run(store: Any, settings: Any, workers: int, images: int) -> dict[str, Any]:
    reset(store)
    started = time.perf_counter()
    report = run_analysis(
        store, settings, AnalyzerRegistry.from_entry_points(), workers=workers, only=ANALYZERS
    )
    wall = time.perf_counter() - started
    return {
        "workers": workers,
        "images": images,
        "wall_s": round(wall, 2),
        "images_per_s": round(images / wall, 3),
        "per_analyzer_s": {a.analyzer: a.seconds for a in report.analyzers},
        "signals": {a.analyzer: a.signals for a in report.analyzers},
        "errors": sum(a.errors + a.rejected for a in report.analyzers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--distractors", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=45)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the workspace here (default: a temp dir)")
    args = parser.parse_args()
    if not (LANDMARKS / "labels.csv").is_file():
        sys.exit(f"needs {LANDMARKS}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="watchfloor-vision-"))
    settings = load_settings(workspace=root / "ws")
    store = open_store(settings)
    try:
        build_gallery(store, root / "distractors", args.distractors)
        register_emblems(store, root / "emblems")
        photos = landmark_photos(LANDMARKS)[: args.photos]
        export = write_corpus(root / "export", photos)
        ingest_paths(store, settings, [export.parent])
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
    base = runs[0]["images_per_s"]
    result = {
        "gallery_images": 45 + args.distractors,
        "gallery_index_build_s": round(build_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs": [{**r, "ratio": round(r["images_per_s"] / base, 2)} for r in runs],
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"gallery {result['gallery_images']} images, index built in {build_s:.1f} s")
    print(f"{'workers':>7} {'images':>6} {'wall s':>7} {'img/s':>6} {'ratio':>5}  per analyzer (s)")
    for r in result["runs"]:
        per = ", ".join(f"{k} {v:.1f}" for k, v in r["per_analyzer_s"].items())
        print(
            f"{r['workers']:>7} {r['images']:>6} {r['wall_s']:>7} {r['images_per_s']:>6} "
            f"{r['ratio']:>5}  {per}"
        )


if __name__ == "__main__":
    main()
