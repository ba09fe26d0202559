"""`/api/v1/uploads` (an export archive to ingest, as a job) and `/api/v1/jobs` (their status)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from watchfloor.web.jobs_runtime import UPLOAD_FIELD, accept_upload, bounded_body, jobs_lifespan
from watchfloor.web.security import Principal, analyst, viewer
from watchfloor.web.views.jobs import job_detail, job_view, jobs_listing
from watchfloor.web.views.params import BadFilter

router = APIRouter(prefix="/api/v1", tags=["jobs"], lifespan=jobs_lifespan)


class JobOut(BaseModel):
    id: int
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    created_by: str
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    input: dict[str, Any] = Field(description="for an upload: filename, size, sha256, folder")
    result: dict[str, Any] | None = Field(
        None, description="`progress` while running; when done, the ingest report"
    )
    error: str | None = None
    summary: str


class JobPage(BaseModel):
    jobs: list[JobOut]
    limit: int
    offset: int
    next_offset: int | None
    queued: int


class UploadAccepted(BaseModel):
    job: JobOut
    status_url: str


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [UPLOAD_FIELD],
                    "properties": {
                        UPLOAD_FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "a .zip or .tar.gz of a Telegram Desktop export",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/uploads",
    status_code=202,
    response_model=UploadAccepted,
    openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "larger than WATCHFLOOR_MAX_UPLOAD_MB"}},
)
async def upload_archive(
    request: Request, _limit: None = bounded_body, principal: Principal = analyst
) -> JSONResponse:
    """Queues the ingest of an uploaded export archive; poll `status_url` for the report."""
    job = await accept_upload(request, principal)
    url = f"/api/v1/jobs/{job.id}"
    body = {"job": job_view(job), "status_url": url}
    return JSONResponse(body, status_code=202, headers={"location": url})


@router.get("/jobs", response_model=JobPage)
def list_jobs_api(
    request: Request,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    principal: Principal = viewer,
) -> dict[str, Any]:
    """Jobs, the newest first; `limit` is capped at 200 (`next_offset` pages on)."""
    try:
        with request.app.state.store.connect() as conn:
            return jobs_listing(conn, status=status, limit=limit, offset=offset)
    except BadFilter as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job_api(request: Request, job_id: int, principal: Principal = viewer) -> dict[str, Any]:
    """One job: queued, running (with progress), done (with the ingest report) or failed."""
    with request.app.state.store.connect() as conn:
        found = job_detail(conn, job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id}")
    return found
