"""The demo: a synthetic corpus generated, ingested and analysed, then summarised."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from watchfloor.alerts.state import list_alerts
from watchfloor.analytics.steps import run_analysis_and_steps
from watchfloor.analytics.target_queries import list_targets
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.config import Settings
from watchfloor.demo.registry import register_demo_references
from watchfloor.ingest import ProgressCallback, ingest_paths
from watchfloor.store import Store
from watchfloor.store.queries import list_channels, stats
from watchfloor.store.schema import signals


def run_demo(
    store: Store,
    settings: Settings,
    *,
    seed: int = 2018,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    from watchfloor.demo import generate_corpus

    corpus_dir = settings.workspace / "demo-corpus"
    exports = generate_corpus(corpus_dir, seed=seed)
    ingest_report = ingest_paths(store, settings, exports, on_progress=on_progress)
    registered = register_demo_references(store, settings.workspace / "demo-references")
    full = run_analysis_and_steps(
        store,
        settings,
        AnalyzerRegistry.from_entry_points(),
        workers=workers,
        on_progress=on_progress,
    )
    fired = _evaluate_demo_rules(store, settings)
    with store.connect() as conn:
        return {
            "corpus": [str(Path(p)) for p in exports],
            "ingest": ingest_report.totals(),
            "registered": registered,
            "analysis": [asdict(a) for a in full.analysis.analyzers],
            **{name: report.as_dict() for name, report in full.steps.items()},
            "stats": stats(conn),
            "channels": list_channels(conn),
            "emblems": _emblem_hits(conn),
            "targets": list_targets(conn),
            "alerts_fired": fired,
            "alerts": [a.as_dict() for a in list_alerts(conn)],
        }


def _emblem_hits(conn: Connection) -> dict[str, int]:
    """How many images show each registered emblem."""
    hits: dict[str, int] = {}
    for value in conn.execute(select(signals.c.value).where(signals.c.kind == "emblem")).scalars():
        for label in {d["label"] for d in (value or {}).get("detections", [])}:
            hits[label] = hits.get(label, 0) + 1
    return dict(sorted(hits.items()))


def _evaluate_demo_rules(store: Store, settings: Settings) -> int:
    """The shipped example rules, sent to ``<workspace>/alerts/alerts.jsonl`` only."""
    from watchfloor.alerts.engine import evaluate
    from watchfloor.alerts.rules import example_rules_path, load_rules

    rules = load_rules(example_rules_path().with_name("demo.yaml"))
    report = evaluate(store, rules, base=settings.workspace)
    return report.new
