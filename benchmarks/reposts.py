"""Repost grouping rate and quality on a generated corpus, against grouping by PDQ alone.

The corpus: every real photo of ``../shared/data/landmarks`` and ``pdq-reference`` posted by
an outlet plus ``--reposts`` copies of each (crop 0-6 % a side, scale 0.5-0.85, JPEG quality
45-70, a caption), spread over relay channels (some as forwards); the rest are synthetic fillers
(smooth colour fields, shapes, texture, text; each unique), one in five of them reposted once.
It is written as Telegram exports (cached in ``--cache-dir``), ingested into a fresh SQLite
workspace, and then, each timed on its own:

- ``pdq`` and ``crops`` analyzers (``watchfloor analyze``'s per-media stage, ``--workers``);
- ``update_repost_groups`` (candidates from the HNSW index, local-feature verification);
- the baseline: PDQ alone, every image's 8 rotation/flip hashes against all the others'
  hashes within distance 31 (faiss exact range search), joined with union-find;
- an incremental run after ``--increment`` more images arrive.

Quality is pair recall (the fraction of pairs of copies of one picture that end up in one group)
on the real photos (and the subset the tests call photos with content), on the fillers, and the
number of groups that mix different pictures (the bridge photo's twenty versions in the PDQ
reference set count as one picture).

    .venv/bin/python benchmarks/reposts.py              # 2,000 images
    .venv/bin/python benchmarks/reposts.py --full       # 10,000 images
    .venv/bin/python benchmarks/reposts.py --images 5000 --workers 2 --json
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from watchfloor.analytics import repost_store as rs
from watchfloor.analytics.reposts import UnionFind, update_repost_groups
from watchfloor.analyzers.crops import CropsAnalyzer
from watchfloor.analyzers.pdq import PdqAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.config import load_settings
from watchfloor.demo.fonts import font
from watchfloor.ingest import ingest_paths
from watchfloor.pdq import MATCH_THRESHOLD, pdq_hash_file
from watchfloor.pipeline import run_analysis
from watchfloor.store import open_store
from watchfloor.store.schema import signals

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CACHE_DIR = Path(tempfile.gettempdir()) / "watchfloor-bench"
CORPUS_VERSION = 2
CHANNELS = 12
SAME_PICTURE = ("bridge-mods", "dih")
NOISE = {"I16.png", "LA.png", "rgb.jpeg"}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ  0123456789"


@dataclass
class Item:
    file: str  # relative to the corpus folder
    source: str  # the picture it was made from (its copies should be grouped with it)
    identity: str  # what counts as one picture (different identities must never be grouped)
    photo: bool  # a real photo with content (the tests' recall set)
    real: bool
    channel: int
    minute: int
    forwarded: bool = False


@dataclass
class Quality:
    pairs_real: int = 0
    recall_real: float = 0.0
    pairs_photos: int = 0
    recall_photos: float = 0.0
    pairs_fillers: int = 0
    recall_fillers: float = 0.0
    mixed_groups: int = 0
    groups: int = 0


@dataclass
class Result:
    images: int
    workers: int
    ingest_s: float = 0.0
    pdq_s: float = 0.0
    crops_s: float = 0.0
    grouping_s: float = 0.0
    baseline_s: float = 0.0
    rate: float = 0.0  # images / (crops + grouping)
    grouping_rate: float = 0.0
    report: dict[str, Any] = field(default_factory=dict)
    watchfloor: Quality = field(default_factory=Quality)
    baseline: Quality = field(default_factory=Quality)
    increment: dict[str, Any] = field(default_factory=dict)
    peak_rss_mb: float = 0.0


# --- the corpus ---------------------------------------------------------------------------


def real_sources() -> list[Path]:
    return [
        p
        for folder in (DATA / "landmarks", DATA / "pdq-reference")
        for p in sorted(folder.rglob("*"))
        if p.suffix.lower() in (".jpg", ".jpeg", ".png")
    ]


def identity_of(path: Path) -> str:
    return "bridge" if path.parent.name in SAME_PICTURE else str(path.relative_to(DATA))


def is_photo(path: Path) -> bool:
    with Image.open(path) as img:
        small = min(img.size) < 200
    return path.name not in NOISE and not small and pdq_hash_file(path).quality >= 50


def repost(img: Image.Image, rng: random.Random, caption: str) -> bytes:
    w, h = img.size
    left, top, right, bottom = (rng.uniform(0, 0.06) for _ in range(4))
    img = img.crop(
        (round(left * w), round(top * h), round(w * (1 - right)), round(h * (1 - bottom)))
    )
    scale = rng.uniform(0.5, 0.85)
    img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))))
    size = max(8, img.width // 30)
    ImageDraw.Draw(img).text(
        (rng.randrange(0, max(1, img.width // 3)), rng.choice([size // 2, img.height - 2 * size])),
        caption,
        font=font(size, bold=True),
        fill=(255, 255, 255),
        stroke_width=1,
        stroke_fill=(0, 0, 0),
    )
    return jpeg(img, rng.randrange(45, 71))


def jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def filler(seed: int) -> Image.Image:
    """A unique synthetic picture: a smooth colour field, texture, shapes and a line of text."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    width = rng.randrange(480, 960)
    height = int(width / rng.uniform(0.6, 1.8))
    coarse = np_rng.integers(0, 256, (rng.randrange(3, 8), rng.randrange(3, 8), 3), dtype=np.uint8)
    img = Image.fromarray(coarse).resize((width, height), Image.BICUBIC)
    texture = np_rng.integers(0, 256, (height // 8 + 1, width // 8 + 1), dtype=np.uint8)
    grain = Image.fromarray(texture).resize((width, height), Image.BILINEAR).convert("RGB")
    img = Image.blend(img, grain, rng.uniform(0.1, 0.3))
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randrange(4, 14)):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(15, width / 5)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.choice(("ellipse", "rectangle", "polygon"))
        if shape == "polygon":
            points = [
                (x + rng.uniform(-r, r), y + rng.uniform(-r, r)) for _ in range(rng.randrange(3, 7))
            ]
            draw.polygon(points, fill=colour)
        else:
            getattr(draw, shape)((x - r, y - r * rng.uniform(0.3, 1), x + r, y + r), fill=colour)
    text = "".join(rng.choice(LETTERS) for _ in range(rng.randrange(6, 20)))
    draw.text(
        (rng.uniform(0, width / 2), rng.uniform(0, height * 0.8)),
        text,
        font=font(rng.randrange(18, 48), bold=True),
        fill=(255, 255, 255),
    )
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(0, 0.8)))


