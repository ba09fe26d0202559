"""``watchfloor watch DIR``: ingest exports dropped into a folder, analyse, evaluate alerts.

An export is a ``result.json`` (JSON export) or a folder with ``messages.html`` (HTML export)
anywhere under DIR. It is taken when it is new or changed since the last round and has stopped
changing: its size and modification time are the same in two scans ``settle`` seconds apart
(a copy still in progress waits for the next round). Ingest's checkpoints make taking an export
again harmless. Each round with something ingested runs the analysis (analyzers and corpus
steps) and then evaluates the rules; a round with nothing new only retries failed deliveries.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchfloor.alerts.engine import EvaluationReport, evaluate, send_due
from watchfloor.alerts.rules import RuleSet
from watchfloor.alerts.sinks import SinkContext
from watchfloor.config import Settings
from watchfloor.store import Store

Signature = tuple[tuple[str, int, int], ...]


def _stat(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (path.name, st.st_size, st.st_mtime_ns)


def scan(root: Path) -> dict[Path, Signature]:
    """Every export under root, with the size and mtime of the files that make it."""
    found: dict[Path, Signature] = {}
    for path in sorted(root.rglob("result.json")):
        try:
            found[path] = (_stat(path),)
        except OSError:
            continue  # removed meanwhile
    for page in sorted(root.rglob("messages.html")):
        folder = page.parent
        try:
            found[folder] = tuple(_stat(p) for p in sorted(folder.glob("messages*.html")))
        except OSError:
            continue
    return found


@dataclass
class WatchState:
    taken: dict[Path, Signature] = field(default_factory=dict)
    rounds: int = 0


@dataclass
class WatchRound:
    ingested: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # still changing
    ingest: dict[str, Any] | None = None
    analysis: dict[str, Any] | None = None
    alerts: EvaluationReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ingested": self.ingested,
            "waiting": self.waiting,
            "ingest": self.ingest,
            "analysis": self.analysis,
            "alerts": None if self.alerts is None else self.alerts.as_dict(),
        }


@dataclass
class WatchOptions:
    settle: float = 2.0
    workers: int = 1
    analyze: bool = True


def ready_exports(
    root: Path, state: WatchState, settle: float, wait: Callable[[float], Any]
) -> tuple[list[Path], list[Path]]:
    """Exports new or changed since taken that did not change over ``settle`` seconds; and
    those still changing."""
    first = scan(root)
    fresh = {p: s for p, s in first.items() if state.taken.get(p) != s}
    if fresh and settle > 0:
        wait(settle)
    second = scan(root) if fresh else first
    ready = [p for p, s in fresh.items() if second.get(p) == s]
    return ready, [p for p in fresh if p not in ready]


def watch_round(
    store: Store,
    settings: Settings,
    root: Path,
    ruleset: RuleSet | None,
    state: WatchState,
    options: WatchOptions,
    wait: Callable[[float], Any],
) -> WatchRound:
    from watchfloor.analytics.steps import run_analysis_and_steps
    from watchfloor.analyzers.registry import AnalyzerRegistry
    from watchfloor.ingest import ingest_paths

    ready, waiting = ready_exports(root, state, options.settle, wait)
    result = WatchRound([str(p) for p in ready], [str(p) for p in waiting])
    if ready:
        signatures = scan(root)
        report = ingest_paths(store, settings, ready)
        result.ingest = report.as_dict()
        for path in ready:
            state.taken[path] = signatures.get(path, ())
    if options.analyze and (ready or state.rounds == 0):
        registry = AnalyzerRegistry.from_entry_points()
        result.analysis = run_analysis_and_steps(
            store, settings, registry, workers=options.workers
        ).as_dict()
    if ruleset is not None:
        if ready or state.rounds == 0:
            result.alerts = evaluate(store, ruleset, base=settings.workspace)
        else:
            result.alerts = EvaluationReport()
            ctx = SinkContext(base=settings.workspace, allow=ruleset.webhook_allow)
            send_due(store, ruleset, ctx, result.alerts)
    state.rounds += 1
    return result


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM end the loop after the round in progress (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def watch(
    store: Store,
    settings: Settings,
    root: Path,
    ruleset: RuleSet | None,
    *,
    interval: float = 30.0,
    once: bool = False,
    options: WatchOptions | None = None,
    on_round: Callable[[WatchRound], None] | None = None,
    stop: threading.Event | None = None,
) -> WatchState:
    """Rounds every ``interval`` seconds until stopped (or one round with ``once``)."""
    stop = stop or threading.Event()
    state, options = WatchState(), options or WatchOptions()
    with stop_on_signals(stop):
        while not stop.is_set():
            result = watch_round(store, settings, root, ruleset, state, options, stop.wait)
            if on_round:
                on_round(result)
            if once:
                break
            stop.wait(interval)
    return state
