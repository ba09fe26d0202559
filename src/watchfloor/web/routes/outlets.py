"""Outlet registry page: known outlets and what identifies them; add, edit, remove."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from watchfloor.text.outlets import Outlet
from watchfloor.web.editing import actor_of
from watchfloor.web.security import Principal, analyst, viewer
from watchfloor.web.templating import render
from watchfloor.web.views import references as views

router = APIRouter(tags=["outlets"], include_in_schema=False)


def _page(request: Request, edit: str | None = None, status: int = 200, **extra) -> Response:
    with request.app.state.store.connect() as conn:
        context = views.list_outlets(conn)
        editing = views.get_outlet(conn, edit) if edit else None
    if edit and editing is None and "form" not in extra:
        raise HTTPException(404, f"no outlet named {edit!r}")
    context |= {"editing": editing, **extra}
    return render(request, "outlets/list.html", context, status)


@router.get("/outlets")
def outlets_page(
    request: Request,
    edit: str | None = None,
    done: str | None = None,
    principal: Principal = viewer,
) -> Response:
    return _page(request, edit, done=done)


@router.post("/outlets")
def save_outlet(
    request: Request,
    name: str = Form(...),
    kind: str = Form("official"),
    handles: str = Form(""),
    aliases: str = Form(""),
    watermarks: str = Form(""),
    signatures: str = Form(""),
    note: str = Form(""),
    previous: str = Form(""),
    principal: Principal = analyst,
) -> Response:
    split = views.split_values
    outlet = Outlet(
        name, kind, split(handles), split(aliases), split(watermarks), split(signatures),
        note or None,
    )  # fmt: skip
    try:
        with request.app.state.store.begin() as conn:
            views.save_outlet(conn, actor_of(request, principal), outlet, previous or None)
    except (ValueError, views.OutletError) as exc:
        form = outlet.as_dict() | {"previous": previous}
        return _page(request, previous or None, 400, error=str(exc), form=form)
    return RedirectResponse(f"/outlets?done={quote(f'saved outlet {name}')}", status_code=303)


@router.post("/outlets/remove")
def remove_outlet(
    request: Request, name: str = Form(...), principal: Principal = analyst
) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            views.remove_outlet(conn, actor_of(request, principal), name)
    except views.OutletError as exc:
        raise HTTPException(404, str(exc)) from exc
    return RedirectResponse(f"/outlets?done={quote(f'removed outlet {name}')}", status_code=303)
