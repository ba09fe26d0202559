"""Contract test of the ``emblem`` analyzer, prepared from a real SQLite store holding one
registered stand-in emblem."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from tests.contracts.analyzer_contract import AnalyzerContract, media_item
from tests.emblem_composites import flag_arden, jpeg, paste_emblem, save_png
from watchfloor.analyzers.base import AnalyzerOptions
from watchfloor.analyzers.emblem import EmblemAnalyzer
from watchfloor.store import open_store
from watchfloor.vision.emblem_registry import add_emblem


class TestEmblemContract(AnalyzerContract):
    analyzer_cls = EmblemAnalyzer

    @pytest.fixture
    def analyzer(self, tmp_path, sqlite_settings):
        store = open_store(sqlite_settings)
        with store.begin() as conn:
            add_emblem(
                conn,
                store.media,
                save_png(flag_arden(), tmp_path / "ref.png"),
                label="A",
                kind="flag",
            )
        analyzer = EmblemAnalyzer(AnalyzerOptions(workspace=str(sqlite_settings.workspace)))
        analyzer.prepare(store)
        store.close()
        return analyzer

    def good_subjects(self, tmp_path):
        rng = np.random.default_rng(5)
        ground = rng.integers(60, 200, (480, 640, 3), dtype=np.uint8)
        ground = np.asarray(Image.fromarray(ground).resize((64, 48)).resize((640, 480)))
        pasted, _ = paste_emblem(ground, np.asarray(flag_arden()), 0.4, random.Random(3))
        path = tmp_path / "with-flag.jpg"
        path.write_bytes(jpeg(pasted, 80))
        return [media_item(path, "image/jpeg")]

    def bad_subjects(self, tmp_path):
        text = tmp_path / "text.jpg"
        text.write_text("not an image at all")
        empty = tmp_path / "empty.png"
        empty.write_bytes(b"")
        return [media_item(text), media_item(empty)]
