"""Corpus-level steps that run after the per-item analyzers (repost groups, ...).

Analyzers look at one post or one media item; a corpus step reads what they emitted across the
whole store. ``watchfloor analyze`` and the demo run both through :func:`run_analysis_and_steps`,
so ``--only`` means the same thing everywhere: a step runs when nothing is singled out or when
it is named, and naming a step also runs the analyzers it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.config import Settings
from watchfloor.pipeline import AnalysisReport, run_analysis
from watchfloor.store import Store
from watchfloor.store.locks import run_lock

ProgressCallback = Callable[[str, int, int], None]
StepRunner = Callable[[Store, Settings, int, ProgressCallback | None], Any]


@dataclass(frozen=True)
class CorpusStep:
    name: str
    needs: tuple[str, ...]  # analyzers whose signals the step reads
    run: StepRunner  # returns a report with ``as_dict()``


def _reposts(
    store: Store, settings: Settings, workers: int, on_progress: ProgressCallback | None
) -> Any:
    from watchfloor.analytics.reposts import update_repost_groups

    return update_repost_groups(store, settings, workers=workers, on_progress=on_progress)


def _targets(
    store: Store, settings: Settings, workers: int, on_progress: ProgressCallback | None
) -> Any:
    from watchfloor.analytics.targets import rebuild_targets

    return rebuild_targets(store)


def _attribution(
    store: Store, settings: Settings, workers: int, on_progress: ProgressCallback | None
) -> Any:
    from watchfloor.analytics.attribution import run_attribution

    return run_attribution(store)


def _campaigns(
    store: Store, settings: Settings, workers: int, on_progress: ProgressCallback | None
) -> Any:
    from watchfloor.analytics.campaign_store import rebuild_campaigns

    return rebuild_campaigns(store)


STEPS: tuple[CorpusStep, ...] = (
    CorpusStep("reposts", ("crops",), _reposts),
    CorpusStep("attribution", ("emblem",), _attribution),
    CorpusStep("targets", ("landmark", "exif"), _targets),
    # after reposts and targets: campaigns are grouped by repost groups and targets
    CorpusStep("campaigns", ("crops", "emblem"), _campaigns),
)


def step_names() -> list[str]:
    return [s.name for s in STEPS]


def split_only(only: Sequence[str] | None) -> tuple[list[str] | None, list[CorpusStep]]:
    """Which analyzers and steps a ``--only`` list asks for (all of both when it is empty)."""
    if not only:
        return None, list(STEPS)
    steps = [s for s in STEPS if s.name in only]
    analyzers = [n for n in only if n not in step_names()]
    for step in steps:
        analyzers.extend(n for n in step.needs if n not in analyzers)
    return analyzers, steps


@dataclass
class FullReport:
    analysis: AnalysisReport
    steps: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "analyzers": [asdict(a) for a in self.analysis.analyzers],
            **{name: report.as_dict() for name, report in self.steps.items()},
        }


def run_analysis_and_steps(
    store: Store,
    settings: Settings,
    registry: AnalyzerRegistry,
    *,
    workers: int = 1,
    only: Sequence[str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> FullReport:
    """One run at a time per database (PostgreSQL) or workspace (SQLite): a second ``analyze``
    waits for the first and then finds only what is still new, instead of doing the same work
    and racing it to write the same signals."""
    analyzers, steps = split_only(only)
    with run_lock(store, settings.workspace, "analyze"):
        analysis = run_analysis(
            store, settings, registry, workers=workers, only=analyzers, on_progress=on_progress
        )
        reports = {step.name: step.run(store, settings, workers, on_progress) for step in steps}
    return FullReport(analysis, reports)