def plan(images: int, reposts: int, seed: int) -> tuple[list[tuple[str, Any]], int]:
    """What to generate: ("real", path) and ("repost", path) items, then fillers."""
    sources = real_sources()
    todo: list[tuple[str, Any]] = []
    for path in sources:
        todo.append(("real", path))
        todo += [("repost", path)] * reposts
    while len(todo) < images:
        n = len(todo)
        todo.append(("filler", seed * 1_000_003 + n))
        if n % 5 == 0 and len(todo) < images:
            todo.append(("filler-repost", seed * 1_000_003 + n))
    return todo[:images], len(sources)


def generate(
    folder: Path, images: int, reposts: int, seed: int, tag: str, start: int = 0
) -> list[Item]:
    rng = random.Random(seed)
    items: list[Item] = []
    photo_cache: dict[Path, bool] = {}
    todo, _ = plan(images, reposts, seed)
    for n, (kind, what) in enumerate(todo, start):
        channel = 0 if kind in ("real", "filler") else rng.randrange(1, CHANNELS)
        name = f"{tag}-chat{channel:02d}/photos/{n:06d}.jpg"  # inside its chat's export
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        minute = rng.randrange(0, 60 * 24 * 60)
        if kind == "real":
            img = Image.open(what).convert("RGB")
            target.write_bytes(jpeg(img, 92))
        elif kind == "repost":
            img = Image.open(what).convert("RGB")
            target.write_bytes(repost(img, rng, f"@relay{channel} t.me"))
        elif kind == "filler":
            target.write_bytes(jpeg(filler(what), rng.randrange(70, 90)))
        else:
            target.write_bytes(repost(filler(what), rng, f"@relay{channel}"))
        real = kind in ("real", "repost")
        if real and what not in photo_cache:
            photo_cache[what] = is_photo(what)
        items.append(
            Item(
                name,
                str(what) if real else f"filler-{what}",
                identity_of(what) if real else f"filler-{what}",
                photo_cache.get(what, False) if real else False,
                real,
                channel,
                minute,
                forwarded=channel > 0 and rng.random() < 0.3,
            )
        )
    return items


