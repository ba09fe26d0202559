"""`watchfloor analyze`, `watchfloor analyzers`, `watchfloor hash`."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from watchfloor.analyzers.registry import AnalyzerRegistry, RegistryError
from watchfloor.cli import (
    EXIT_HASH_FAILED,
    EXIT_QUARANTINED,
    AppContext,
    emit_json,
    json_option,
    progress_bar,
    progress_option,
    show_progress,
    table,
    workers_option,
)


@click.command()
@workers_option
@click.option(
    "--only",
    multiple=True,
    help="Run only this analyzer or corpus step (and what it needs); repeatable.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run the analyzers on the Dask cluster of this scheduler, e.g. tcp://HOST:8786 "
    "[default: $WATCHFLOOR_SCHEDULER, else local worker processes]; workers read media "
    "from $WATCHFLOOR_MEDIA_URL when set.",
)
@json_option
@progress_option
@click.pass_obj
def analyze(
    app: AppContext,
    workers: int | None,
    only: tuple[str, ...],
    scheduler: str | None,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Run the registered analyzers over what is new or changed."""
    from watchfloor.analytics.steps import run_analysis_and_steps
    from watchfloor.distributed.cluster import ClusterError

    registry = AnalyzerRegistry.from_entry_points()
    settings = app.settings
    if scheduler:
        settings = dataclasses.replace(settings, scheduler=scheduler)
    try:
        with progress_bar(show_progress(progress)) as update:
            full = run_analysis_and_steps(
                app.store,
                settings,
                registry,
                workers=workers or os.cpu_count() or 1,
                only=only,
                on_progress=update,
            )
    except RegistryError as exc:
        raise click.UsageError(str(exc)) from exc
    except ClusterError as exc:
        raise click.ClickException(str(exc)) from exc
    report = full.analysis
    if as_json:
        emit_json(full.as_dict())
    else:
        table(
            "Analysis",
            ["analyzer", "version", "subjects", "ok", "rejected", "errors", "signals", "seconds"],
            [
                [
                    a.analyzer,
                    a.version,
                    a.considered,
                    a.ok,
                    a.rejected,
                    a.errors,
                    a.signals,
                    f"{a.seconds:.1f}",
                ]
                for a in report.analyzers
            ],
        )
        for a in report.analyzers:
            for warning in a.warnings:
                click.echo(f"{a.analyzer}: {warning}", err=True)
        for name, step_report in full.steps.items():
            click.echo(f"{name}: {step_report.summary()}")
    if report.problems:
        sys.exit(EXIT_QUARANTINED)


@click.command(name="analyzers")
@json_option
def list_analyzers(as_json: bool) -> None:
    """List the registered analyzers in the order they run."""
    registry = AnalyzerRegistry.from_entry_points()
    rows = [
        {
            "name": c.name,
            "version": c.version,
            "subject": c.subject,
            "emits": list(c.emits),
            "needs": list(c.needs),
            "description": c.description,
        }
        for c in registry.ordered()
    ]
    if as_json:
        emit_json(rows)
    else:
        table(
            "Analyzers",
            ["name", "version", "subject", "emits", "needs", "description"],
            [
                [
                    r["name"],
                    r["version"],
                    r["subject"],
                    ", ".join(r["emits"]),
                    ", ".join(r["needs"]),
                    r["description"],
                ]
                for r in rows
            ],
        )


@click.command(name="hash")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--mode",
    type=click.Choice(["fast", "exact"]),
    default=None,
    help="PDQ decoding [default: --pdq-mode, else fast].",
)
@click.option("--dihedral", is_flag=True, help="Also print the 8 rotation/flip hashes.")
@json_option
@click.pass_obj
def hash_files(
    app: AppContext, files: tuple[Path, ...], mode: str | None, dihedral: bool, as_json: bool
) -> None:
    """PDQ hash and quality of image files (needs no workspace)."""
    from watchfloor.imaging import ImageRejected
    from watchfloor.pdq import pdq_hash_file

    mode = mode or app.options.get("pdq_mode") or os.environ.get("WATCHFLOOR_PDQ_MODE") or "fast"
    results, failed = [], 0
    for path in files:
        try:
            r = pdq_hash_file(path, mode=mode)
            results.append(
                {"file": str(path), "pdq": r.hash, "quality": r.quality, "mode": r.mode}
                | ({"dihedral": r.dihedral} if dihedral else {})
            )
        except (ImageRejected, OSError) as exc:
            failed += 1
            results.append(
                {"file": str(path), "error": getattr(exc, "code", "unreadable"), "reason": str(exc)}
            )
    if as_json:
        emit_json(results)
    else:
        for r in results:
            line = (
                f"{r['pdq']}  q={r['quality']:3d}  {r['file']}"
                if "pdq" in r
                else f"error: {r['file']}: {r['reason']}"
            )
            click.echo(line, err="error" in r)
            for name, value in r.get("dihedral", {}).items():
                click.echo(f"  {name:7s} {value}")
    if failed:
        sys.exit(EXIT_HASH_FAILED)


COMMANDS = [analyze, list_analyzers, hash_files]
