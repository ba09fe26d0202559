"""Runs the registered analyzers over what is new, in dependency order, on a local process pool
or, when ``settings.scheduler`` names one, on a Dask cluster (``watchfloor.distributed``).

Incremental: a subject is analysed again only when the analyzer's effective version changed, or,
for analyzers that need other signals, when those inputs changed. Bad input is quarantined with
the analyzer's reason; a crashing worker process costs only its chunk, never the run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import orjson
from threadpoolctl import threadpool_limits

from watchfloor.analyzers.base import (
    Analyzer,
    AnalyzerOptions,
    AnalyzerRejected,
    MediaItem,
    PostItem,
    PreparesFromStore,
    SignalOut,
)
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.config import Settings
from watchfloor.records import Rejected
from watchfloor.store import Store
from watchfloor.store.posts import post_items
from watchfloor.store.quarantine import quarantine_items
from watchfloor.store.signals import (
    all_media,
    pending_media,
    record_outcome,
    signal_values,
    states_for,
)
from watchfloor.worker_guard import die_with_parent

CHUNK_SIZE = 8
Item = MediaItem | PostItem
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Task:
    item: Item
    input_key: str
    inputs: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    subject: str
    input_key: str
    status: str  # ok, rejected, error
    outputs: list[SignalOut]
    code: str | None = None
    detail: str | None = None


@dataclass
class AnalyzerReport:
    analyzer: str
    version: str
    considered: int = 0
    ok: int = 0
    rejected: int = 0
    errors: int = 0
    signals: int = 0
    seconds: float = 0.0  # wall time, preparing from the store included
    warnings: list[str] = field(default_factory=list)  # from preparing: what was left out


@dataclass
class AnalysisReport:
    analyzers: list[AnalyzerReport] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(a.rejected + a.errors + len(a.warnings) for a in self.analyzers)


def options_from(settings: Settings) -> AnalyzerOptions:
    return AnalyzerOptions(
        pdq_mode=settings.pdq_mode,
        max_image_pixels=settings.max_image_pixels,
        image_limits=settings.image_limits,
        workspace=str(settings.workspace),
    )


def run_chunk(analyzer: Analyzer, tasks: list[Task]) -> list[Outcome]:
    """Runs in a worker process: every exception stays with its subject."""
    return [run_one(analyzer, task) for task in tasks]


def run_one(analyzer: Analyzer, task: Task) -> Outcome:
    key = task.item.key
    try:
        outputs = analyzer.analyze(task.item, task.inputs)
        return Outcome(key, task.input_key, "ok", outputs)
    except AnalyzerRejected as exc:
        return Outcome(key, task.input_key, "rejected", [], exc.code, str(exc))
    except MemoryError:
        return Outcome(key, task.input_key, "error", [], "out_of_memory", "ran out of memory")
    except Exception as exc:
        detail = "".join(traceback.format_exception_only(exc)).strip()
        return Outcome(key, task.input_key, "error", [], "analyzer_error", detail)


def _input_key(base: str, inputs: dict[str, Any]) -> str:
    if not inputs:
        return base
    return hashlib.sha256(
        base.encode() + orjson.dumps(inputs, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


class AnalyzerRun:
    def __init__(self, store: Store, analyzer: Analyzer, workers: int) -> None:
        self.store, self.analyzer, self.workers = store, analyzer, workers
        self.version = analyzer.effective_version
        self.report = AnalyzerReport(analyzer.name, self.version)

    def tasks(self) -> list[Task]:
        """What needs (re)computing, read before any writing starts."""
        a = self.analyzer
        with self.store.connect() as conn:
            if a.subject == "media" and not a.needs:
                items: Iterable[Item] = pending_media(conn, a.name, self.version, self.store.media)
                return [Task(i, i.key, {}) for i in items if a.accepts(i)]
            states = states_for(conn, a.name, a.subject)
            candidates = (
                all_media(conn, self.store.media) if a.subject == "media" else post_items(conn)
            )
            return list(self._changed(conn, candidates, states))

    def _changed(self, conn, candidates: Iterable[Item], states) -> Iterator[Task]:
        a = self.analyzer
        for item in candidates:
            if not a.accepts(item):
                continue
            inputs = signal_values(conn, a.subject, item.key, a.needs) if a.needs else {}
            if a.needs and len(inputs) < len(a.needs):
                continue  # an upstream analyzer rejected this subject
            base = item.sha256 if isinstance(item, MediaItem) else item.content_hash
            key = _input_key(base, inputs)
            if states.get(item.key) != (self.version, key):
                yield Task(item, key, inputs)

    def record(self, outcomes: list[Outcome]) -> None:
        a, r = self.analyzer, self.report
        rejected: list[Rejected] = []
        with self.store.begin() as conn:
            for o in outcomes:
                record_outcome(
                    conn,
                    analyzer=a.name,
                    version=self.version,
                    subject_type=a.subject,
                    subject=o.subject,
                    input_key=o.input_key,
                    status=o.status,
                    detail=o.detail,
                    outputs=o.outputs,
                )
                r.ok += o.status == "ok"
                r.rejected += o.status == "rejected"
                r.errors += o.status == "error"
                r.signals += len(o.outputs)
                if o.status != "ok":
                    rejected.append(
                        Rejected(
                            f"{a.subject}:{o.subject}",
                            f"analyzer {a.name}",
                            o.code or o.status,
                            o.detail or "",
                        )
                    )
            quarantine_items(conn, "analyze", rejected)


def chunks(tasks: list[Task], size: int) -> Iterator[list[Task]]:
    it = iter(tasks)
    while chunk := list(islice(it, size)):
        yield chunk


def tapering_chunks(tasks: list[Task], size: int, workers: int) -> Iterator[list[Task]]:
    """Chunks of ``size`` that shrink towards the end (to a share of what is left), so that no
    worker is left alone with a long last chunk while the others idle."""
    start = 0
    while start < len(tasks):
        n = max(1, min(size, (len(tasks) - start) // (2 * workers)))
        yield tasks[start : start + n]
        start += n


def _execute(
    run: AnalyzerRun, tasks: list[Task], workers: int, tick: Callable[[int], None]
) -> None:
    if workers <= 1:
        with threadpool_limits(1):
            for chunk in chunks(tasks, CHUNK_SIZE):
                run.record(run_chunk(run.analyzer, chunk))
                tick(len(chunk))
        return
    _PooledExecution(run, workers, tick).run(tasks)


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_one_thread_per_worker)


def _one_thread_per_worker() -> None:
    """The worker processes are the parallelism: BLAS and OpenMP pools inside each only fight
    over the same cores (measured: PDQ 6x slower on a loaded 2-core machine; Dask's nanny sets
    the same variables for its workers)."""
    die_with_parent()  # a worker must not outlive a killed main process
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    threadpool_limits(1)


class _PooledExecution:
    """Chunks on a process pool. When a worker dies, the pool is replaced and the chunks it took
    down are retried one subject at a time, alone, so only the subject that kills a worker is lost."""

    def __init__(self, run: AnalyzerRun, workers: int, tick: Callable[[int], None]) -> None:
        self.run_, self.workers, self.tick = run, workers, tick
        self.pool = _pool(workers)
        self.pending: dict[Future, tuple[list[Task], bool]] = {}

    def run(self, tasks: list[Task]) -> None:
        queue: deque[tuple[list[Task], bool]] = deque(
            (c, False) for c in tapering_chunks(tasks, CHUNK_SIZE, self.workers)
        )
        try:
            while queue or self.pending:
                self._fill(queue)
                done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
                broken = [chunk for f in done if (chunk := self._collect(f)) is not None]
                if broken:
                    self._retry_singly(queue, broken + self._restart())
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _fill(self, queue: deque[tuple[list[Task], bool]]) -> None:
        """Submits chunks; a retried suspect runs alone, so if the pool breaks it is the culprit."""
        while queue and len(self.pending) < self.workers * 3:
            if self.pending and (
                queue[0][1] or any(single for _c, single in self.pending.values())
            ):
                return
            chunk, single = queue.popleft()
            try:
                future = self.pool.submit(run_chunk, self.run_.analyzer, chunk)
            except BrokenProcessPool:  # a worker died since the last wait
                queue.appendleft((chunk, single))
                self._retry_singly(queue, self._restart())
                continue
            self.pending[future] = (chunk, single)

    @staticmethod
    def _retry_singly(queue: deque[tuple[list[Task], bool]], suspects: list[list[Task]]) -> None:
        queue.extend(([task], True) for chunk in suspects for task in chunk)

    def _collect(self, future: Future) -> list[Task] | None:
        """Records a finished chunk; returns it instead when its worker died and it should be retried."""
        chunk, single = self.pending.pop(future)
        try:
            outcomes = future.result()
        except BrokenProcessPool:
            if not single:
                return chunk
            outcomes = [
                Outcome(
                    t.item.key,
                    t.input_key,
                    "error",
                    [],
                    "worker_crashed",
                    "the worker process died analysing this subject (crash or memory limit)",
                )
                for t in chunk
            ]
        self.run_.record(outcomes)
        self.tick(len(chunk))
        return None

    def _restart(self) -> list[list[Task]]:
        requeue = [chunk for chunk, _single in self.pending.values()]
        self.pending.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = _pool(self.workers)
        return requeue


def run_analysis(
    store: Store,
    settings: Settings,
    registry: AnalyzerRegistry,
    *,
    workers: int = 1,
    only: list[str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> AnalysisReport:
    report = AnalysisReport()
    if settings.scheduler:  # workers elsewhere open what is under the workspace by its path
        settings = dataclasses.replace(settings, workspace=settings.workspace.resolve())
    options = options_from(settings)
    with ExitStack() as stack:
        cluster = None
        if settings.scheduler:
            from watchfloor.distributed.cluster import cluster_session

            cluster = stack.enter_context(cluster_session(store, settings))
        for cls in registry.ordered(only):
            report.analyzers.append(
                _run_analyzer(store, cls(options), workers, on_progress, cluster)
            )
    return report


def _run_analyzer(
    store: Store,
    analyzer: Analyzer,
    workers: int,
    on_progress: ProgressCallback | None,
    cluster: Any | None,
) -> AnalyzerReport:
    """``cluster``: a ``distributed.cluster.ClusterSession`` to run on instead of local workers."""
    started = time.perf_counter()
    warnings = (analyzer.prepare(store) or []) if isinstance(analyzer, PreparesFromStore) else []
    run = AnalyzerRun(store, analyzer, workers)
    run.report.warnings = list(warnings)
    tasks = run.tasks()
    run.report.considered = len(tasks)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if on_progress:
            on_progress(analyzer.name, done, len(tasks))

    if tasks and cluster is not None:
        cluster.execute(run, tasks, tick)
    elif tasks:
        _execute(run, tasks, workers, tick)
    run.report.seconds = round(time.perf_counter() - started, 3)
    return run.report
