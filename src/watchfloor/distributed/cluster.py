"""The main process's side of a cluster run: one Dask client for the whole run, chunks submitted
with bounded in-flight work, outcomes recorded here as they come back.

A chunk lost with its worker (``KilledWorker``: Dask already retried it on other workers) or
failing outside the per-subject handling is retried one subject at a time, so only a subject that
keeps killing workers is lost, quarantined as ``worker_crashed``, as with the local pool.
"""

from __future__ import annotations

import hashlib
import pickle
import secrets
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from watchfloor.analyzers.base import PreparesFromStore
from watchfloor.config import Settings
from watchfloor.distributed.worker import run_shared_chunk, sees_marker
from watchfloor.pipeline import CHUNK_SIZE, AnalyzerRun, Outcome, Task, chunks
from watchfloor.store import Store
from watchfloor.store.shared_media import SharedMedia

IN_FLIGHT_PER_THREAD = 3
# larger chunks than the local pool's when there are many subjects: a Dask task costs a few
# milliseconds of scheduling, as much as analysing a post
CHUNKS_PER_THREAD = 6
MAX_CHUNK = 64
CONNECT_TIMEOUT = "20s"
WORKERS_TIMEOUT = 60  # seconds to wait for a first worker
MARKER = ".watchfloor-cluster-check"


class ClusterError(RuntimeError):
    """The cluster cannot run this analysis (unreachable, no workers, workspace not shared)."""


class ClusterSession:
    def __init__(self, client: Any, store: Store, settings: Settings) -> None:
        self.client, self.store, self.settings = client, store, settings
        # no URL: workers read the main process's own media store, by its absolute path
        self.media = SharedMedia(settings.media_url or str(store.media.root.resolve()))
        self._workspace_checked = False
        self._pushed: set[str] = set()

    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def execute(self, run: AnalyzerRun, tasks: list[Task], tick: Callable[[int], None]) -> None:
        analyzer = run.analyzer
        reads_media = analyzer.subject == "media"
        own_media = self.settings.media_url is None
        if isinstance(analyzer, PreparesFromStore) or (reads_media and own_media):
            self.check_workspace()
        if reads_media and not own_media:
            self.push_media(t.item.key for t in tasks)
        _DaskExecution(self, run, tick).run(tasks)

    def push_media(self, shas: Iterator[str] | list[str]) -> int:
        wanted = set(shas) - self._pushed
        copied = self.media.push(self.store.media, wanted)
        self._pushed |= wanted
        return copied

    def check_workspace(self) -> None:
        """Workers open indexes under the workspace (and, with no shared media URL, read media
        under it) by the main process's paths: every worker must see the same directory."""
        if self._workspace_checked:
            return
        workspace = Path(self.settings.workspace).resolve()
        marker, token = workspace / MARKER, secrets.token_hex(16)
        marker.write_text(token, encoding="utf-8")
        try:
            seen = self.client.run(sees_marker, str(marker), token)
        finally:
            marker.unlink(missing_ok=True)
        blind = sorted(addr for addr, ok in seen.items() if not ok)
        if blind:
            raise ClusterError(
                f"workers {', '.join(blind)} do not see the workspace {workspace}: mount it at "
                "the same path on every worker (indexes are kept there), and set "
                "WATCHFLOOR_MEDIA_URL when the media are not under it"
            )
        self._workspace_checked = True


@contextmanager
def cluster_session(store: Store, settings: Settings) -> Iterator[ClusterSession]:
    from distributed import Client

    assert settings.scheduler
    try:
        client = Client(settings.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {settings.scheduler}: {exc}"
        ) from exc
    try:
        try:
            client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except TimeoutError as exc:
            raise ClusterError(
                f"the Dask scheduler at {settings.scheduler} has no workers"
            ) from exc
        yield ClusterSession(client, store, settings)
    finally:
        client.close()


class _DaskExecution:
    """Chunks in flight up to ``IN_FLIGHT_PER_THREAD`` per worker thread. A failed chunk's
    subjects are retried one at a time with nothing else in flight: Dask blames every task a
    dying worker held, so a suspect running alone is the culprit if its worker dies."""

    def __init__(self, session: ClusterSession, run: AnalyzerRun, tick: Callable[[int], None]):
        self.session, self.run_, self.tick = session, run, tick
        self.client = session.client
        self.threads = session.threads()
        self.limit = IN_FLIGHT_PER_THREAD * self.threads
        self.pending: dict[Any, tuple[list[Task], bool]] = {}
        self.pickled = pickle.dumps(run.analyzer, protocol=pickle.HIGHEST_PROTOCOL)
        self.key = hashlib.sha256(self.pickled).hexdigest()

    def run(self, tasks: list[Task]) -> None:
        from distributed import as_completed

        size = min(MAX_CHUNK, max(CHUNK_SIZE, len(tasks) // (CHUNKS_PER_THREAD * self.threads)))
        queue: deque[tuple[list[Task], bool]] = deque((c, False) for c in chunks(tasks, size))
        done = as_completed(loop=self.client.loop)
        try:
            self._fill(queue, done)
            for future in done:
                self._collect(future, queue)
                self._fill(queue, done)
        finally:
            if self.pending:
                self.client.cancel(list(self.pending))

    def _fill(self, queue: deque[tuple[list[Task], bool]], done: Any) -> None:
        while queue and len(self.pending) < self.limit:
            if self.pending and (queue[0][1] or any(s for _c, s in self.pending.values())):
                return
            chunk, single = queue.popleft()
            future = self.client.submit(
                run_shared_chunk, self.key, self.pickled, chunk, self.session.media, pure=False
            )
            self.pending[future] = (chunk, single)
            done.add(future)

    def _collect(self, future: Any, queue: deque[tuple[list[Task], bool]]) -> None:
        chunk, single = self.pending.pop(future)
        try:
            outcomes = future.result()
        except Exception as exc:  # KilledWorker, or a failure outside the per-subject handling
            if not single:
                queue.extend(([task], True) for task in chunk)
                return
            outcomes = [_failed(task, exc) for task in chunk]
        self.run_.record(outcomes)
        self.tick(len(chunk))


def _failed(task: Task, exc: BaseException) -> Outcome:
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        code = "worker_crashed"
        detail = "the worker process died analysing this subject (crash or memory limit)"
    else:
        code = "worker_error"
        detail = f"the cluster could not run this subject: {type(exc).__name__}: {exc}"
    return Outcome(task.item.key, task.input_key, "error", [], code, detail)
