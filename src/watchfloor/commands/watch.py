"""`watchfloor watch DIR`: ingest, analyse and alert as exports arrive (see alerts/watch.py)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from watchfloor.alerts.watch import WatchOptions, WatchRound
from watchfloor.alerts.watch import watch as run_watch
from watchfloor.cli import AppContext, emit_json
from watchfloor.commands.alerts import rules_for, rules_option


def _print_round(result: WatchRound) -> None:
    for path in result.ingested:
        click.echo(f"ingested {path}")
    for path in result.waiting:
        click.echo(f"waiting for {path} to stop changing")
    if result.alerts is not None and (
        result.alerts.new or result.alerts.sent or result.alerts.failed
    ):
        click.echo(
            f"alerts: {result.alerts.new} new, {result.alerts.sent} sent, "
            f"{len(result.alerts.failed)} failed"
        )


@click.command(name="watch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@rules_option
@click.option(
    "--interval",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0.1, None),
    help="Seconds between rounds.",
)
@click.option(
    "--settle",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0, None),
    help="An export is taken once it has not changed for this many seconds.",
)
@click.option("--workers", type=click.IntRange(1, 256), help="Analysis worker processes.")
@click.option("--once", is_flag=True, help="One round, then exit.")
@click.option("--json", "as_json", is_flag=True, help="Print each round as JSON.")
@click.pass_obj
def watch(
    app: AppContext,
    folder: Path,
    rules_file: Path | None,
    interval: float,
    settle: float,
    workers: int | None,
    once: bool,
    as_json: bool,
) -> None:
    """Ingest exports dropped into FOLDER, analyse them and evaluate alerts; SIGINT or SIGTERM
    stop it after the round in progress."""
    ruleset = rules_for(app.settings, rules_file)
    options = WatchOptions(settle=settle, workers=workers or os.cpu_count() or 1)
    run_watch(
        app.store,
        app.settings,
        folder,
        ruleset,
        interval=interval,
        once=once,
        options=options,
        on_round=(lambda r: emit_json(r.as_dict())) if as_json else _print_round,
    )


COMMANDS = [watch]
