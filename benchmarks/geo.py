"""Gazetteer, EXIF and targets figures on this machine (one process).

- gazetteer: loading the landmark table, the city table (coordinates) and, on first lookup by
  name, the city name index, with the resident memory each adds; ``nearest`` and ``lookup``
  per call on random points and names;
- the exif analyzer on ``--images`` generated 1024x768 JPEGs carrying a GPS fix (images/s);
- ``rebuild_targets`` on a fresh SQLite store holding ``--posts`` posts, each with a photo whose
  ``exif_place`` signal names one of our landmarks, plus as many text ``place`` signals; then
  a second run, with nothing changed.

    .venv/bin/python benchmarks/geo.py
    .venv/bin/python benchmarks/geo.py --posts 100000 --json
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base

from watchfloor.analytics.targets import rebuild_targets
from watchfloor.analyzers.base import MediaItem
from watchfloor.analyzers.exif import ExifAnalyzer
from watchfloor.config import load_settings
from watchfloor.geo.gazetteer import Gazetteer
from watchfloor.store import open_store
from watchfloor.store.dialect import insert_many
from watchfloor.store.schema import channels, media, post_media, posts, signals

PAGE = 4096


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 1e6


def timed(action) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def gazetteer_figures(rng: random.Random) -> dict[str, Any]:
    base = rss_mb()
    gaz, t_landmarks = timed(Gazetteer.load)
    _, t_cities = timed(lambda: gaz.cities)
    after_cities = rss_mb()
    _, t_names = timed(lambda: gaz.lookup("Paris"))
    after_names = rss_mb()
    points = [(rng.uniform(36, 60), rng.uniform(-10, 25)) for _ in range(2000)]
    found, t_nearest = timed(lambda: [gaz.nearest(lat, lon) for lat, lon in points])
    names = [lm.name for lm in gaz.landmarks] + ["Paris", "باريس", "Keulen", "Londres", "Nowhere"]
    _, t_lookup = timed(lambda: [gaz.lookup(n) for n in names * 20])
    return {
        "landmarks": len(gaz.landmarks),
        "cities": len(gaz.cities),
        "load_landmarks_s": round(t_landmarks, 3),
        "load_cities_s": round(t_cities, 3),
        "cities_mb": round(after_cities - base, 1),
        "name_index_s": round(t_names, 2),
        "name_index_mb": round(after_names - after_cities, 1),
        "nearest_ms": round(1000 * t_nearest / len(points), 3),
        "nearest_placed": sum(p is not None for p in found) / len(points),
        "lookup_us": round(1e6 * t_lookup / (len(names) * 20), 1),
    }


def gps_exif(lat: float, lon: float) -> Image.Exif:
    def dms(value: float) -> tuple:
        seconds = round(abs(value) * 3600 * 1000)
        return (seconds // 3_600_000, seconds // 60_000 % 60, (seconds % 60_000) / 1000)

    exif = Image.Exif()
    exif[Base.Make], exif[Base.Model] = "Stand-in", "C1"
    exif[IFD.GPSInfo] = {
        GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
        GPS.GPSLatitude: dms(lat),
        GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
        GPS.GPSLongitude: dms(lon),
    }
    return exif


def exif_figures(folder: Path, count: int, rng: random.Random) -> dict[str, Any]:
    items = []
    for i in range(count):
        path = folder / f"{i}.jpg"
        img = Image.effect_noise((1024, 768), 40).convert("RGB")
        img.save(path, quality=85, exif=gps_exif(rng.uniform(36, 60), rng.uniform(-10, 25)))
        items.append(MediaItem(f"{i:064x}", path, path.stat().st_size, "image/jpeg"))
    analyzer = ExifAnalyzer()
    analyzer.analyze(items[0], {})  # loads the gazetteer once, as a worker would
    out, seconds = timed(lambda: [analyzer.analyze(item, {}) for item in items])
    return {
        "images": count,
        "images_per_s": round(count / seconds, 1),
        "signals": sum(map(len, out)),
    }


def fill_store(store, count: int, rng: random.Random) -> None:
    now, start = datetime.now(UTC), datetime(2018, 1, 1, tzinfo=UTC)
    gaz = Gazetteer.load()
    places = [gaz.landmark_place(i % len(gaz.landmarks)).as_dict() for i in range(500)]
    with store.begin() as conn:
        conn.execute(
            channels.insert().values(
                key="bench:1", platform="bench", platform_id="1", created_at=now
            )
        )
        common = {"channel_id": 1, "kind": "message", "text": "", "search_text": "",
                  "entities": {}, "raw": "{}", "raw_format": "json", "ingested_at": now,
                  "updated_at": now}  # fmt: skip
        insert_many(
            conn,
            posts,
            [
                {"message_id": i, "date": start + timedelta(minutes=i), "content_hash": f"{i}"}
                for i in range(count)
            ],
            common,
        )
        shas = [f"{i:064x}" for i in range(count)]
        insert_many(
            conn,
            media,
            [{"sha256": s, "storage_path": s} for s in shas],
            {"size": 1, "first_seen": now},
        )
        insert_many(
            conn,
            post_media,
            [
                {"post_id": i + 1, "export_path": f"{i}.jpg", "sha256": s}
                for i, s in enumerate(shas)
            ],
            {"role": "photo", "status": "ok"},
        )
        rows = [
            {"subject_type": "media", "subject": s, "kind": "exif_place",
             "value": rng.choice(places) | {"distance_km": 0.1}}
            for s in shas
        ] + [
            {"subject_type": "post", "subject": f"bench:1/{i}", "kind": "place",
             "value": [rng.choice(places) | {"span": [0, 5]}]}
            for i in range(count)
        ]  # fmt: skip
        insert_many(
            conn,
            signals,
            rows,
            {"analyzer": "bench", "version": "1", "score": None, "evidence": None,
             "created_at": now},
        )  # fmt: skip


def targets_figures(folder: Path, count: int, rng: random.Random) -> dict[str, Any]:
    settings = load_settings(folder / "ws", None, environ={})
    store = open_store(settings)
    try:
        fill_store(store, count, rng)
        report, seconds = timed(lambda: rebuild_targets(store))
        _, seconds_again = timed(lambda: rebuild_targets(store))
    finally:
        store.close()
    return {
        "posts": count,
        "signals": report.signals,
        "evidence": report.evidence,
        "targets": report.targets,
        "rebuild_s": round(seconds, 2),
        "evidence_per_s": round(report.evidence / seconds),
        "unchanged_run_s": round(seconds_again, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(20180131)
    with tempfile.TemporaryDirectory(prefix="wf-geo-") as tmp:
        folder = Path(tmp)
        out = {
            "gazetteer": gazetteer_figures(rng),
            "exif": exif_figures(folder, args.images, rng),
            "targets": targets_figures(folder, args.posts, rng),
        }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for section, figures in out.items():
        print(section + ": " + ", ".join(f"{k} {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
