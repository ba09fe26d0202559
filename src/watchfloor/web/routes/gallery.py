"""Landmark gallery page: places and their photos (blurred), add photos, import a CSV, remove."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from watchfloor.web.editing import (
    actor_of,
    page_bounds,
    real_uploads,
    saved_uploads,
)
from watchfloor.web.routes.emblems import revealed_for
from watchfloor.web.security import Principal, analyst, viewer
from watchfloor.web.templating import render
from watchfloor.web.views import references as views

router = APIRouter(tags=["gallery"], include_in_schema=False)
Uploads = Annotated[list[UploadFile] | None, File()]


def parse_coordinate(text: str | None, name: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise views.BadRow("bad_coordinates", f"{name} {text!r} is not a number") from None


def upload_limit(request: Request) -> int:
    return request.app.state.web.max_upload_bytes


def _page(
    request: Request,
    principal: Principal,
    landmark: str | None = None,
    limit: int = 100,
    offset: int = 0,
    status: int = 200,
    **extra,
) -> Response:
    limit, offset = page_bounds(limit, offset)
    with request.app.state.store.connect() as conn:
        context = views.gallery_page(conn, landmark, limit, offset)
        shas = [e["sha256"] for e in context["images"]]
        context["revealed"] = revealed_for(request, principal, conn, shas)
    query = f"&landmark={quote(landmark)}" if landmark else ""
    next_url = f"/gallery?offset={offset}&limit={limit}{query}"
    context |= {"query": query, "next_url": next_url, **extra}
    return render(request, "gallery/list.html", context, status)


def _done(message: str) -> RedirectResponse:
    return RedirectResponse(f"/gallery?done={quote(message)}", status_code=303)


@router.get("/gallery")
def gallery_page(
    request: Request,
    landmark: str | None = None,
    limit: int = 100,
    offset: int = 0,
    done: str | None = None,
    principal: Principal = viewer,
) -> Response:
    return _page(request, principal, landmark, limit, offset, done=done)


@router.post("/gallery")
def add_images(
    request: Request,
    landmark: str = Form(...),
    city: str = Form(""),
    country: str = Form(""),
    lat: str = Form(""),
    lon: str = Form(""),
    file: Uploads = None,
    principal: Principal = analyst,
) -> Response:
    store, settings, files = request.app.state.store, request.app.state.settings, real_uploads(file)
    if not files:
        return _page(request, principal, status=400, error="choose one or more photos")
    try:
        place = views.make_place(
            landmark, city, country, parse_coordinate(lat, "lat"), parse_coordinate(lon, "lon")
        )
        with saved_uploads(files, upload_limit(request)) as paths, store.begin() as conn:
            report = views.add_gallery_images(
                conn, store, actor_of(request, principal), paths, place, settings.max_image_pixels
            )
    except views.BadRow as exc:
        return _page(request, principal, status=400, error=str(exc))
    return _done(_summary(report))


def _summary(report: dict) -> str:
    text = f"{report['added']} added, {report['already_present']} already present"
    if report["rejected"]:
        reasons = "; ".join(f"{r['source']}: {r['reason']}" for r in report["rejections"][:5])
        text += f", {report['rejected']} rejected ({reasons})"
    return text


@router.post("/gallery/import")
def import_csv(
    request: Request,
    csv_file: Annotated[UploadFile, File()],
    file: Uploads = None,
    principal: Principal = analyst,
) -> Response:
    """A CSV of file,landmark,city,country,lat,lon with the photos it names uploaded with it."""
    store, settings = request.app.state.store, request.app.state.settings
    uploads = [csv_file, *real_uploads(file)]
    try:
        with saved_uploads(uploads, upload_limit(request)) as paths, store.begin() as conn:
            report = views.import_gallery(
                conn, store, actor_of(request, principal), paths[0], settings.max_image_pixels
            )
    except (ValueError, UnicodeDecodeError) as exc:
        return _page(request, principal, status=400, error=f"cannot import: {exc}")
    return _done(_summary(report))


@router.post("/gallery/remove")
def remove(
    request: Request,
    landmark: str = Form(""),
    entry_id: int | None = Form(None),
    principal: Principal = analyst,
) -> Response:
    if not landmark and entry_id is None:
        return _page(request, principal, status=400, error="name a landmark or an image")
    ids = [] if entry_id is None else [entry_id]
    with request.app.state.store.begin() as conn:
        removed = views.remove_gallery(
            conn, actor_of(request, principal), landmark=landmark or None, ids=ids
        )
    return _done(f"removed {removed} gallery images")
