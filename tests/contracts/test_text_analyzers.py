"""Contract tests of the text analyzers: language, threat, ocr_threat."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from tests.contracts.analyzer_contract import AnalyzerContract, media_item
from watchfloor.analyzers.base import PostItem
from watchfloor.analyzers.text import LanguageAnalyzer, OcrThreatAnalyzer, ThreatAnalyzer

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def post(text, n: int = 1) -> PostItem:
    digest = hashlib.sha256(str(text).encode()).hexdigest()
    return PostItem(f"test:1/{n}", "test:1", n, WHEN, text, digest)


class TestLanguageContract(AnalyzerContract):
    analyzer_cls = LanguageAnalyzer

    def good_subjects(self, tmp_path):
        return [
            post("Lovely evening at the old bridge with friends", 1),
            post("أمسية جميلة عند الجسر القديم مع الأصدقاء", 2),
            post("ok", 3),  # too short to tell: "other"
        ]

    def bad_subjects(self, tmp_path):
        return [post(None, 4), post(b"bytes, not text", 5)]


class TestThreatContract(AnalyzerContract):
    analyzer_cls = ThreatAnalyzer

    def good_subjects(self, tmp_path):
        return [
            post("We are among you. Wait for us, the bridge is next.", 1),
            post("Analysts say the channel posted 'wait for us' under a photo of the bridge.", 2),
        ]

    def bad_subjects(self, tmp_path):
        return [post("Wait for us", 3), post(None, 4)]

    def inputs_for(self, subject):
        if subject.message_id == 3:
            return {"language": "en"}  # not the language signal's value
        return {"language": {"language": "en", "confidence": 0.9, "detected": "en"}}


class TestOcrThreatContract(AnalyzerContract):
    analyzer_cls = OcrThreatAnalyzer

    def good_subjects(self, tmp_path):
        path = tmp_path / "poster.png"
        path.write_bytes(b"stand-in bytes: the analyzer reads the ocr_text signal, not the image")
        return [media_item(path, "image/png")]

    def bad_subjects(self, tmp_path):
        path = tmp_path / "other.png"
        path.write_bytes(b"other stand-in bytes")
        return [media_item(path, "image/png")]

    def inputs_for(self, subject):
        if subject.path.name == "other.png":
            return {"ocr_text": ["not", "a", "dict"]}
        lines = ["نحن بينكم", "فانتظرونا"]
        return {"ocr_text": {"text": "\n".join(lines), "language": "ar", "lines": []}}
