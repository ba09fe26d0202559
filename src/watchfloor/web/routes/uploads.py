"""The uploads page: send an export archive to be ingested, and follow the jobs."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from watchfloor.web.jobs_runtime import UPLOAD_FIELD, accept_upload, bounded_body
from watchfloor.web.security import Principal, analyst
from watchfloor.web.templating import render
from watchfloor.web.views.jobs import job_detail, jobs_listing

router = APIRouter(tags=["uploads"], include_in_schema=False)


def _page(request: Request, offset: int = 0, status_code: int = 200, **extra) -> Response:
    with request.app.state.store.connect() as conn:
        listing = jobs_listing(conn, limit=50, offset=offset)
    context = {
        "listing": listing,
        "field": UPLOAD_FIELD,
        "max_mb": request.app.state.web.max_upload_bytes // 1024**2,
        "active": any(j["status"] in ("queued", "running") for j in listing["jobs"]),
        **extra,
    }
    return render(request, "uploads/list.html", context, status_code)


@router.get("/uploads")
def uploads_page(
    request: Request, offset: int = 0, queued: int | None = None, principal: Principal = analyst
) -> Response:
    done = f"Archive received: job {queued} is queued." if queued else None
    return _page(request, offset, done=done)


@router.post("/uploads")
async def upload_form(
    request: Request, _limit: None = bounded_body, principal: Principal = analyst
) -> Response:
    try:
        job = await accept_upload(request, principal)
    except HTTPException as exc:
        return _page(request, error=exc.detail, status_code=exc.status_code)
    return RedirectResponse(f"/uploads?queued={job.id}", status_code=303)


@router.get("/uploads/{job_id}")
def upload_job_page(request: Request, job_id: int, principal: Principal = analyst) -> Response:
    with request.app.state.store.connect() as conn:
        job = job_detail(conn, job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    active = job["status"] in ("queued", "running")
    return render(request, "uploads/job.html", {"job": job, "active": active})
