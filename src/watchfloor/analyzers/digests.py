"""SHA-256 and MD5 of every media item; SHA-256 also proves the stored bytes are intact."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from watchfloor.analyzers.base import Analyzer, AnalyzerRejected, MediaItem, SignalOut

CHUNK = 1 << 20


class DigestAnalyzer(Analyzer):
    name: ClassVar[str] = "digests"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("sha256", "md5")
    description: ClassVar[str] = (
        "SHA-256 and MD5 of the media bytes (MD5 for exchange with older hash lists)"
    )

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
        try:
            with open(item.path, "rb") as f:
                while chunk := f.read(CHUNK):
                    sha.update(chunk)
                    md5.update(chunk)
        except OSError as exc:
            raise AnalyzerRejected("unreadable", f"cannot read stored media: {exc}") from exc
        if sha.hexdigest() != item.sha256:
            raise AnalyzerRejected(
                "corrupt_store", f"stored bytes hash to {sha.hexdigest()}, not {item.sha256}"
            )
        return [SignalOut("sha256", sha.hexdigest()), SignalOut("md5", md5.hexdigest())]
