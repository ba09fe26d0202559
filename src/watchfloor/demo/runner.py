"""The demo: a synthetic corpus generated, ingested and analysed, then summarised."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from watchfloor.analytics.steps import run_analysis_and_steps
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.config import Settings
from watchfloor.ingest import ProgressCallback, ingest_paths
from watchfloor.store import Store
from watchfloor.store.queries import list_channels, stats


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
    full = run_analysis_and_steps(
        store,
        settings,
        AnalyzerRegistry.from_entry_points(),
        workers=workers,
        on_progress=on_progress,
    )
    with store.connect() as conn:
        return {
            "corpus": [str(Path(p)) for p in exports],
            "ingest": ingest_report.totals(),
            "analysis": [asdict(a) for a in full.analysis.analyzers],
            **{name: report.as_dict() for name, report in full.steps.items()},
            "stats": stats(conn),
            "channels": list_channels(conn),
        }