def write_exports(folder: Path, items: list[Item], tag: str) -> list[Path]:
    chats: dict[int, list[dict]] = defaultdict(list)
    base = 1_514_764_800  # 2018-01-01 UTC
    for n, item in enumerate(items):
        when = base + 60 * item.minute
        msg = {
            "id": n + 1,
            "type": "message",
            "date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(when)),
            "date_unixtime": str(when),
            "from": f"channel {item.channel}",
            "text": "",
            "text_entities": [],
            "photo": item.file.split("/", 1)[1],
        }
        if item.forwarded:
            msg["forwarded_from"] = "channel 0"
        chats[item.channel].append(msg)
    paths = []
    for channel, messages in sorted(chats.items()):
        chat = folder / f"{tag}-chat{channel:02d}"
        chat.mkdir(parents=True, exist_ok=True)
        data = {
            "name": f"channel {channel}",
            "type": "public_channel",
            "id": 5000 + channel,
            "messages": messages,
        }
        (chat / "result.json").write_text(json.dumps(data), encoding="utf-8")
        paths.append(chat / "result.json")
    return paths


def corpus(args: argparse.Namespace, log) -> tuple[Path, list[Item], list[Item]]:
    folder = (
        args.cache_dir
        / f"reposts-v{CORPUS_VERSION}-n{args.images}-r{args.reposts}-i{args.increment}-s{args.seed}"
    )
    manifest = folder / "manifest.json"
    if manifest.exists():
        data = json.loads(manifest.read_text())
        return folder, [Item(**i) for i in data["main"]], [Item(**i) for i in data["increment"]]
    shutil.rmtree(folder, ignore_errors=True)
    log(f"generating {args.images + args.increment:,} images into {folder}")
    main = generate(folder, args.images, args.reposts, args.seed, "main")
    more = generate(folder, args.increment, 1, args.seed + 1, "more", start=len(main))
    manifest.write_text(
        json.dumps({"main": [asdict(i) for i in main], "increment": [asdict(i) for i in more]})
    )
    return folder, main, more


# --- measuring ----------------------------------------------------------------------------


def timed(action) -> tuple[Any, float]:
    started = time.perf_counter()
    value = action()
    return value, time.perf_counter() - started


def pair_recall(items: list[Item], same_group) -> Quality:
    """Over the pairs of copies of one source picture (the bridge photo's versions are separate
    sources: whether they join each other is not counted, only that they mix with nothing else)."""
    by_source: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_source[item.source].append(item)
    q = Quality()
    buckets: dict[str, list[bool]] = {"real": [], "photos": [], "fillers": []}
    for members in by_source.values():
        for a, b in itertools.combinations(members, 2):
            ok = same_group(a, b)
            if a.real:
                buckets["real"].append(ok)
                if a.photo and b.photo:
                    buckets["photos"].append(ok)
            else:
                buckets["fillers"].append(ok)
    for name, values in buckets.items():
        setattr(q, f"pairs_{name}", len(values))
        setattr(q, f"recall_{name}", round(sum(values) / len(values), 4) if values else 0.0)
    return q


