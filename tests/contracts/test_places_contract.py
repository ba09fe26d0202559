"""Contract tests of the geoparsing analyzers: places, ocr_places."""

from __future__ import annotations

from tests.contracts.analyzer_contract import AnalyzerContract, media_item
from tests.contracts.test_text_analyzers import post
from watchfloor.analyzers.places import OcrPlacesAnalyzer, PlacesAnalyzer


class TestPlacesContract(AnalyzerContract):
    analyzer_cls = PlacesAnalyzer

    def good_subjects(self, tmp_path):
        return [
            post("Wait for us at the Eiffel Tower in Paris", 1),
            post("انتظرونا في لندن #برلين", 2),
        ]

    def bad_subjects(self, tmp_path):
        return [post(None, 3), post(b"bytes, not text", 4)]


class TestOcrPlacesContract(AnalyzerContract):
    analyzer_cls = OcrPlacesAnalyzer

    def good_subjects(self, tmp_path):
        path = tmp_path / "note.png"
        path.write_bytes(b"stand-in bytes of a photographed note")
        return [media_item(path, "image/png")]

    def inputs_for(self, subject):
        if subject.path.name == "note.png":
            return {"ocr_text": {"text": "Nous sommes à Bruxelles", "language": "fr"}}
        return {"ocr_text": "not an object"}

    def bad_subjects(self, tmp_path):
        path = tmp_path / "bad.png"
        path.write_bytes(b"other bytes")
        return [media_item(path, "image/png")]
