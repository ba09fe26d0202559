"""Background jobs: a row per job in `jobs`, claimed one at a time by a runner thread.

A job is `queued`, then `running` (claimed by compare-and-set, so two runners never take the
same one), then `done` with a result or `failed` with an error. A job still `running` when its
server died is put back in the queue when the next server starts (`requeue_running`): one
server process per workspace runs jobs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from watchfloor.store import Store
from watchfloor.store.schema import jobs
from watchfloor.store.times import as_utc, iso_utc

STATUSES = ("queued", "running", "done", "failed")
log = logging.getLogger(__name__)


class JobFailed(Exception):
    """An expected failure: its message is shown to the user as the job's error, beside what
    the job got done before it (`result`)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    status: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    input: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "created_by": self.created_by,
            "created_at": iso_utc(self.created_at),
            "started_at": iso_utc(self.started_at),
            "finished_at": iso_utc(self.finished_at),
            "input": self.input,
            "result": self.result,
            "error": self.error,
        }


def _job(row) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        status=row.status,
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        started_at=as_utc(row.started_at),
        finished_at=as_utc(row.finished_at),
        input=row.input or {},
        result=row.result,
        error=row.error,
    )


def create_job(conn: Connection, kind: str, created_by: str, input: dict[str, Any]) -> Job:
    now = datetime.now(UTC)
    job_id = conn.execute(
        jobs.insert().values(
            kind=kind, status="queued", created_by=created_by, created_at=now, input=input
        )
    ).inserted_primary_key[0]
    return get_job(conn, job_id)


def get_job(conn: Connection, job_id: int) -> Job | None:
    row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    return None if row is None else _job(row)


def list_jobs(
    conn: Connection,
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Job]:
    query = select(jobs).order_by(jobs.c.id.desc()).limit(limit).offset(offset)
    if status is not None:
        query = query.where(jobs.c.status == status)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    return [_job(r) for r in conn.execute(query)]


def count_jobs(conn: Connection, *, status: str | None = None) -> int:
    query = select(func.count()).select_from(jobs)
    if status is not None:
        query = query.where(jobs.c.status == status)
    return conn.execute(query).scalar_one()


def claim_next(conn: Connection, kinds: Mapping[str, object] | None = None) -> Job | None:
    """The oldest queued job, now `running`; None when the queue is empty."""
    query = select(jobs.c.id).where(jobs.c.status == "queued").order_by(jobs.c.id)
    if kinds is not None:
        query = query.where(jobs.c.kind.in_(list(kinds)))
    for job_id in conn.execute(query.limit(5)).scalars():
        claimed = conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == "queued")
            .values(status="running", started_at=datetime.now(UTC), result=None, error=None)
        )
        if claimed.rowcount == 1:
            return get_job(conn, job_id)
    return None


def set_progress(conn: Connection, job_id: int, progress: dict[str, Any]) -> None:
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == "running")
        .values(result={"progress": progress})
    )


def finish_job(
    conn: Connection,
    job_id: int,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(
            status="failed" if error is not None else "done",
            finished_at=datetime.now(UTC),
            result=result,
            error=error,
        )
    )


def requeue_running(conn: Connection) -> int:
    """Jobs a crashed server left `running` go back to the queue; returns how many."""
    return conn.execute(
        update(jobs)
        .where(jobs.c.status == "running")
        .values(status="queued", started_at=None, result=None)
    ).rowcount


Progress = Callable[[dict[str, Any]], None]
Handler = Callable[[Job, Progress], dict[str, Any]]


class JobRunner:
    """Drains the queue in one thread, started on demand (`wake`) and ending when it is empty,
    so nothing lingers between uploads; `handlers` maps a job kind to its function."""

    def __init__(
        self, store: Store, handlers: Mapping[str, Handler], progress_every: float = 1.0
    ) -> None:
        self.store, self.handlers, self.progress_every = store, handlers, progress_every
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pending = False
        self._stopping = False

    def wake(self) -> None:
        with self._lock:
            if self._stopping:
                return
            self._pending = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="jobs", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 0.0) -> None:
        """No new job is claimed; one in progress is left to finish, or to be re-queued."""
        with self._lock:
            self._stopping = True
            thread = self._thread
        if thread is not None and timeout > 0:
            thread.join(timeout)

    def idle(self) -> bool:
        with self._lock:
            return self._thread is None

    def _drain(self) -> None:
        while True:
            with self._lock:
                self._pending = False
            job = None if self._stopping else self._claim()
            if job is None:
                with self._lock:
                    if self._pending and not self._stopping:
                        continue
                    self._thread = None
                    return
            self.run_one(job)

    def _claim(self) -> Job | None:
        try:
            with self.store.begin() as conn:
                return claim_next(conn, self.handlers)
        except Exception:
            log.exception("claiming a job failed")
            return None

    def run_one(self, job: Job) -> None:
        result, error = None, None
        try:
            result = self.handlers[job.kind](job, self._progress(job.id))
        except JobFailed as exc:
            result, error = exc.result, str(exc)
        except Exception as exc:  # any crash must end as a failed job
            log.exception("job %s (%s) crashed", job.id, job.kind)
            error = f"internal error: {type(exc).__name__}: {exc}"
        with self.store.begin() as conn:
            finish_job(conn, job.id, result=result, error=error)

    def _progress(self, job_id: int) -> Progress:
        last = [0.0]

        def report(progress: dict[str, Any]) -> None:
            now = time.monotonic()
            if now - last[0] >= self.progress_every:
                last[0] = now
                with self.store.begin() as conn:
                    set_progress(conn, job_id, progress)

        return report