def score(items: list[Item], sha_of: dict[str, str], group_of: dict[str, str]) -> Quality:
    def same_group(a: Item, b: Item) -> bool:
        sa, sb = sha_of[a.file], sha_of[b.file]
        return sa == sb or (sa in group_of and group_of.get(sa) == group_of.get(sb))

    q = pair_recall(items, same_group)
    identities: dict[str, set[str]] = defaultdict(set)
    for item in items:
        sha = sha_of[item.file]
        if sha in group_of:
            identities[group_of[sha]].add(item.identity)
    q.groups = len(identities)
    q.mixed_groups = sum(len(ids) > 1 for ids in identities.values())
    return q


def pdq_baseline(store) -> tuple[dict[str, str], float]:
    """Groups by PDQ alone: any rotation/flip of one image within 31 bits of another's hash."""
    with store.connect() as conn:
        rows = conn.execute(
            signals.select().where(signals.c.kind.in_(("pdq", "pdq_dihedral")))
        ).all()
    started = time.perf_counter()
    hashes: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in rows:
        hashes[r.subject][r.kind] = r.value
    shas = sorted(s for s, h in hashes.items() if "pdq" in h and h["pdq"]["quality"] >= 50)
    codes = np.array(
        [np.frombuffer(bytes.fromhex(hashes[s]["pdq"]["hash"]), np.uint8) for s in shas]
    )
    index = faiss.IndexBinaryFlat(256)
    index.add(codes)
    uf = UnionFind()
    for sha in shas:
        turned = np.array(
            [
                np.frombuffer(bytes.fromhex(h), np.uint8)
                for h in hashes[sha]["pdq_dihedral"].values()
            ]
        )
        _lims, _d, ids = index.range_search(turned, MATCH_THRESHOLD + 1)
        for j in ids:
            uf.union(sha, shas[j])
    group_of = {s: uf.find(s) for s in shas}
    sizes = defaultdict(int)
    for g in group_of.values():
        sizes[g] += 1
    return {s: g for s, g in group_of.items() if sizes[g] > 1}, time.perf_counter() - started


def sha_map(folder: Path, items: list[Item]) -> dict[str, str]:
    return {i.file: hashlib.sha256((folder / i.file).read_bytes()).hexdigest() for i in items}


def groups_now(store) -> dict[str, str]:
    with store.connect() as conn:
        return {sha: m.group for sha, m in rs.group_memberships(conn).items()}


