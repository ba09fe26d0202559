"""`/api/v1/emblems`, `/api/v1/gallery`, `/api/v1/outlets` and `/api/v1/rules`: list and edit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from watchfloor.alerts.rules import RulesError
from watchfloor.text.outlets import KINDS as OUTLET_KINDS
from watchfloor.text.outlets import Outlet
from watchfloor.vision.emblem_registry import KINDS as EMBLEM_KINDS
from watchfloor.web.editing import (
    actor_of,
    image_upload_limit,
    not_found,
    page_bounds,
    saved_uploads,
)
from watchfloor.web.routes.gallery import parse_coordinate, upload_limit
from watchfloor.web.security import Principal, admin, analyst, viewer
from watchfloor.web.views import references as views
from watchfloor.web.views import rules as rule_views

router = APIRouter(prefix="/api/v1", tags=["reference data"])


class EmblemState(BaseModel):
    enabled: bool


class OutletBody(BaseModel):
    kind: str = Field("official", pattern="^(" + "|".join(OUTLET_KINDS) + ")$")
    handles: list[str] = Field(default_factory=list, max_length=100)
    aliases: list[str] = Field(default_factory=list, max_length=100)
    watermark_labels: list[str] = Field(default_factory=list, max_length=100)
    signatures: list[str] = Field(default_factory=list, max_length=100)
    note: str | None = Field(None, max_length=500)


class RulesBody(BaseModel):
    text: str = Field(max_length=rule_views.MAX_RULES_BYTES)


# ---- emblems ---------------------------------------------------------------------------------


@router.get("/emblems")
def list_emblems(request: Request, principal: Principal = viewer) -> dict[str, Any]:
    """Registered emblems (disabled ones included); images at /references/{sha256}."""
    with request.app.state.store.connect() as conn:
        return views.list_emblems(conn)


@router.post("/emblems", status_code=201)
def add_emblem(
    request: Request,
    file: Annotated[UploadFile, File()],
    label: Annotated[str, Form(min_length=1, max_length=200)],
    kind: Annotated[str, Form(pattern="^(" + "|".join(EMBLEM_KINDS) + ")$")] = "logo",
    note: Annotated[str | None, Form(max_length=500)] = None,
    principal: Principal = analyst,
) -> dict[str, Any]:
    """Register an uploaded reference image (checked: decodable, large and detailed enough)."""
    store, settings = request.app.state.store, request.app.state.settings
    try:
        with saved_uploads([file], image_upload_limit(request)) as (path,), store.begin() as conn:
            return views.add_emblem(
                conn, store, actor_of(request, principal), path,
                label=label, kind=kind, note=note, max_pixels=settings.max_image_pixels,
            )  # fmt: skip
    except views.EmblemError as exc:
        raise HTTPException(422 if getattr(exc, "code", None) else 409, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.patch("/emblems/{emblem_id}")
def set_emblem_state(
    request: Request, emblem_id: int, body: EmblemState, principal: Principal = analyst
) -> dict[str, Any]:
    try:
        with request.app.state.store.begin() as conn:
            return views.set_emblem_enabled(
                conn, actor_of(request, principal), emblem_id, body.enabled
            )
    except views.EmblemError as exc:
        raise not_found(exc) from exc


@router.delete("/emblems/{emblem_id}")
def remove_emblem(request: Request, emblem_id: int, principal: Principal = analyst) -> dict:
    try:
        with request.app.state.store.begin() as conn:
            return views.remove_emblem(conn, actor_of(request, principal), emblem_id)
    except views.EmblemError as exc:
        raise not_found(exc) from exc


# ---- gallery ---------------------------------------------------------------------------------


@router.get("/gallery")
def gallery(
    request: Request,
    landmark: str | None = None,
    limit: int = 100,
    offset: int = 0,
    principal: Principal = viewer,
) -> dict[str, Any]:
    """Landmark summaries and one page of images (of one landmark, if named)."""
    limit, offset = page_bounds(limit, offset)
    with request.app.state.store.connect() as conn:
        return views.gallery_page(conn, landmark, limit, offset)


@router.post("/gallery", status_code=201)
def add_gallery_images(
    request: Request,
    files: Annotated[list[UploadFile], File()],
    landmark: Annotated[str, Form(min_length=1, max_length=200)],
    city: Annotated[str | None, Form(max_length=200)] = None,
    country: Annotated[str | None, Form(max_length=200)] = None,
    lat: Annotated[str | None, Form()] = None,
    lon: Annotated[str | None, Form()] = None,
    principal: Principal = analyst,
) -> dict[str, Any]:
    """Photos of one landmark; files that do not decode are reported and quarantined."""
    store, settings = request.app.state.store, request.app.state.settings
    try:
        place = views.make_place(
            landmark, city, country, parse_coordinate(lat, "lat"), parse_coordinate(lon, "lon")
        )
        with saved_uploads(files, upload_limit(request)) as paths, store.begin() as conn:
            return views.add_gallery_images(
                conn, store, actor_of(request, principal), paths, place, settings.max_image_pixels
            )
    except views.BadRow as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post("/gallery/import", status_code=201)
def import_gallery(
    request: Request,
    csv_file: Annotated[UploadFile, File()],
    files: Annotated[list[UploadFile] | None, File()] = None,
    principal: Principal = analyst,
) -> dict[str, Any]:
    """A CSV of file,landmark,city,country,lat,lon and the photos it names (by file name)."""
    store, settings = request.app.state.store, request.app.state.settings
    try:
        with (
            saved_uploads([csv_file, *(files or [])], upload_limit(request)) as paths,
            store.begin() as conn,
        ):
            return views.import_gallery(
                conn, store, actor_of(request, principal), paths[0], settings.max_image_pixels
            )
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(422, f"cannot import: {exc}") from exc


@router.delete("/gallery/{entry_id}")
def remove_gallery_image(request: Request, entry_id: int, principal: Principal = analyst) -> dict:
    with request.app.state.store.begin() as conn:
        removed = views.remove_gallery(conn, actor_of(request, principal), ids=[entry_id])
    if not removed:
        raise HTTPException(404, f"no gallery image {entry_id}")
    return {"removed": removed}


# ---- outlets ---------------------------------------------------------------------------------


@router.get("/outlets")
def list_outlets(request: Request, principal: Principal = viewer) -> dict[str, Any]:
    with request.app.state.store.connect() as conn:
        return views.list_outlets(conn)


@router.put("/outlets/{name}")
def put_outlet(
    request: Request, name: str, body: OutletBody, principal: Principal = analyst
) -> dict[str, Any]:
    """Register the outlet NAME, or replace what is registered under it."""
    outlet = Outlet(
        name, body.kind, tuple(body.handles), tuple(body.aliases),
        tuple(body.watermark_labels), tuple(body.signatures), body.note,
    )  # fmt: skip
    try:
        with request.app.state.store.begin() as conn:
            return views.save_outlet(conn, actor_of(request, principal), outlet)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.delete("/outlets/{name}")
def delete_outlet(request: Request, name: str, principal: Principal = analyst) -> dict:
    try:
        with request.app.state.store.begin() as conn:
            views.remove_outlet(conn, actor_of(request, principal), name)
    except views.OutletError as exc:
        raise not_found(exc) from exc
    return {"removed": name}


# ---- rules -----------------------------------------------------------------------------------


@router.get("/rules")
def get_rules(request: Request, principal: Principal = viewer) -> dict[str, Any]:
    """The rules in force; the file's text (sinks may hold secrets) and path for admins only."""
    view = rule_views.rules_view(request.app.state.settings.workspace)
    if not principal.can("admin"):
        view = {k: v for k, v in view.items() if k not in ("text", "path")}
    return view


@router.put("/rules")
def put_rules(request: Request, body: RulesBody, principal: Principal = admin) -> Any:
    """Validate and save `<workspace>/rules.yaml` (the old one kept as rules.yaml.bak); 422
    with every problem and its line when the text is not usable."""
    try:
        with request.app.state.store.begin() as conn:
            return rule_views.save_rules(
                conn, actor_of(request, principal), request.app.state.settings.workspace, body.text
            )
    except RulesError as exc:
        return JSONResponse(
            {"error": "invalid rules", "problems": rule_views.problem_list(exc)}, status_code=422
        )
