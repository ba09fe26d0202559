"""Safe extraction of an uploaded export archive (ZIP or tar.gz) into a fresh folder.

The archive is untrusted. Nothing is extracted through `zipfile.extract`/`tarfile.extract`:
each entry is checked, then its bytes are copied by hand into a path built from its checked
name. Refused: absolute paths, `..`, links, devices and FIFOs, duplicate names, more than
`max_entries` entries, more than `max_bytes` uncompressed in all (counted while writing, so a
lying header cannot get past it), and a single entry expanding more than `max_ratio` times.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from watchfloor.sources.telegram_export.html_reader import PAGE_RE

CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
IGNORED_TOP = frozenset({"__MACOSX"})


class ArchiveRefused(Exception):
    """The archive is not one we accept; the message says why, for the uploader."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_bytes: int = 8 * 1024**3  # uncompressed, all entries
    max_entries: int = 200_000
    max_ratio: int = 200  # uncompressed / compressed for one ZIP entry (JSON ~10-20x)


@dataclass
class Extracted:
    root: Path
    files: int = 0
    bytes: int = 0


def archive_kind(path: Path) -> str:
    """'zip' or 'tar.gz' from the first bytes (never from the file name)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "tar.gz"
    raise ArchiveRefused("not a ZIP or tar.gz archive")


def safe_name(name: str) -> PurePosixPath | None:
    """The entry's relative path, or None for an entry to skip (the archive's own root)."""
    if "\x00" in name:
        raise ArchiveRefused(f"entry name with a NUL byte: {name!r}")
    normal = name.replace("\\", "/")
    if normal.startswith("/") or _DRIVE.match(normal):
        raise ArchiveRefused(f"absolute path in the archive: {name!r}")
    parts = [p for p in normal.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveRefused(f"path climbing out of the archive ('..'): {name!r}")
    return PurePosixPath(*parts) if parts else None


class _Writer:
    """Writes checked entries under `root`, keeping the running totals against the limits."""

    def __init__(self, root: Path, limits: ArchiveLimits) -> None:
        self.root, self.limits = root, limits
        self.result = Extracted(root)
        self.entries = 0

    def count_entry(self) -> None:
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise ArchiveRefused(f"more than {self.limits.max_entries} entries in the archive")

    def target(self, name: PurePosixPath) -> Path:
        path = self.root.joinpath(*name.parts)
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise ArchiveRefused(f"path leads outside the extraction folder: {name}")
        return path

    def directory(self, name: PurePosixPath) -> None:
        self.target(name).mkdir(parents=True, exist_ok=True)

    def file(self, name: PurePosixPath, source: IO[bytes], mtime: float | None) -> None:
        path = self.target(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise ArchiveRefused(f"the archive holds {name} twice")
        with open(path, "xb") as out:
            while chunk := source.read(CHUNK):
                self.result.bytes += len(chunk)
                if self.result.bytes > self.limits.max_bytes:
                    raise ArchiveRefused(
                        f"expands to more than {self.limits.max_bytes // 1024**2} MB"
                    )
                out.write(chunk)
        if mtime is not None:  # stable file identity, so a re-run job resumes its checkpoints
            os.utime(path, (mtime, mtime))
        self.result.files += 1


def extract_archive(path: Path, dest: Path, limits: ArchiveLimits | None = None) -> Extracted:
    """Extracts `path` into `dest` (which must not exist); on refusal `dest` is removed."""
    limits = limits or ArchiveLimits()
    kind = archive_kind(path)
    dest.mkdir(parents=True)
    writer = _Writer(dest, limits)
    try:
        if kind == "zip":
            _extract_zip(path, writer)
        else:
            _extract_tar(path, writer)
    except ArchiveRefused:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        shutil.rmtree(dest, ignore_errors=True)
        raise ArchiveRefused(f"damaged {kind} archive: {exc}") from None
    return writer.result


def _extract_zip(path: Path, writer: _Writer) -> None:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        declared = sum(i.file_size for i in infos)
        if len(infos) > writer.limits.max_entries:
            raise ArchiveRefused(f"more than {writer.limits.max_entries} entries in the archive")
        if declared > writer.limits.max_bytes:
            raise ArchiveRefused(f"expands to more than {writer.limits.max_bytes // 1024**2} MB")
        for info in infos:
            writer.count_entry()
            name = safe_name(info.filename)
            kind = _zip_type(info)
            if name is None or name.parts[0] in IGNORED_TOP:
                continue
            if kind == "dir":
                writer.directory(name)
                continue
            if info.compress_size and info.file_size / info.compress_size > writer.limits.max_ratio:
                raise ArchiveRefused(f"{name} expands suspiciously ({info.file_size} bytes)")
            with archive.open(info) as source:
                writer.file(name, source, datetime(*info.date_time).timestamp())


def _zip_type(info: zipfile.ZipInfo) -> str:
    kind = stat.S_IFMT(info.external_attr >> 16)  # Unix file type bits, 0 when not set
    if info.is_dir():
        return "dir"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        what = "a link" if kind == stat.S_IFLNK else "a special file"
        raise ArchiveRefused(f"{info.filename!r} is {what}: only files and folders are accepted")
    return "file"


def _extract_tar(path: Path, writer: _Writer) -> None:
    with tarfile.open(path, mode="r:gz") as archive:
        for member in _tar_members(archive, writer):
            name = safe_name(member.name)
            if name is None or name.parts[0] in IGNORED_TOP:
                continue
            if member.isdir():
                writer.directory(name)
                continue
            source = archive.extractfile(member)
            if source is None:
                raise ArchiveRefused(f"{member.name!r} has no content")
            with source:
                writer.file(name, source, float(member.mtime) if member.mtime else None)


def _tar_members(archive: tarfile.TarFile, writer: _Writer) -> Iterator[tarfile.TarInfo]:
    declared = 0  # skipped entries are decompressed too: count them against the limit
    while (member := archive.next()) is not None:
        writer.count_entry()
        declared += member.size
        if declared > writer.limits.max_bytes:
            raise ArchiveRefused(f"expands to more than {writer.limits.max_bytes // 1024**2} MB")
        if not (member.isfile() or member.isdir()):
            what = "a link" if member.issym() or member.islnk() else "a special file"
            raise ArchiveRefused(f"{member.name!r} is {what}: only files and folders are accepted")
        yield member


def export_roots(folder: Path) -> list[Path]:
    """The Telegram Desktop exports inside `folder`: the top-most folders holding a
    result.json or messages*.html page (a folder of several chat exports yields each)."""
    roots: list[Path] = []
    for current, dirs, files in os.walk(folder):
        if "result.json" in files or any(PAGE_RE.match(f) for f in files):
            roots.append(Path(current))
            dirs.clear()
            continue
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_TOP)
    return sorted(roots)
