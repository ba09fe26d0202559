"""Contract test of the `ocr` analyzer (its other tests: tests/test_ocr.py)."""

from __future__ import annotations

from tests.contracts.analyzer_contract import AnalyzerContract, media_item
from tests.note_composites import note_image
from watchfloor.analyzers.ocr import OcrAnalyzer


class TestOcrContract(AnalyzerContract):
    analyzer_cls = OcrAnalyzer

    def good_subjects(self, tmp_path):
        note = tmp_path / "note.jpg"
        note.write_bytes(note_image(("Wij zijn hier",), "nl", seed=3))
        return [media_item(note, "image/jpeg")]

    def bad_subjects(self, tmp_path):
        text = tmp_path / "text.jpg"
        text.write_text("not an image at all")
        return [media_item(text)]
