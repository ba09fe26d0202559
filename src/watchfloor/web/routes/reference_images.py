"""Reference images (emblems, gallery photos) for signed-in users, blurred until revealed.

They live in the media store but not in the media table of ingested items, so they have their
own routes; the rules are those of `routes/media.py`: a blurred greyscale preview, the original
only after an audited reveal (or with the user's unblurred preference), never cached.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, Response

from watchfloor.imaging import ImageRejected, probe_image
from watchfloor.web.media_access import SHA256, may_see_original
from watchfloor.web.routes.media import NO_STORE, preview_response, reveal_response
from watchfloor.web.security import Principal, viewer
from watchfloor.web.views.references import is_reference_image

router = APIRouter(tags=["references"], include_in_schema=False)


def _checked(request: Request, sha256: str):
    if not SHA256.match(sha256):
        raise HTTPException(404, "not an image id: expected 64 lowercase hex digits")
    with request.app.state.store.connect() as conn:
        known = is_reference_image(conn, sha256)
    path = request.app.state.store.media.path_for(sha256)
    if not known or not path.is_file():
        raise HTTPException(404, f"no reference image {sha256}")
    return path


@router.get("/references/{sha256}/preview")
def preview(request: Request, sha256: str, principal: Principal = viewer) -> Response:
    return preview_response(request, _checked(request, sha256), sha256)


@router.get("/references/{sha256}")
def original(request: Request, sha256: str, principal: Principal = viewer) -> Response:
    source = _checked(request, sha256)
    hours = request.app.state.web.session_hours
    with request.app.state.store.connect() as conn:
        allowed = may_see_original(conn, principal.user_id, principal.name, sha256, hours)
    if not allowed:
        raise HTTPException(403, "reveal this image first: images are blurred until you ask")
    try:
        mime = probe_image(source, max_pixels=request.app.state.settings.max_image_pixels).mime
    except ImageRejected as exc:
        raise HTTPException(404, f"not a usable image: {exc}") from exc
    return FileResponse(source, media_type=mime, headers=NO_STORE)


@router.post("/references/{sha256}/reveal")
def reveal(
    request: Request, sha256: str, next: str = Form("/"), principal: Principal = viewer
) -> Response:
    _checked(request, sha256)
    return reveal_response(request, principal, sha256, next)
