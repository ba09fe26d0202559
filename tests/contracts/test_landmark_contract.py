"""The `landmark` analyzer's contract (here, where the registry coverage test finds it), and the
gallery it is prepared from, shared with tests/test_landmark_analyzer.py."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from tests.contracts.analyzer_contract import AnalyzerContract, media_item
from tests.test_landmark_gallery import scene
from watchfloor.analyzers.base import AnalyzerOptions
from watchfloor.analyzers.landmark import LandmarkAnalyzer
from watchfloor.store import open_store
from watchfloor.vision import gallery as lib


def warped(source: Path, path: Path) -> Path:
    """Another view of the same scene: a perspective warp, scaled, re-encoded."""
    rgb = np.asarray(Image.open(source).convert("RGB"))
    h, w = rgb.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    moved = np.float32([[30, 20], [w - 10, 45], [w - 40, h - 15], [15, h - 30]])
    view = cv2.warpPerspective(rgb, cv2.getPerspectiveTransform(corners, moved), (w, h))
    Image.fromarray(view).resize((w * 3 // 4, h * 3 // 4)).save(path, quality=80)
    return path


def prepared(settings, folder: Path) -> LandmarkAnalyzer:
    """An analyzer prepared from a store whose gallery holds two stand-in places."""
    store = open_store(settings)
    with store.begin() as conn:
        tower = [scene(folder / "tower-1.jpg", 21), scene(folder / "tower-2.jpg", 22)]
        lib.add_images(conn, store.media, tower, lib.Place("Tower", "Utopia", "K", 1.5, 2.5))
        bridge = [scene(folder / "bridge.jpg", 23)]
        lib.add_images(conn, store.media, bridge, lib.Place("Bridge", "Utopia", "K", 3.0, 4.0))
    analyzer = LandmarkAnalyzer(AnalyzerOptions(workspace=str(settings.workspace)))
    analyzer.prepare(store)
    store.close()
    return analyzer


class TestLandmarkContract(AnalyzerContract):
    analyzer_cls = LandmarkAnalyzer

    @pytest.fixture
    def analyzer(self, tmp_path, sqlite_settings):
        return prepared(sqlite_settings, tmp_path)

    def good_subjects(self, tmp_path):
        source = scene(tmp_path / "source.jpg", 21)  # the same pixels as gallery tower-1
        return [media_item(warped(source, tmp_path / "view.jpg"), "image/jpeg")]

    def bad_subjects(self, tmp_path):
        text = tmp_path / "text.jpg"
        text.write_text("not an image at all")
        return [media_item(text)]
