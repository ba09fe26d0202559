"""A copy of the media store that cluster workers read: a local path or any fsspec URL
(``s3://bucket/prefix``, ``gs://...``, ``file:///shared/media``), same content-addressed layout.

The main process keeps writing to its own media store (``MediaStore``); before work goes to the
cluster it pushes the objects the copy lacks (``push``). A worker reads an object in place when
the copy is a local file system (a mount), and otherwise fetches it once into a local cache,
checking its SHA-256 on the way, because the analyzers decode from file paths.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchfloor.store.media_store import CHUNK, MediaStore, content_relpath

DEFAULT_CACHE_BYTES = 2 << 30
_FETCHED = [0]  # bytes this process fetched since it last trimmed its cache


class MediaUnavailable(Exception):
    """The shared copy lacks the object, or holds bytes that do not hash to its key."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SharedMedia:
    """Pickles to workers: only the URL and cache settings travel, file systems open per process."""

    url: str
    cache_dir: str | None = None  # fetched objects; None: $WATCHFLOOR_MEDIA_CACHE, else temp dir
    cache_bytes: int = DEFAULT_CACHE_BYTES

    def _fs(self) -> tuple[Any, str]:
        import fsspec

        fs, root = fsspec.core.url_to_fs(self.url)
        return fs, root.rstrip("/")

    def _remote(self, sha256: str) -> tuple[Any, str]:
        fs, root = self._fs()
        return fs, f"{root}/{content_relpath(sha256)}"

    @property
    def local_root(self) -> Path | None:
        """The copy's root when it is a plain (possibly network-mounted) directory."""
        fs, root = self._fs()
        return Path(root) if "file" in _protocols(fs) else None

    def local_path(self, sha256: str) -> Path:
        """A local file with the object's bytes: in place on a mount, else a verified cached copy."""
        if (root := self.local_root) is not None:
            path = root / content_relpath(sha256)
            if not path.is_file():
                raise MediaUnavailable("media_unavailable", f"{path} is not in the shared media")
            return path
        cached = self._cache_root() / content_relpath(sha256)
        if not cached.is_file():
            self._fetch(sha256, cached)
        return cached

    def _cache_root(self) -> Path:
        if chosen := self.cache_dir or os.environ.get("WATCHFLOOR_MEDIA_CACHE"):
            return Path(chosen)  # read where the worker runs: machines may differ
        tag = hashlib.sha256(self.url.encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"watchfloor-media-{tag}"

    def _fetch(self, sha256: str, cached: Path) -> None:
        fs, remote = self._remote(sha256)
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".fetch-")
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, fs.open(remote, "rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise MediaUnavailable(
                    "media_corrupt", f"{self.url}: {sha256} holds bytes with another SHA-256"
                )
            os.replace(tmp, cached)
            _FETCHED[0] += cached.stat().st_size
        except FileNotFoundError as exc:
            raise MediaUnavailable(
                "media_unavailable", f"{sha256} is not in the shared media at {self.url}"
            ) from exc
        finally:
            Path(tmp).unlink(missing_ok=True)

    def trim_cache(self) -> int:
        """Once this process has fetched an eighth of ``cache_bytes`` since it last looked, and
        the cache holds more than ``cache_bytes``, drops the oldest objects down to half of it;
        returns how many it dropped (objects never change, a dropped one is fetched again)."""
        if _FETCHED[0] < self.cache_bytes // 8 or not self._cache_root().is_dir():
            return 0
        _FETCHED[0] = 0
        files = [(p.stat(), p) for p in self._cache_root().glob("*/*/*") if p.is_file()]
        total = sum(st.st_size for st, _p in files)
        if total <= self.cache_bytes:
            return 0
        dropped = 0
        for st, path in sorted(files, key=lambda f: f[0].st_mtime):
            if total <= self.cache_bytes // 2:
                break
            path.unlink(missing_ok=True)
            total -= st.st_size
            dropped += 1
        return dropped

    def push(self, store: MediaStore, shas: Iterable[str]) -> int:
        """Copies the objects the shared copy lacks from ``store``; returns how many it copied."""
        fs, root = self._fs()
        wanted = set(shas)
        if not wanted:
            return 0
        present = {p.rsplit("/", 1)[-1] for p in fs.find(root)} if fs.exists(root) else set()
        # an object this store lacks too is left out: its subject fails alone, on the worker
        missing = sorted(s for s in wanted - present if store.path_for(s).is_file())
        for sha256 in missing:
            remote = f"{root}/{content_relpath(sha256)}"
            fs.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)
            tmp = f"{remote}.incoming"
            fs.put_file(str(store.path_for(sha256)), tmp)
            fs.mv(tmp, remote)
        return len(missing)


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)
