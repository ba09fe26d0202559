"""PDQ perceptual hash, quality and the eight rotation/flip hashes of every image.

Mode "exact" decodes the full image and is bit-identical to python-threatexchange / HMA; mode
"fast" (the default) lets the JPEG decoder scale down while decoding, within a few bits of
exact (see README, benchmarks/hashing.py). The mode is part of the analyzer version, so
switching it recomputes every hash.
"""

from __future__ import annotations

from typing import ClassVar

from watchfloor.analyzers.base import Analyzer, AnalyzerRejected, MediaItem, SignalOut
from watchfloor.imaging import ImageRejected
from watchfloor.pdq import QUALITY_THRESHOLD, pdq_hash_file


class PdqAnalyzer(Analyzer):
    name: ClassVar[str] = "pdq"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("pdq", "pdq_dihedral")
    description: ClassVar[str] = "PDQ hash and quality of images, plus the 8 rotation/flip hashes"

    @property
    def effective_version(self) -> str:
        return f"{self.version}+{self.options.pdq_mode}"

    def accepts(self, item: MediaItem) -> bool:
        return item.mime is None or item.mime.startswith("image/")

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        try:
            result = pdq_hash_file(
                item.path, mode=self.options.pdq_mode, max_pixels=self.options.max_image_pixels
            )
        except ImageRejected as exc:
            raise AnalyzerRejected(exc.code, str(exc)) from exc
        evidence = {"mode": result.mode, "usable": result.quality >= QUALITY_THRESHOLD}
        return [
            SignalOut(
                "pdq",
                {"hash": result.hash, "quality": result.quality},
                result.quality / 100,
                evidence,
            ),
            SignalOut("pdq_dihedral", dict(result.dihedral), None, {"mode": result.mode}),
        ]