def run(args: argparse.Namespace, log) -> Result:
    folder, main, more = corpus(args, log)
    work = Path(tempfile.mkdtemp(prefix="watchfloor-bench-reposts-"))
    try:
        return measure(args, folder, main, more, work, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(args, folder: Path, main: list[Item], more: list[Item], work: Path, log) -> Result:
    result = Result(images=len(main), workers=args.workers)
    settings = load_settings(work / "ws", None, environ={})
    store = open_store(settings)
    exports = write_exports(folder, main, "main")
    _, result.ingest_s = timed(lambda: ingest_paths(store, settings, exports))
    log(f"ingested {len(main):,} images in {result.ingest_s:.1f} s")
    registry = AnalyzerRegistry({"pdq": PdqAnalyzer, "crops": CropsAnalyzer})
    _, result.pdq_s = timed(
        lambda: run_analysis(store, settings, registry, workers=args.workers, only=["pdq"])
    )
    _, result.crops_s = timed(
        lambda: run_analysis(store, settings, registry, workers=args.workers, only=["crops"])
    )
    log(f"pdq {result.pdq_s:.1f} s, crops {result.crops_s:.1f} s")
    report, result.grouping_s = timed(
        lambda: update_repost_groups(store, settings, workers=args.workers)
    )
    result.report = report.as_dict()
    log(f"grouped in {result.grouping_s:.1f} s: {report.as_dict()}")
    result.rate = round(len(main) / (result.crops_s + result.grouping_s), 2)
    result.grouping_rate = round(len(main) / result.grouping_s, 2)
    shas = sha_map(folder, main + more)
    result.watchfloor = score(main, shas, groups_now(store))
    baseline, result.baseline_s = pdq_baseline(store)
    result.baseline = score(main, shas, baseline)
    result.increment = increment(args, folder, main, more, store, settings, shas, registry)
    result.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    store.close()
    return result


def increment(args, folder, main, more, store, settings, shas, registry) -> dict[str, Any]:
    if not more:
        return {}
    exports = write_exports(folder, more, "more")
    ingest_paths(store, settings, exports)
    _, analyse_s = timed(lambda: run_analysis(store, settings, registry, workers=args.workers))
    report, seconds = timed(lambda: update_repost_groups(store, settings, workers=args.workers))
    quality = score(main + more, shas, groups_now(store))
    return {
        "images": len(more),
        "analyze_s": round(analyse_s, 2),
        "grouping_s": round(seconds, 2),
        "report": report.as_dict(),
        "quality": asdict(quality),
    }


# --- output -------------------------------------------------------------------------------


HEADER = ("method", "seconds", "images/s", "recall real", "photos", "fillers", "groups", "mixed")


def print_table(r: Result) -> None:
    rep = r.report
    print(
        f"corpus: {r.images:,} images, {r.workers} workers; ingest {r.ingest_s:.1f} s (not counted)"
    )
    print("{:12s} {:>8s} {:>9s} {:>12s} {:>7s} {:>8s} {:>7s} {:>6s}".format(*HEADER))
    for name, seconds, q in (
        ("watchfloor", r.crops_s + r.grouping_s, r.watchfloor),
        ("pdq<=31", r.pdq_s + r.baseline_s, r.baseline),
    ):
        print(
            f"{name:12s} {seconds:8.1f} {r.images / seconds:9.1f} {q.recall_real:12.3f} "
            f"{q.recall_photos:7.3f} {q.recall_fillers:8.3f} {q.groups:7d} {q.mixed_groups:6d}"
        )
    print(
        f"watchfloor: crops analyzer {r.crops_s:.1f} s, grouping {r.grouping_s:.1f} s "
        f"({r.grouping_rate:.1f} images/s); candidates {rep['candidates']:,} "
        f"({rep['candidates'] / r.images:.1f} per image), verified {rep['verified']:,}, "
        f"accepted {rep['accepted']:,}, skipped as already joined {rep['skipped']:,}, "
        f"features extracted {rep['features_computed']:,}"
    )
    print(f"pdq<=31: pdq analyzer {r.pdq_s:.1f} s, range search + union-find {r.baseline_s:.1f} s")
    q = r.watchfloor
    print(
        f"pairs: real {q.pairs_real:,}, photos with content {q.pairs_photos:,}, "
        f"fillers {q.pairs_fillers:,}"
    )
    if r.increment:
        inc, rep2 = r.increment, r.increment["report"]
        print(
            f"increment: {inc['images']} new images, analyze {inc['analyze_s']:.1f} s, "
            f"grouping {inc['grouping_s']:.1f} s; candidates {rep2['candidates']}, "
            f"verified {rep2['verified']}, accepted {rep2['accepted']}; recall real "
            f"{inc['quality']['recall_real']:.3f}, mixed groups {inc['quality']['mixed_groups']}"
        )
    print(f"peak RSS {r.peak_rss_mb:.0f} MB")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=2000, help="corpus size (default 2,000)")
    parser.add_argument("--full", action="store_true", help="10,000 images")
    parser.add_argument("--reposts", type=int, default=5, help="copies of each real photo (5)")
    parser.add_argument("--increment", type=int, default=100, help="images added afterwards (100)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--seed", type=int, default=11, help="corpus seed (11)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="where corpora are kept")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.full:
        args.images = 10_000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (DATA / "landmarks").is_dir():
        print(f"reference data not found at {DATA}", file=sys.stderr)
        return 1

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run(args, log)
    if args.json:
        print(json.dumps(asdict(result), indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
