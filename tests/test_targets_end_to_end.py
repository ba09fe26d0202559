"""Targets end to end: a gallery, the landmark and exif analyzers, and the read model, on real
photos. A photo the gallery recognises and a geotagged photo of the same place meet on one
target; a photo of a place that is not in the gallery and carries no GPS gives none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.exif_images import exif_with, generated_jpeg, gps_block, photo_with_exif
from tests.exports import message, single_chat, write_export
from tests.reference import LANDMARKS, need_path
from watchfloor.analytics.target_queries import list_targets, target_posts
from watchfloor.analytics.targets import rebuild_targets
from watchfloor.analyzers.exif import ExifAnalyzer
from watchfloor.analyzers.landmark import LandmarkAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.ingest import ingest_paths
from watchfloor.pipeline import run_analysis
from watchfloor.vision.gallery import Place, add_images

SACRE_COEUR = ("Sacré-Cœur Basilica", "Paris", "France", 48.8867, 2.3431)
TOWER_BRIDGE = ("Tower Bridge", "London", "United Kingdom", 51.5055, -0.0754)


def photos(folder: str) -> list[Path]:
    return sorted(need_path(LANDMARKS / folder).glob("*.jpg"))


@pytest.fixture
def analysed(store, settings, tmp_path):
    sacre, tower = photos("sacre_coeur"), photos("tower_bridge")
    with store.begin() as conn:
        add_images(conn, store.media, sacre[1:6], Place(*SACRE_COEUR))
        add_images(conn, store.media, tower[1:3], Place(*TOWER_BRIDGE))
    root = tmp_path / "export"
    (root / "photos").mkdir(parents=True)
    # The held-out Sacré-Cœur photo, geotagged there; a generated picture geotagged at Tower
    # Bridge; a photo of a place the gallery does not hold, without GPS.
    photo_with_exif(sacre[0], root / "photos" / "a.jpg", exif_with(gps_block(48.8866, 2.3430)))
    generated_jpeg(root / "photos" / "b.jpg", exif_with(gps_block(51.5056, -0.0752)))
    photo_with_exif(photos("british_museum")[0], root / "photos" / "c.jpg", None)
    posts = [message(i, f"post {i}", photo=f"photos/{n}.jpg") for i, n in enumerate("abc", 1)]
    write_export(root, single_chat(posts))
    ingest_paths(store, settings, [root])
    registry = AnalyzerRegistry({"landmark": LandmarkAnalyzer, "exif": ExifAnalyzer})
    run_analysis(store, settings, registry, workers=1)
    return store, rebuild_targets(store)


def test_visual_and_exif_evidence_meet_on_the_gazetteer_landmark(analysed):
    store, report = analysed
    with store.connect() as conn:
        found = {t["key"]: t for t in list_targets(conn)}
        sacre_posts = target_posts(conn, "landmark:sacre-coeur")
    assert set(found) == {"landmark:sacre-coeur", "landmark:tower-bridge"}
    assert found["landmark:sacre-coeur"]["evidence_kinds"] == ["exif", "visual"]
    assert found["landmark:tower-bridge"]["evidence_kinds"] == ["exif"]
    assert [p["message_id"] for p in sacre_posts] == [1]
    visual = next(e for e in sacre_posts[0]["evidence"] if e["kind"] == "visual")
    assert visual["detail"]["inliers"] >= 12 and visual["detail"]["gallery_ids"]
    assert report.by_kind == {"exif": 2, "visual": 1}
