"""Hash bank pages: list and look up for viewers; create, change, fill and delete for analysts."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from watchfloor.matching.formats import HashError
from watchfloor.web.editing import (
    actor_of,
    image_upload_limit,
    page_bounds,
    real_uploads,
    saved_uploads,
    upload_name,
)
from watchfloor.web.security import Principal, analyst, viewer
from watchfloor.web.templating import render
from watchfloor.web.views import banks as views

router = APIRouter(tags=["banks"], include_in_schema=False)
Uploads = Annotated[list[UploadFile] | None, File()]


def _bank_url(name: str, message: str | None = None) -> str:
    url = f"/banks/{quote(name, safe='')}"
    return url + (f"?done={quote(message)}" if message else "")


def _list_page(request: Request, status: int = 200, **extra) -> Response:
    with request.app.state.store.connect() as conn:
        context = views.list_banks(conn)
    return render(request, "banks/list.html", context | extra, status)


@router.get("/banks")
def banks_page(request: Request, principal: Principal = viewer) -> Response:
    return _list_page(request)


@router.post("/banks")
def create_bank(
    request: Request,
    name: str = Form(...),
    threshold: int | None = Form(None),
    description: str = Form(""),
    principal: Principal = analyst,
) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            views.create_bank(conn, actor_of(request, principal), name, threshold, description)
    except (views.BankError, ValueError) as exc:
        return _list_page(request, 400, error=str(exc))
    return RedirectResponse(_bank_url(name, "bank created"), status_code=303)


@router.post("/banks/lookup")
def lookup(
    request: Request,
    hash: str = Form(""),
    file: Uploads = None,
    principal: Principal = viewer,
) -> Response:
    store, settings = request.app.state.store, request.app.state.settings
    files = real_uploads(file)
    try:
        if files:
            with saved_uploads(files[:1], image_upload_limit(request)) as paths:
                result = views.lookup_image(store, settings, paths[0], upload_name(files[0], 0))
        elif hash.strip():
            result = views.lookup_hash(store, settings, hash.strip())
        else:
            return _list_page(request, 400, error="give a hash or choose an image to look up")
    except (HashError, OSError) as exc:
        return _list_page(request, 400, error=str(exc))
    return _list_page(request, lookup=result)


@router.get("/banks/{name}")
def bank_page(
    request: Request,
    name: str,
    limit: int = 100,
    offset: int = 0,
    done: str | None = None,
    principal: Principal = viewer,
) -> Response:
    return _bank_page(request, name, limit, offset, done=done)


def _bank_page(
    request: Request, name: str, limit: int = 100, offset: int = 0, status: int = 200, **extra
) -> Response:
    limit, offset = page_bounds(limit, offset)
    try:
        with request.app.state.store.connect() as conn:
            context = views.bank_page(conn, name, limit, offset)
    except views.BankError as exc:
        raise HTTPException(404, str(exc)) from exc
    return render(request, "banks/bank.html", context | extra, status)


@router.post("/banks/{name}/settings")
def bank_settings(
    request: Request,
    name: str,
    threshold: int = Form(...),
    enabled: bool = Form(False),
    description: str = Form(""),
    principal: Principal = analyst,
) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            views.update_bank(
                conn,
                actor_of(request, principal),
                name,
                threshold=threshold,
                enabled=enabled,
                description=description,
            )
    except views.BankError as exc:
        raise HTTPException(404, str(exc)) from exc
    except ValueError as exc:
        return _bank_page(request, name, status=400, error=str(exc))
    return RedirectResponse(_bank_url(name, "settings saved"), status_code=303)


@router.post("/banks/{name}/delete")
def delete_bank(
    request: Request, name: str, confirm: bool = Form(False), principal: Principal = analyst
) -> Response:
    if not confirm:
        return _bank_page(request, name, status=400, error="tick the box to confirm deletion")
    try:
        with request.app.state.store.begin() as conn:
            removed = views.delete_bank(conn, actor_of(request, principal), name)
    except views.BankError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _list_page(request, done=f"deleted bank {name!r} and its {removed} entries")


@router.post("/banks/{name}/entries")
def add_entries(
    request: Request,
    name: str,
    hashes: str = Form(""),
    label: str = Form(""),
    note: str = Form(""),
    file: Uploads = None,
    principal: Principal = analyst,
) -> Response:
    actor, files = actor_of(request, principal), real_uploads(file)
    try:
        entries, problems = views.parse_hashes(hashes)
        if problems:
            return _bank_page(request, name, status=400, error="; ".join(problems[:20]))
        if not entries and not files:
            return _bank_page(request, name, status=400, error="paste hashes or choose images")
        counts = {"added": 0, "already_present": 0, "rejected": 0}
        with request.app.state.store.begin() as conn:
            if entries:
                found = views.add_hashes(conn, actor, name, entries, label or None, note or None)
                counts = {k: counts[k] + found.get(k, 0) for k in counts}
            if files:
                with saved_uploads(files, image_upload_limit(request)) as paths:
                    found = views.add_images(
                        conn,
                        actor,
                        request.app.state.settings,
                        name,
                        paths,
                        label or None,
                        note or None,
                    )
                counts = {k: counts[k] + found.get(k, 0) for k in counts}
    except views.BankError as exc:
        raise HTTPException(404, str(exc)) from exc
    except ValueError as exc:
        return _bank_page(request, name, status=400, error=str(exc))
    message = f"{counts['added']} added, {counts['already_present']} already present"
    if counts["rejected"]:
        message += f", {counts['rejected']} images refused (see quarantine)"
    return RedirectResponse(_bank_url(name, message), status_code=303)


@router.post("/banks/{name}/entries/state")
def entry_state(
    request: Request,
    name: str,
    value: str = Form(...),
    enabled: bool = Form(False),
    principal: Principal = analyst,
) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            views.set_entries_enabled(
                conn, actor_of(request, principal), name, [value], enabled=enabled
            )
    except views.BankError as exc:
        raise HTTPException(404, str(exc)) from exc
    except ValueError as exc:
        return _bank_page(request, name, status=400, error=str(exc))
    verb = "enabled" if enabled else "disabled"
    return RedirectResponse(_bank_url(name, f"entry {verb}"), status_code=303)
