"""The web process's side of jobs: the runner thread, and receiving an uploaded archive.

An upload's body is capped while it is read (`bounded_body`, a dependency that runs before
authentication reads any form): a declared Content-Length over the limit is refused at once,
and a chunked body is cut off as soon as it passes the limit. Starlette spools the file part
to a temporary file (1 MB in memory at most), which is then copied into the workspace.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from watchfloor.accounts import audit
from watchfloor.jobs import Job, JobRunner, requeue_running
from watchfloor.uploads import UploadRefused, queue_upload, save_upload, upload_handlers
from watchfloor.web.security import Principal, client_ip

FORM_ALLOWANCE = 64 * 1024  # multipart boundaries, part headers and the CSRF field
UPLOAD_FIELD = "archive"
_runner_lock = threading.Lock()


def job_runner(app: FastAPI) -> JobRunner:
    with _runner_lock:
        runner = getattr(app.state, "job_runner", None)
        if runner is None:
            store, settings = app.state.store, app.state.settings
            runner = JobRunner(store, upload_handlers(store, settings))
            app.state.job_runner = runner
        return runner


@asynccontextmanager
async def jobs_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start, jobs a crashed server left running go back to the queue and the queue is
    drained; at shutdown no new job is claimed (one in progress is re-queued next start)."""
    with app.state.store.begin() as conn:
        requeue_running(conn)
    runner = job_runner(app)
    runner.wake()
    yield
    runner.stop()


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the upload is larger than the limit of {limit // 1024**2} MB")


async def _limit_body(request: Request) -> None:
    limit = request.app.state.web.max_upload_bytes
    allowed = limit + FORM_ALLOWANCE
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > allowed:
        raise _too_large(limit)
    receive, seen = request._receive, 0  # Starlette reads the body only through _receive

    async def bounded_receive():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > allowed:
                raise _too_large(limit)
        return message

    request._receive = bounded_receive


bounded_body = Depends(_limit_body)


async def accept_upload(request: Request, principal: Principal) -> Job:
    """Saves the form's archive, queues its ingest job (audited as `upload`), wakes the runner."""
    form = await request.form(max_files=1, max_fields=8)
    try:
        upload = form.get(UPLOAD_FIELD)
        if not isinstance(upload, UploadFile):
            raise HTTPException(
                400, f"send the archive as the multipart file field {UPLOAD_FIELD!r}"
            )
        app = request.app
        try:
            stored = await run_in_threadpool(
                save_upload,
                app.state.settings,
                upload.file,
                upload.filename,
                app.state.web.max_upload_bytes,
            )
        except UploadRefused as exc:
            raise HTTPException(exc.status, exc.message) from None
    finally:
        await form.close()
    try:
        job = await run_in_threadpool(_queue, request, principal, stored)
    except BaseException:
        shutil.rmtree(stored.folder, ignore_errors=True)
        raise
    job_runner(request.app).wake()
    return job


def _queue(request: Request, principal: Principal, stored) -> Job:
    with request.app.state.store.begin() as conn:
        job = queue_upload(conn, request.app.state.settings, stored, principal.name)
        audit.record(
            conn,
            principal.name,
            "upload",
            target_kind="job",
            target_id=job.id,
            detail={"filename": stored.filename, "size": stored.size, "sha256": stored.sha256},
            origin=principal.origin,
            ip=client_ip(request),
        )
    return job
