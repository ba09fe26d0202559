"""Jobs for the uploads page and the jobs API: plain dicts, bounded queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from watchfloor.jobs import STATUSES, Job, count_jobs, get_job, list_jobs
from watchfloor.web.views.params import BadFilter, page_bounds

MOST_JOBS = 200


def job_view(job: Job) -> dict[str, Any]:
    """The job with a one-line summary of where it stands, for people."""
    return job.as_dict() | {"summary": _summary(job)}


def _summary(job: Job) -> str:
    if job.status == "failed":
        return job.error or "failed"
    result = job.result or {}
    if job.status == "done":
        totals = result.get("report", {}).get("totals", {})
        return (
            f"added {totals.get('added', 0)}, updated {totals.get('updated', 0)}, "
            f"unchanged {totals.get('unchanged', 0)}, quarantined {totals.get('quarantined', 0)}"
        )
    progress = result.get("progress") or {}
    if job.status == "running" and progress.get("total"):
        return f"ingesting: {100 * progress.get('done', 0) // progress['total']} %"
    return job.status


def jobs_listing(
    conn: Connection, *, status: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    if status is not None and status not in STATUSES:
        raise BadFilter(f"status must be one of {', '.join(STATUSES)}")
    limit, offset = page_bounds(limit, offset, 50, MOST_JOBS)
    found = list_jobs(conn, status=status, limit=limit + 1, offset=offset)
    return {
        "jobs": [job_view(j) for j in found[:limit]],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(found) > limit else None,
        "queued": count_jobs(conn, status="queued"),
    }


def job_detail(conn: Connection, job_id: int) -> dict[str, Any] | None:
    job = get_job(conn, job_id)
    return None if job is None else job_view(job)
