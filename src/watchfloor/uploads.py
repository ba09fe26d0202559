"""Uploaded export archives: saved under `<workspace>/uploads/`, ingested by a background job.

`save_upload` copies the upload (already on disk, or a stream) into its own folder with a size
cap and checks it is a ZIP or tar.gz; `queue_upload` records the job; `ingest_upload` (the job)
extracts it safely, finds the Telegram Desktop exports inside and runs the same
`ingest_paths` as `watchfloor ingest`, then removes the folder.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from watchfloor.config import ConfigError, Settings
from watchfloor.ingest import ingest_paths
from watchfloor.ingest.archive import (
    ArchiveLimits,
    ArchiveRefused,
    archive_kind,
    export_roots,
    extract_archive,
)
from watchfloor.jobs import Handler, Job, JobFailed, Progress, create_job
from watchfloor.store import Store

UPLOAD_KIND = "ingest_upload"
CHUNK = 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")


class UploadRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class StoredUpload:
    folder: Path
    filename: str
    size: int
    sha256: str
    kind: str

    @property
    def archive(self) -> Path:
        return self.folder / "archive"


def uploads_dir(settings: Settings) -> Path:
    return settings.workspace / "uploads"


def display_name(name: str | None) -> str:
    """The uploader's file name, for display only (never used as a path)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE_NAME.sub("_", base)[:120] or "upload"


def save_upload(
    settings: Settings, source: IO[bytes], filename: str | None, max_bytes: int
) -> StoredUpload:
    """Copies `source` into a fresh folder, refusing more than `max_bytes` (413) and anything
    but a ZIP or tar.gz (415); nothing is left behind on refusal."""
    folder = uploads_dir(settings) / secrets.token_hex(8)
    folder.mkdir(parents=True)
    digest, size = hashlib.sha256(), 0
    try:
        with open(folder / "archive", "xb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(
                        413, f"the archive is larger than the limit of {max_bytes // 1024**2} MB"
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRefused(400, "the uploaded file is empty")
        try:
            kind = archive_kind(folder / "archive")
        except ArchiveRefused as exc:
            raise UploadRefused(415, f"{exc}: upload a .zip or .tar.gz of the export") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StoredUpload(folder, display_name(filename), size, digest.hexdigest(), kind)


def queue_upload(
    conn: Connection, settings: Settings, stored: StoredUpload, created_by: str
) -> Job:
    folder = stored.folder.relative_to(uploads_dir(settings)).as_posix()
    return create_job(
        conn,
        UPLOAD_KIND,
        created_by,
        {
            "filename": stored.filename,
            "size": stored.size,
            "sha256": stored.sha256,
            "archive_kind": stored.kind,
            "folder": folder,
        },
    )


def archive_limits(settings: Settings) -> ArchiveLimits:
    env, default = settings.env, ArchiveLimits()
    return ArchiveLimits(
        max_bytes=_env_int(env, "WATCHFLOOR_UPLOAD_MAX_EXPANDED_MB", default.max_bytes // 1024**2)
        * 1024**2,
        max_entries=_env_int(env, "WATCHFLOOR_UPLOAD_MAX_FILES", default.max_entries),
        max_ratio=default.max_ratio,
    )


def _env_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


def ingest_upload(store: Store, settings: Settings, job: Job, progress: Progress) -> dict[str, Any]:
    """The job: extract, find the exports, ingest them; the folder is removed either way."""
    folder = _job_folder(settings, job)
    extracted = folder / "extracted"
    try:
        shutil.rmtree(extracted, ignore_errors=True)  # a half-done attempt before a crash
        try:
            unpacked = extract_archive(folder / "archive", extracted, archive_limits(settings))
        except ArchiveRefused as exc:
            raise JobFailed(f"archive refused: {exc}") from None
        except FileNotFoundError:
            raise JobFailed("the uploaded archive is gone from the uploads folder") from None
        roots = export_roots(extracted)
        if not roots:
            raise JobFailed(
                "no Telegram Desktop export in the archive (no result.json or messages*.html)"
            )
        progress({"stage": "ingest", "files": unpacked.files, "bytes": unpacked.bytes})
        report = ingest_paths(
            store,
            settings,
            roots,
            on_progress=lambda path, done, total: progress(
                {
                    "stage": "ingest",
                    "export": _relative(path, extracted),
                    "done": done,
                    "total": total,
                }
            ),
        )
        result = _result(report.as_dict(), extracted, unpacked.files, unpacked.bytes)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    errors = [s["error"] for s in result["report"]["sources"] if s["error"]]
    if errors and len(errors) == len(roots):
        raise JobFailed("; ".join(errors), result)
    return result


def _job_folder(settings: Settings, job: Job) -> Path:
    base = uploads_dir(settings).resolve()
    folder = (base / str(job.input.get("folder", ""))).resolve()
    if folder == base or not folder.is_relative_to(base):
        raise JobFailed("the job names no upload folder")
    return folder


def _relative(path: str | Path, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def _result(report: dict[str, Any], root: Path, files: int, size: int) -> dict[str, Any]:
    for source in report["sources"]:
        source["path"] = _relative(source["path"], root)
        if source["error"]:
            source["error"] = source["error"].replace(f"{root}/", "")
    return {"extracted": {"files": files, "bytes": size}, "report": report}


def upload_handlers(store: Store, settings: Settings) -> dict[str, Handler]:
    return {UPLOAD_KIND: lambda job, progress: ingest_upload(store, settings, job, progress)}
