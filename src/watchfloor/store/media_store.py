"""Content-addressed media store: the bytes of every media item once, under its SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    relpath: str  # relative to the media root
    created: bool  # False when the bytes were already there


def content_relpath(sha256: str) -> str:
    """Where an object lives under a media root, here and in a shared copy (store/shared_media.py)."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def relpath_for(self, sha256: str) -> str:
        return content_relpath(sha256)

    def path_for(self, sha256: str) -> Path:
        return self.root / self.relpath_for(sha256)

    def put_file(self, source: Path) -> StoredFile:
        """Copy `source` in while hashing it; an interrupted copy never leaves a partial object."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            return self._commit(Path(tmp_name), digest.hexdigest(), size)
        finally:
            Path(tmp_name).unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> StoredFile:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            return self._commit(Path(tmp_name), hashlib.sha256(data).hexdigest(), len(data))
        finally:
            Path(tmp_name).unlink(missing_ok=True)

    def _commit(self, tmp: Path, sha256: str, size: int) -> StoredFile:
        final = self.path_for(sha256)
        if final.exists():
            return StoredFile(sha256, size, self.relpath_for(sha256), created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, final)
        return StoredFile(sha256, size, self.relpath_for(sha256), created=True)
