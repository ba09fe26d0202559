"""The signed-in user's own page: media preference and personal API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from watchfloor.accounts import audit, tokens, users
from watchfloor.accounts.roles import SCOPES, AccountError
from watchfloor.web.security import Principal, client_ip, viewer
from watchfloor.web.templating import render

router = APIRouter(tags=["account"], include_in_schema=False)


def _page(request: Request, principal: Principal, **extra) -> Response:
    with request.app.state.store.connect() as conn:
        user = users.user_by_id(conn, principal.user_id)
        own = tokens.list_tokens(conn, principal.name)
    context = {"user": user, "tokens": own, "scopes": SCOPES, **extra}
    return render(request, "account.html", context)


@router.get("/account")
def account(request: Request, principal: Principal = viewer) -> Response:
    return _page(request, principal)


@router.post("/account/preferences")
def preferences(
    request: Request, reveal_media: bool = Form(False), principal: Principal = viewer
) -> Response:
    with request.app.state.store.begin() as conn:
        users.set_prefs(conn, principal.user_id, reveal_media=reveal_media)
        audit.record(
            conn,
            principal.name,
            "preferences",
            target_kind="user",
            target_id=principal.name,
            detail={"reveal_media": reveal_media},
            origin="web",
            ip=client_ip(request),
        )
    return RedirectResponse("/account", status_code=303)


@router.post("/account/tokens")
def create_token(
    request: Request,
    name: str = Form(..., min_length=1, max_length=120),
    scopes: Annotated[list[str] | None, Form()] = None,
    principal: Principal = viewer,
) -> Response:
    try:
        with request.app.state.store.begin() as conn:
            info, secret = tokens.create_token(
                conn, principal.name, name, ",".join(scopes or ["read"])
            )
            audit.record(
                conn,
                principal.name,
                "token_create",
                target_kind="token",
                target_id=info.id,
                detail={"scopes": list(info.scopes)},
                origin="web",
                ip=client_ip(request),
            )
    except AccountError as exc:
        return _page(request, principal, error=str(exc))
    return _page(request, principal, new_secret=secret, new_token=info)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, principal: Principal = viewer) -> Response:
    with request.app.state.store.begin() as conn:
        own = {t.id for t in tokens.list_tokens(conn, principal.name)}
        if token_id in own:
            tokens.revoke_token(conn, token_id)
            audit.record(
                conn,
                principal.name,
                "token_revoke",
                target_kind="token",
                target_id=token_id,
                origin="web",
                ip=client_ip(request),
            )
    return RedirectResponse("/account", status_code=303)
