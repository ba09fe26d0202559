"""Text read in an image is scored like post text: a printed note from the `ocr` analyzer
through `ocr_threat` (skipped where the OCR analyzer is not available)."""

from __future__ import annotations

import random

import pytest

from tests.contracts.analyzer_contract import media_item
from watchfloor.analyzers.base import AnalyzerOptions
from watchfloor.analyzers.text import OcrThreatAnalyzer

notes = pytest.importorskip("tests.note_composites")
ocr = pytest.importorskip("watchfloor.analyzers.ocr")


@pytest.mark.parametrize(
    ("lines", "language", "label"),
    [
        (("WE ARE AMONG YOU", "WAIT FOR US"), "en", "threat"),
        (("Lovely day at the", "old bridge market"), "en", None),
    ],
)
def test_note_in_an_image_is_scored(tmp_path, lines, language, label):
    path = tmp_path / "note.png"
    notes.render_note(lines, language, random.Random(3)).convert("RGB").save(path)
    item = media_item(path, "image/png")
    (read,) = ocr.OcrAnalyzer(AnalyzerOptions()).analyze(item, {})
    out = OcrThreatAnalyzer(AnalyzerOptions()).analyze(item, {"ocr_text": read.value})
    if label is None:
        assert out == []  # benign: the lexicon stops it, no signal
        return
    (signal,) = out
    assert signal.kind == "ocr_threat" and signal.value["label"] == label
    assert {h["text"].lower() for h in signal.evidence["lexicon"]} >= {"wait for us"}
