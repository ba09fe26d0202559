"""Contract test of the exif analyzer."""

from __future__ import annotations

from tests.contracts.analyzer_contract import AnalyzerContract, media_item
from tests.exif_images import exif_with, generated_jpeg, gps_block
from watchfloor.analyzers.exif import ExifAnalyzer


class TestExifContract(AnalyzerContract):
    analyzer_cls = ExifAnalyzer

    def good_subjects(self, tmp_path):
        paris = generated_jpeg(tmp_path / "p.jpg", exif_with(gps_block(48.8584, 2.2945)))
        sea = generated_jpeg(tmp_path / "s.jpg", exif_with(gps_block(45.0, -30.0)), seed=1)
        return [media_item(paris, "image/jpeg"), media_item(sea)]

    def bad_subjects(self, tmp_path):
        over = exif_with(gps_block(48.8584, 2.2945) | {2: (95.0, 0.0, 0.0)})
        text = tmp_path / "text.jpg"
        text.write_text("not an image at all")
        return [media_item(generated_jpeg(tmp_path / "bad.jpg", over)), media_item(text)]
