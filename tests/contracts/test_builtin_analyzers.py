"""Contract tests of the built-in analyzers."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.contracts.analyzer_contract import AnalyzerContract, media_item
from watchfloor.analyzers.digests import DigestAnalyzer
from watchfloor.analyzers.pdq import PdqAnalyzer


def sample_image(path: Path) -> Path:
    img = Image.radial_gradient("L").resize((400, 300)).convert("RGB")
    img.save(path, quality=92)
    return path


class TestDigestContract(AnalyzerContract):
    analyzer_cls = DigestAnalyzer

    def good_subjects(self, tmp_path):
        text = tmp_path / "note.txt"
        text.write_bytes(b"stand-in bytes")
        return [media_item(sample_image(tmp_path / "a.jpg")), media_item(text, "text/plain")]

    def bad_subjects(self, tmp_path):
        path = tmp_path / "changed.bin"
        path.write_bytes(b"original")
        item = media_item(path)
        path.write_bytes(b"tampered")  # the bytes no longer match their key
        return [item]


class TestPdqContract(AnalyzerContract):
    analyzer_cls = PdqAnalyzer

    def good_subjects(self, tmp_path):
        return [media_item(sample_image(tmp_path / "b.jpg"), "image/jpeg")]

    def bad_subjects(self, tmp_path):
        empty = tmp_path / "empty.jpg"
        empty.write_bytes(b"")
        text = tmp_path / "text.jpg"
        text.write_text("not an image at all")
        return [media_item(empty), media_item(text)]
