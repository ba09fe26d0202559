"""The landmark gallery on real SQLite and PostgreSQL: `watchfloor gallery add|import|list|remove`,
a CSV with bad rows (reported with line numbers, quarantined, good rows kept), idempotence,
and the gallery index following the gallery."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from tests.test_banks import cli  # noqa: F401  (the `watchfloor` runner fixture)
from watchfloor.config import Settings
from watchfloor.matching.verify import extract_features
from watchfloor.store import Store
from watchfloor.store.queries import list_quarantine
from watchfloor.vision import gallery as lib
from watchfloor.vision.landmark_build import sync_gallery_index
from watchfloor.vision.landmark_index import gallery_directory, open_gallery_index
from watchfloor.vision.landmarks import recognise


def scene(path: Path, seed: int, size: tuple[int, int] = (480, 360)) -> Path:
    """A textured stand-in photo: blocks of colour over noise (SIFT finds plenty in it)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, (size[1] // 24, size[0] // 24, 3), dtype=np.uint8)
    image = Image.fromarray(blocks).resize(size, Image.Resampling.NEAREST)
    noise = rng.normal(0, 12, (size[1], size[0], 3))
    pixels = np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, quality=90)
    return path


def write_csv(folder: Path) -> Path:
    images = folder / "photos"
    images.mkdir()
    scene(images / "a.jpg", 1)
    scene(images / "b.jpg", 2)
    scene(images / "c.jpg", 3)
    (images / "notes.jpg").write_text("not an image at all")
    (folder / "outside.jpg").write_bytes((images / "a.jpg").read_bytes())
    rows = [
        "file,landmark,city,country,lat,lon,width,height",
        "photos/a.jpg,Grey Tower,Utopia,Nowhere,10.5,20.25,480,360",  # line 2
        "photos/b.jpg,Grey Tower,Utopia,Nowhere,10.5,20.25,480,360",
        "photos/c.jpg,Old Bridge,Utopia,Nowhere,95,20,480,360",  # line 4: bad latitude
        "photos/missing.jpg,Old Bridge,Utopia,Nowhere,1,2,,",  # line 5
        "photos/notes.jpg,Old Bridge,Utopia,Nowhere,1,2,,",  # line 6
        "../outside.jpg,Old Bridge,Utopia,Nowhere,1,2,,",  # line 7
        "photos/c.jpg,,Utopia,Nowhere,1,2,,",  # line 8: no landmark
        "photos/c.jpg,Old Bridge,Utopia,Nowhere,north,2,,",  # line 9
        "photos/c.jpg,Old Bridge,Utopia,Nowhere,-33.5,151.2,480,360",  # line 10
    ]
    path = folder / "gallery.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_import_reports_bad_rows_keeps_good_ones_and_is_idempotent(cli, store: Store, tmp_path):  # noqa: F811
    csv_path = write_csv(tmp_path)
    report = json.loads(cli("gallery", "import", str(csv_path), "--json", code=3))
    assert (report["added"], report["rejected"]) == (3, 6)
    assert [(r["line"], r["code"]) for r in report["rejections"]] == [
        (4, "bad_coordinates"),
        (5, "missing_file"),
        (6, "not_an_image"),
        (7, "path_escapes_root"),
        (8, "bad_landmark"),
        (9, "bad_coordinates"),
    ]
    with store.connect() as conn:
        quarantined = list_quarantine(conn, stage="gallery", limit=100)
    assert sorted(r["locator"] for r in quarantined) == [f"line {n}" for n in range(4, 10)]

    again = json.loads(cli("gallery", "import", str(csv_path), "--json", code=3))
    assert (again["added"], again["already_present"]) == (0, 3)
    with store.connect() as conn:
        assert len(lib.list_entries(conn)) == 3
        assert len(list_quarantine(conn, stage="gallery", limit=100)) == 6

    landmarks = {r["landmark"]: r for r in json.loads(cli("gallery", "list", "--json"))}
    assert landmarks["Grey Tower"] | {"images": 2} == {
        "landmark": "Grey Tower",
        "city": "Utopia",
        "country": "Nowhere",
        "lat": 10.5,
        "lon": 20.25,
        "images": 2,
        "disabled": 0,
    }
    assert landmarks["Old Bridge"]["lat"] == -33.5
    images = json.loads(cli("gallery", "list", "--images", "--json"))
    assert sorted(i["source"] for i in images) == ["photos/a.jpg", "photos/b.jpg", "photos/c.jpg"]
    assert all(store.media.path_for(i["sha256"]).exists() for i in images)


def test_add_list_remove(cli, tmp_path):  # noqa: F811
    a, b = scene(tmp_path / "a.jpg", 4), scene(tmp_path / "b.jpg", 5)
    bad = tmp_path / "truncated.jpg"
    bad.write_bytes(a.read_bytes()[:2000])
    place = ["--landmark", "Red Gate", "--city", "Utopia", "--lat", "1.5", "--lon", "-2"]
    report = json.loads(cli("gallery", "add", str(a), str(b), str(bad), *place, "--json", code=3))
    assert (report["added"], report["rejected"]) == (2, 1)
    assert report["rejections"][0]["source"] == str(bad)
    cli("gallery", "add", str(a), "--landmark", "Red Gate", "--lat", "91", code=2)
    cli("gallery", "add", str(a), "--landmark", "Red Gate", "--lat", "5", code=2)  # no --lon
    assert "Red Gate" in cli("gallery", "list")

    ids = [i["id"] for i in json.loads(cli("gallery", "list", "--images", "--json"))]
    assert "removed 1 " in cli("gallery", "remove", "--id", str(ids[0]), "--yes")
    assert "removed 1 " in cli("gallery", "remove", "--landmark", "Red Gate", "--yes")
    cli("gallery", "remove", "--landmark", "Red Gate", "--yes", code=1)
    cli("gallery", "remove", "--yes", code=2)
    assert json.loads(cli("gallery", "list", "--json")) == []


def test_the_index_follows_the_gallery(store: Store, settings: Settings, tmp_path):
    root = gallery_directory(settings.workspace)
    assert sync_gallery_index(store, root).name is None  # empty gallery: no index
    paths = [scene(tmp_path / f"{i}.jpg", 10 + i) for i in range(3)]
    with store.begin() as conn:
        lib.add_images(conn, store.media, paths[:2], lib.Place("Tower", "C", "K", 1.0, 2.0))
    first = sync_gallery_index(store, root)
    assert sync_gallery_index(store, root) == first  # unchanged gallery: same index
    with store.begin() as conn:
        lib.add_images(conn, store.media, paths[2:], lib.Place("Bridge", "C", "K", 3.0, 4.0))
    second = sync_gallery_index(store, root)
    assert second.fingerprint != first.fingerprint
    with store.begin() as conn:
        lib.remove(conn, landmark="Bridge")
    assert sync_gallery_index(store, root).fingerprint == first.fingerprint


def test_a_gallery_without_features_builds_and_matches_nothing(store: Store, settings, tmp_path):
    flat = tmp_path / "flat.png"
    Image.new("RGB", (300, 200), (90, 90, 90)).save(flat)
    with store.begin() as conn:
        lib.add_images(conn, store.media, [flat], lib.Place("Grey Wall"))
    ref = sync_gallery_index(store, gallery_directory(settings.workspace))
    index = open_gallery_index(ref)
    assert len(index) == 1
    probe = extract_features(scene(tmp_path / "q.jpg", 3), index.params.features)
    assert recognise(probe, index).accepted is False
