"""`/api/v1/banks`: hash banks, their entries, and look-ups by hash or by an uploaded image."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from watchfloor.matching.banks import MAX_THRESHOLD
from watchfloor.matching.formats import HashError
from watchfloor.web.editing import (
    actor_of,
    image_upload_limit,
    not_found,
    page_bounds,
    saved_uploads,
    upload_name,
)
from watchfloor.web.security import Principal, analyst, viewer
from watchfloor.web.views import banks as views

router = APIRouter(prefix="/api/v1", tags=["banks"])


class NewBank(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    threshold: int | None = Field(None, ge=0, le=MAX_THRESHOLD)
    description: str | None = Field(None, max_length=500)


class BankChanges(BaseModel):
    threshold: int | None = Field(None, ge=0, le=MAX_THRESHOLD)
    enabled: bool | None = None
    description: str | None = Field(None, max_length=500)


class NewEntries(BaseModel):
    hashes: list[str] = Field(min_length=1, max_length=views.MAX_HASHES)
    label: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=500)


class EntryState(BaseModel):
    hashes: list[str] = Field(min_length=1, max_length=views.MAX_HASHES)
    enabled: bool


@router.get("/banks")
def list_banks(request: Request, principal: Principal = viewer) -> dict[str, Any]:
    """Every bank with its threshold, state, revision and entry counts."""
    with request.app.state.store.connect() as conn:
        return views.list_banks(conn)


@router.post("/banks", status_code=201)
def create_bank(request: Request, body: NewBank, principal: Principal = analyst) -> dict:
    try:
        with request.app.state.store.begin() as conn:
            bank = views.create_bank(
                conn, actor_of(request, principal), body.name, body.threshold, body.description
            )
    except views.BankError as exc:
        raise HTTPException(409, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return bank.as_dict()


@router.get("/banks/lookup")
def lookup_hash(request: Request, hash: str, principal: Principal = viewer) -> dict[str, Any]:
    """Entries of the enabled banks that a PDQ hash (within each bank's threshold) or an MD5
    digest (exactly) matches, closest first, with their distance in bits."""
    try:
        return views.lookup_hash(request.app.state.store, request.app.state.settings, hash)
    except HashError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post("/banks/lookup")
def lookup_image(
    request: Request, file: Annotated[UploadFile, File()], principal: Principal = viewer
) -> dict[str, Any]:
    """Matches of an uploaded file: PDQ of the image in its 8 rotations and flips, and the
    MD5 of its bytes. Decoded only through the hardened image decoder; size-limited (413)."""
    with saved_uploads([file], image_upload_limit(request)) as (path,):
        return views.lookup_image(
            request.app.state.store, request.app.state.settings, path, upload_name(file, 0)
        )


@router.get("/banks/{name}")
def get_bank(
    request: Request, name: str, limit: int = 100, offset: int = 0, principal: Principal = viewer
) -> dict[str, Any]:
    """A bank and one page of its entries (disabled ones included), oldest first."""
    limit, offset = page_bounds(limit, offset)
    try:
        with request.app.state.store.connect() as conn:
            return views.bank_page(conn, name, limit, offset)
    except views.BankError as exc:
        raise not_found(exc) from exc


@router.patch("/banks/{name}")
def update_bank(
    request: Request, name: str, body: BankChanges, principal: Principal = analyst
) -> dict[str, Any]:
    try:
        with request.app.state.store.begin() as conn:
            bank = views.update_bank(
                conn, actor_of(request, principal), name, **body.model_dump(exclude_none=True)
            )
    except views.BankError as exc:
        raise not_found(exc) from exc
    return bank.as_dict()


@router.delete("/banks/{name}")
def delete_bank(request: Request, name: str, principal: Principal = analyst) -> dict[str, Any]:
    try:
        with request.app.state.store.begin() as conn:
            removed = views.delete_bank(conn, actor_of(request, principal), name)
    except views.BankError as exc:
        raise not_found(exc) from exc
    return {"deleted": name, "entries": removed}


@router.post("/banks/{name}/entries", status_code=201)
def add_entries(
    request: Request, name: str, body: NewEntries, principal: Principal = analyst
) -> Any:
    entries, problems = views.parse_hashes(body.hashes)
    if problems:
        return JSONResponse({"error": "bad hashes", "problems": problems}, status_code=422)
    try:
        with request.app.state.store.begin() as conn:
            return views.add_hashes(
                conn, actor_of(request, principal), name, entries, body.label, body.note
            )
    except views.BankError as exc:
        raise not_found(exc) from exc


@router.post("/banks/{name}/images", status_code=201)
def add_images(
    request: Request,
    name: str,
    files: Annotated[list[UploadFile], File()],
    principal: Principal = analyst,
) -> dict[str, Any]:
    """Hash uploaded images with PDQ and add them; refused images are quarantined."""
    try:
        with (
            saved_uploads(files, image_upload_limit(request)) as paths,
            request.app.state.store.begin() as conn,
        ):
            return views.add_images(
                conn, actor_of(request, principal), request.app.state.settings, name, paths,
                None, None,
            )  # fmt: skip
    except views.BankError as exc:
        raise not_found(exc) from exc


@router.post("/banks/{name}/entries/state")
def set_entry_state(
    request: Request, name: str, body: EntryState, principal: Principal = analyst
) -> dict[str, Any]:
    """Enable or disable entries by hash: disabled entries stay listed but never match."""
    try:
        with request.app.state.store.begin() as conn:
            return views.set_entries_enabled(
                conn, actor_of(request, principal), name, body.hashes, enabled=body.enabled
            )
    except views.BankError as exc:
        raise not_found(exc) from exc
    except HashError as exc:
        raise HTTPException(422, str(exc)) from exc
