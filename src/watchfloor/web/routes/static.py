"""Stylesheets, scripts, fonts and map data, for signed-in users only (like every other route)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from watchfloor.web.security import viewer

router = APIRouter(tags=["static"], include_in_schema=False)
STATIC_DIR = (Path(__file__).resolve().parent.parent / "static").resolve()
TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".json": "application/json"}


def static_file(relpath: str) -> Path:
    """The file under the static folder; anything outside it, hidden, or missing is a 404."""
    candidate = (STATIC_DIR / relpath).resolve()
    parts = Path(relpath).parts
    if (
        not candidate.is_relative_to(STATIC_DIR)
        or any(p.startswith(".") for p in parts)
        or not candidate.is_file()
    ):
        raise HTTPException(404, "no such file")
    return candidate


@router.get("/static/{relpath:path}", dependencies=[viewer])
def serve_static(relpath: str) -> FileResponse:
    path = static_file(relpath)
    media_type = (
        TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    return FileResponse(
        path, media_type=media_type, headers={"cache-control": "private, max-age=3600"}
    )
