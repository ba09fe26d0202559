"""Local features by media SHA-256: a small in-memory LRU in front of one small file per image.

A file is ``root/<features_key>/ab/<sha256>[-m].sift`` (``-m``: of the mirrored image): a
header, the keypoint positions (float32), the SIFT descriptors (uint8) and the YCrCb thumbnail
of the dense checks, about 60 KB at the defaults. Reading one back costs a tenth of a
millisecond, computing it 40-60. Files may be deleted at any time; a damaged or truncated file
is recomputed. Writes go to a temporary file renamed into place, so processes can share a root.
"""

from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

from watchfloor.imaging import DEFAULT_MAX_PIXELS
from watchfloor.matching.verify import Features, VerifyParams, extract_features

__all__ = ["FeatureCache"]

MAGIC = b"WFSIFT2\0"
_HEADER = np.dtype("<i4")
_FIELDS = 5  # keypoints, width, height, thumbnail height, thumbnail width


def encode_features(features: Features) -> bytes:
    th, tw = features.thumb.shape[:2]
    header = np.array([len(features.points), features.width, features.height, th, tw], _HEADER)
    return b"".join(
        (
            MAGIC,
            header.tobytes(),
            features.points.astype("<f4").tobytes(),
            features.descriptors.astype(np.uint8).tobytes(),
            features.thumb.astype(np.uint8).tobytes(),
        )
    )


def decode_features(data: bytes) -> Features | None:
    """The features back, or None when ``data`` is not a whole, well-formed file."""
    start = len(MAGIC) + _FIELDS * _HEADER.itemsize
    if len(data) < start or not data.startswith(MAGIC):
        return None
    n, width, height, th, tw = (int(v) for v in np.frombuffer(data, _HEADER, _FIELDS, len(MAGIC)))
    sizes = (n * 2 * 4, n * 128, th * tw * 3)
    if min(n, width, height, th, tw) < 0 or len(data) != start + sum(sizes):
        return None
    points = np.frombuffer(data, "<f4", n * 2, start).reshape(n, 2)
    descriptors = np.frombuffer(data, np.uint8, n * 128, start + sizes[0]).reshape(n, 128)
    thumb = np.frombuffer(data, np.uint8, th * tw * 3, start + sizes[0] + sizes[1])
    thumb = thumb.reshape(th, tw, 3)
    return Features(points.astype(np.float32), descriptors, width, height, thumb)


class FeatureCache:
    """``root=None`` keeps nothing on disk (every miss of the in-memory LRU recomputes)."""

    def __init__(
        self,
        root: Path | None,
        params: VerifyParams,
        *,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        memory_items: int = 256,
    ) -> None:
        self.root = root / params.features_key if root is not None else None
        self.params, self.max_pixels, self.memory_items = params, max_pixels, memory_items
        self._memory: OrderedDict[tuple[str, bool], Features] = OrderedDict()
        self.computed = 0  # features extracted (not found in memory or on disk)

    def get(self, sha256: str, path: Path, *, mirrored: bool = False) -> Features:
        """Features of the image (raises ``imaging.ImageRejected`` when it cannot be read)."""
        key = (sha256, mirrored)
        if key in self._memory:
            self._memory.move_to_end(key)
            return self._memory[key]
        features = self._load(sha256, mirrored)
        if features is None:
            features = extract_features(
                path, self.params, mirrored=mirrored, max_pixels=self.max_pixels
            )
            self.computed += 1
            self._save(sha256, mirrored, features)
        self._memory[key] = features
        while len(self._memory) > self.memory_items:
            self._memory.popitem(last=False)
        return features

    def stored(self, sha256: str, mirrored: bool = False) -> bool:
        return self.root is not None and self._file(sha256, mirrored).exists()

    def _file(self, sha256: str, mirrored: bool) -> Path:
        assert self.root is not None
        return self.root / sha256[:2] / f"{sha256}{'-m' if mirrored else ''}.sift"

    def _load(self, sha256: str, mirrored: bool) -> Features | None:
        if self.root is None:
            return None
        try:
            return decode_features(self._file(sha256, mirrored).read_bytes())
        except OSError:
            return None

    def _save(self, sha256: str, mirrored: bool, features: Features) -> None:
        if self.root is None:
            return
        path = self._file(sha256, mirrored)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(encode_features(features))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
