"""Shared pieces of the edit pages and API: who acts, uploaded files, list paging."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import HTTPException, Request, UploadFile

from watchfloor.accounts.edits import Actor
from watchfloor.web.security import Principal, client_ip
from watchfloor.web.views import params

CHUNK = 1 << 16
MAX_PAGE = 500
_UNSAFE = re.compile(r"[^\w.@+-]+")


def actor_of(request: Request, principal: Principal) -> Actor:
    return Actor(principal.name, principal.origin, client_ip(request))


def not_found(exc: Exception) -> HTTPException:
    return HTTPException(404, str(exc))


def page_bounds(limit: int, offset: int, default: int = 100) -> tuple[int, int]:
    """A limit within 1..MAX_PAGE and an offset of at least 0."""
    return params.page_bounds(limit, offset, default, MAX_PAGE)


def image_upload_limit(request: Request) -> int:
    settings = request.app.state.settings
    return min(settings.max_image_bytes, request.app.state.web.max_upload_bytes)


def upload_name(upload: UploadFile, number: int) -> str:
    """The client's file name reduced to a harmless one (no folders, no odd characters)."""
    name = _UNSAFE.sub("_", Path(upload.filename or "").name).strip("._")[:120]
    return name or f"upload-{number}"


def _copy_limited(upload: UploadFile, dest: Path, limit: int, total: int) -> int:
    with dest.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            total += len(chunk)
            if total > limit:
                raise HTTPException(413, f"the upload is larger than {limit // (1024 * 1024)} MB")
            out.write(chunk)
    return total


@contextmanager
def saved_uploads(uploads: list[UploadFile], limit: int) -> Iterator[list[Path]]:
    """The uploads as files in a private temporary folder (removed afterwards), at most `limit`
    bytes in all (413 otherwise); two uploads of the same name keep both."""
    folder = Path(tempfile.mkdtemp(prefix="wf-upload-"))
    try:
        paths, total = [], 0
        for number, upload in enumerate(uploads):
            name = upload_name(upload, number)
            dest = folder / name
            if dest.exists():
                dest = folder / f"{number}-{name}"
            total = _copy_limited(upload, dest, limit, total)
            paths.append(dest)
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def real_uploads(uploads: list[UploadFile] | None) -> list[UploadFile]:
    """Browsers send an empty file part when nothing was chosen."""
    return [u for u in uploads or [] if u.filename]
