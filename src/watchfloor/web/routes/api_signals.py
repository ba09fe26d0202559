"""`/api/v1/signals`: what the analyzers found, filtered by kind, analyzer and subject."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from watchfloor.store.queries import list_signals
from watchfloor.web.media_access import SHA256
from watchfloor.web.routes.api_posts import Signal
from watchfloor.web.security import Principal, viewer
from watchfloor.web.views.params import next_page, page_bounds

router = APIRouter(prefix="/api/v1", tags=["signals"])
PAGE, MAX_PAGE = 100, 1000


class SignalPage(BaseModel):
    signals: list[Signal]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")


@router.get("/signals", response_model=SignalPage)
def signals_api(
    request: Request,
    kind: str | None = Query(None, description="e.g. emblem, ocr_text, threat, place"),
    analyzer: str | None = None,
    subject: str | None = Query(
        None, description="a media sha256, or a post as <channel key>/<message id>"
    ),
    subject_type: Literal["media", "post"] | None = None,
    limit: int = PAGE,
    offset: int = 0,
    principal: Principal = viewer,
) -> dict[str, Any]:
    """Signals in the order they were written (one subject's: by analyzer and kind); `limit` is
    capped at 1000."""
    limit, offset = page_bounds(limit, offset, PAGE, MAX_PAGE)
    if subject and subject_type is None:  # so the unique (subject_type, subject, ...) index serves
        subject_type = "media" if SHA256.match(subject) else "post"
    with request.app.state.store.connect() as conn:
        rows = list_signals(
            conn,
            kind=kind,
            analyzer=analyzer,
            subject=subject,
            subject_type=subject_type,
            limit=limit + 1,
            offset=offset,
            in_stored_order=subject is None,
        )
    page = next_page(rows, limit, offset)
    signals = page.pop("rows")
    return {**page, "signals": signals}
