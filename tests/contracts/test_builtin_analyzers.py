"""Contract tests of the built-in analyzers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from tests.contracts.analyzer_contract import AnalyzerContract, media_item
from watchfloor.analyzers.base import AnalyzerOptions
from watchfloor.analyzers.digests import DigestAnalyzer
from watchfloor.analyzers.match import MatchAnalyzer, Md5MatchAnalyzer
from watchfloor.analyzers.pdq import PdqAnalyzer
from watchfloor.pdq import pdq_hash_file
from watchfloor.store import open_store
from watchfloor.store.schema import bank_entries, banks


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


class _BankFixtures:
    """For the match analyzers' contracts: prepared from a real SQLite store with one bank that holds the
    sample image (PDQ) and its bytes (MD5)."""

    @pytest.fixture
    def analyzer(self, tmp_path, sqlite_settings):
        banked = banked_image(tmp_path / "banked.jpg")
        store = open_store(sqlite_settings)
        now = datetime.now(UTC)
        with store.begin() as conn:
            row = {"name": "contract", "revision": 1, "created_at": now, "updated_at": now}
            bank_id = conn.execute(banks.insert().values(**row)).inserted_primary_key[0]
            for signal_type, value in (
                ("pdq", pdq_hash_file(banked).hash),
                ("md5", hashlib.md5(banked.read_bytes()).hexdigest()),
            ):
                entry = {"signal_type": signal_type, "value": value, "label": "sample"}
                conn.execute(bank_entries.insert().values(bank_id=bank_id, added_at=now, **entry))
        analyzer = self.analyzer_cls(AnalyzerOptions(workspace=str(sqlite_settings.workspace)))
        analyzer.prepare(store)
        store.close()
        return analyzer

    def inputs_for(self, subject):
        if subject.path.name.startswith("malformed"):
            return {"pdq": {"hash": "not hex", "quality": 90}, "pdq_dihedral": {}, "md5": 42}
        result = pdq_hash_file(subject.path)
        return {
            "pdq": {"hash": result.hash, "quality": result.quality},
            "pdq_dihedral": result.dihedral,
            "md5": hashlib.md5(subject.path.read_bytes()).hexdigest(),
        }

    def bad_subjects(self, tmp_path):
        return [media_item(banked_image(tmp_path / "malformed.jpg"), "image/jpeg")]


def banked_image(path: Path) -> Path:
    img = Image.effect_mandelbrot((400, 300), (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")
    img.save(path, quality=92)
    return path


class TestMatchContract(_BankFixtures, AnalyzerContract):
    analyzer_cls = MatchAnalyzer

    def good_subjects(self, tmp_path):
        flat = tmp_path / "flat.png"
        Image.new("RGB", (200, 100), (90, 90, 90)).save(flat)
        copy = banked_image(tmp_path / "copy.jpg")
        return [media_item(copy, "image/jpeg"), media_item(flat, "image/png")]


class TestMd5MatchContract(_BankFixtures, AnalyzerContract):
    analyzer_cls = Md5MatchAnalyzer

    def good_subjects(self, tmp_path):
        return [media_item(banked_image(tmp_path / "copy.jpg"), "image/jpeg")]


from watchfloor.analyzers.crops import CropsAnalyzer  # noqa: E402  (added with the analyzer)


class TestCropsContract(AnalyzerContract):
    analyzer_cls = CropsAnalyzer

    def good_subjects(self, tmp_path):
        flat = tmp_path / "flat.png"
        Image.new("RGB", (200, 100), (90, 90, 90)).save(flat)
        return [media_item(sample_image(tmp_path / "c.jpg"), "image/jpeg"), media_item(flat)]

    def bad_subjects(self, tmp_path):
        text = tmp_path / "text.jpg"
        text.write_text("not an image at all")
        return [media_item(text)]
