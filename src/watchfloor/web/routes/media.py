"""Media for signed-in users: a blurred greyscale preview, the original once revealed (audited)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from watchfloor.web.media_access import (
    ImageRejected,
    NoSuchMedia,
    make_preview,
    may_see_original,
    media_row,
    preview_path,
    record_reveal,
)
from watchfloor.web.routes.public import safe_next
from watchfloor.web.security import Principal, client_ip, viewer

router = APIRouter(tags=["media"], include_in_schema=False)
NO_STORE = {"cache-control": "no-store", "content-disposition": "inline"}


def _row(request: Request, sha256: str):
    try:
        with request.app.state.store.connect() as conn:
            return media_row(conn, sha256)
    except NoSuchMedia as exc:
        raise HTTPException(404, str(exc)) from exc


def preview_response(request: Request, source: Path, sha256: str) -> FileResponse:
    """The blurred greyscale preview of the image at `source` (made once), never cached.
    Shared with the reference-image routes."""
    settings = request.app.state.settings
    try:
        path = make_preview(
            source, preview_path(settings.workspace, sha256), settings.max_image_pixels
        )
    except (ImageRejected, OSError) as exc:
        raise HTTPException(404, f"no preview: {exc}") from exc
    return FileResponse(path, media_type="image/jpeg", headers=NO_STORE)


def reveal_response(request: Request, principal: Principal, sha256: str, next: str) -> Response:
    """Record the audited reveal of `sha256`, then go back to `next` (a path on this site)."""
    with request.app.state.store.begin() as conn:
        record_reveal(conn, principal.name, sha256, principal.origin, client_ip(request))
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/media/{sha256}/preview")
def preview(request: Request, sha256: str, principal: Principal = viewer) -> Response:
    row = _row(request, sha256)
    if not (row.mime or "").startswith("image/"):
        raise HTTPException(404, "no preview for this kind of media")
    return preview_response(request, request.app.state.store.media.path_for(sha256), sha256)


def original_file(
    request: Request, principal: Principal, sha256: str, refusal: str
) -> FileResponse:
    """The original bytes (no-store) for a principal who revealed them; 403 with `refusal`
    otherwise. Shared by this page route and /api/v1/media/{sha256}/content."""
    row = _row(request, sha256)
    hours = request.app.state.web.session_hours
    with request.app.state.store.connect() as conn:
        allowed = may_see_original(conn, principal.user_id, principal.name, sha256, hours)
    if not allowed:
        raise HTTPException(403, refusal)
    path = request.app.state.store.media.path_for(sha256)
    if not path.is_file():
        raise HTTPException(404, "the media file is missing from the media store")
    return FileResponse(path, media_type=row.mime or "application/octet-stream", headers=NO_STORE)


@router.get("/media/{sha256}")
def original(request: Request, sha256: str, principal: Principal = viewer) -> Response:
    return original_file(
        request, principal, sha256, "reveal this item first: media are blurred until you ask"
    )


@router.post("/media/{sha256}/reveal")
def reveal(
    request: Request, sha256: str, next: str = Form("/"), principal: Principal = viewer
) -> Response:
    _row(request, sha256)
    return reveal_response(request, principal, sha256, next)
