"""The local features of an analysed image, computed once for the ``emblem`` and ``landmark``
analyzers.

Both look for things in an image with SIFT at 1,024 px (``SHARED_FEATURES``: long side 1,024 px,
every keypoint), which is most of what each of them costs. The landmark gallery's photos are
never enlarged (``GALLERY_FEATURES``); an analysed image from 973 px (95 %) up is brought to
1,024 px, so that an image a little smaller than that is not analysed twice (the emblem analyzer
enlarges smaller images for small emblems anyway; SIFT does not mind the 5 %: leave-one-out on
the landmark photos with such queries is unchanged). The pipeline runs one analyzer over every
pending image before the next starts, in fresh worker processes, so the features are handed over
on disk: the first of the two analyzers to see an image computes them and leaves them in
``<workspace>/cache/image-features/<key>/``, the other takes them and removes the file. Either
analyzer still runs alone (``--only``): it computes what it does not find.

The folder is bounded: a process stops leaving features once the folder holds ``max_bytes`` (a
backfill larger than that shares the first part, then each analyzer computes its own), and
``trim`` (run when an analyzer is prepared) removes what nobody took within ``max_age_s``. Files
are written to a temporary name and renamed into place; a damaged file is recomputed.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from watchfloor.matching.feature_cache import decode_features, encode_features
from watchfloor.matching.verify import Features, VerifyParams

__all__ = [
    "GALLERY_FEATURES",
    "SHARED_FEATURES",
    "FeatureHandOff",
    "features_for",
    "handoff_directory",
    "trim_hand_off",
]

# the landmark gallery's features (``landmark_index.IndexParams``)
GALLERY_FEATURES = VerifyParams(max_side=1024, n_features=0, dense_side=32)
# an analysed image's: the same, but from 95 % of the working size up brought to it
SHARED_FEATURES = replace(GALLERY_FEATURES, enlarge_from=0.95)
USERS = ("emblem", "landmark")  # the analyzers that hand features to each other
MAX_BYTES = 1 << 30  # about 2,000 images at 1,024 px
MAX_AGE_S = 24 * 3600.0
_RESCAN_EVERY = 32  # writes between two looks at the folder's size


def handoff_directory(workspace: str | os.PathLike[str]) -> Path:
    return Path(workspace) / "cache" / "image-features" / SHARED_FEATURES.features_key


def features_for(
    workspace: str | None, owner: str, sha256: str, compute: Callable[[], Features]
) -> Features:
    """The image's ``SHARED_FEATURES``: left in ``workspace`` by another analyzer, or
    ``compute()`` (and left there for the others). Without a workspace nothing is shared."""
    if workspace is None:
        return compute()
    return _hand_off(str(workspace), owner).get(sha256, compute)


def trim_hand_off(workspace: str | None) -> int:
    """Removes features left in ``workspace`` that nobody took within ``MAX_AGE_S``."""
    if workspace is None:
        return 0
    return FeatureHandOff(handoff_directory(workspace), USERS[0]).trim()


@functools.lru_cache(maxsize=8)
def _hand_off(workspace: str, owner: str) -> FeatureHandOff:
    """One per process (its count of the folder's size is kept between images)."""
    return FeatureHandOff(handoff_directory(workspace), owner)


class FeatureHandOff:
    """Features of images by SHA-256, left by one analyzer (``owner``) for the others."""

    def __init__(self, root: Path, owner: str, *, max_bytes: int = MAX_BYTES) -> None:
        if owner not in USERS:
            raise ValueError(f"{owner!r} is not one of {USERS}")
        self.root, self.owner, self.max_bytes = root, owner, max_bytes
        self._writes_since_scan = _RESCAN_EVERY  # look at the folder before the first write
        self._bytes = 0
        self.taken = 0  # features found here (computed by another analyzer)
        self.left = 0  # features written here for another analyzer

    def get(self, sha256: str, compute: Callable[[], Features]) -> Features:
        """The image's features: taken from another analyzer if it left them, else computed
        (``compute``) and left for the others while the folder has room."""
        for other in USERS:
            if other != self.owner and (features := self._take(self._file(sha256, other))):
                self.taken += 1
                return features
        features = compute()
        if self._has_room():
            self._leave(self._file(sha256, self.owner), encode_features(features))
        return features

    def trim(self, max_age_s: float = MAX_AGE_S) -> int:
        """Removes features nobody took within ``max_age_s`` (and stray temporary files);
        returns how many files it removed."""
        removed = 0
        cutoff = time.time() - max_age_s
        for path in self._files():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def _file(self, sha256: str, owner: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.{owner}.sift"

    def _files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for folder in self.root.iterdir() if folder.is_dir() for p in folder.iterdir()]

    @staticmethod
    def _take(path: Path) -> Features | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        path.unlink(missing_ok=True)
        return decode_features(data)

    def _has_room(self) -> bool:
        if self._writes_since_scan >= _RESCAN_EVERY:
            self._bytes = sum(_size(p) for p in self._files())
            self._writes_since_scan = 0
        return self._bytes < self.max_bytes

    def _leave(self, path: Path, data: bytes) -> None:
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:  # a full or read-only disk costs the other analyzer a recomputation
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            return
        self._bytes += len(data)
        self._writes_since_scan += 1
        self.left += 1


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
