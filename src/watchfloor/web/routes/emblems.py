"""Emblem registry page: the reference images (blurred), add by upload, enable, disable, remove."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from watchfloor.vision.emblem_registry import KINDS
from watchfloor.web.editing import actor_of, image_upload_limit, saved_uploads
from watchfloor.web.security import Principal, analyst, viewer
from watchfloor.web.templating import render
from watchfloor.web.views import references as views
from watchfloor.web.views.media import revealed_among

router = APIRouter(tags=["emblems"], include_in_schema=False)


def revealed_for(request: Request, principal: Principal, conn, shas: list[str]) -> set[str]:
    hours = request.app.state.web.session_hours
    return revealed_among(conn, principal.user_id, principal.name, shas, hours)


def _page(request: Request, principal: Principal, status: int = 200, **extra) -> Response:
    with request.app.state.store.connect() as conn:
        context = views.list_emblems(conn)
        shas = [e["sha256"] for e in context["emblems"]]
        context["revealed"] = revealed_for(request, principal, conn, shas)
    context |= {"kinds": KINDS, **extra}
    return render(request, "emblems/list.html", context, status)


def _done(message: str) -> RedirectResponse:
    return RedirectResponse(f"/emblems?done={quote(message)}", status_code=303)


@router.get("/emblems")
def emblems_page(
    request: Request, done: str | None = None, principal: Principal = viewer
) -> Response:
    return _page(request, principal, done=done)


@router.post("/emblems")
def add_emblem(
    request: Request,
    file: Annotated[UploadFile, File()],
    label: str = Form(...),
    kind: str = Form("logo"),
    note: str = Form(""),
    principal: Principal = analyst,
) -> Response:
    store, settings = request.app.state.store, request.app.state.settings
    try:
        with (
            saved_uploads([file], image_upload_limit(request)) as (path,),
            store.begin() as conn,
        ):
            emblem = views.add_emblem(
                conn,
                store,
                actor_of(request, principal),
                path,
                label=label,
                kind=kind,
                note=note,
                max_pixels=settings.max_image_pixels,
            )
    except (views.EmblemError, ValueError) as exc:
        return _page(request, principal, 400, error=str(exc))
    return _done(f"added emblem {emblem['id']}: {emblem['label']}")


@router.post("/emblems/{emblem_id}/state")
def emblem_state(
    request: Request,
    emblem_id: int,
    enabled: bool = Form(False),
    principal: Principal = analyst,
) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            views.set_emblem_enabled(conn, actor_of(request, principal), emblem_id, enabled)
    except views.EmblemError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _done(f"emblem {emblem_id} {'enabled' if enabled else 'disabled'}")


@router.post("/emblems/{emblem_id}/remove")
def remove_emblem(request: Request, emblem_id: int, principal: Principal = analyst) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            gone = views.remove_emblem(conn, actor_of(request, principal), emblem_id)
    except views.EmblemError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _done(f"removed emblem {emblem_id}: {gone['label']}")
