"""`watchfloor ingest`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from watchfloor.cli import (
    EXIT_QUARANTINED,
    AppContext,
    emit_json,
    json_option,
    progress_bar,
    progress_option,
    show_progress,
    table,
)
from watchfloor.ingest import IngestReport, ingest_paths


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--batch-size",
    default=2000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Messages per transaction.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Re-read exports already ingested completely (still adds nothing twice).",
)
@json_option
@progress_option
@click.pass_obj
def ingest(
    app: AppContext,
    paths: tuple[Path, ...],
    batch_size: int,
    force: bool,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Ingest Telegram Desktop exports (result.json, messages*.html, or their folders)."""
    show = show_progress(progress)
    with progress_bar(show) as update:
        report = ingest_paths(
            app.store, app.settings, paths, batch_size=batch_size, force=force, on_progress=update
        )
    if as_json:
        emit_json(report.as_dict())
    else:
        print_report(report)
    if report.quarantined or any(s.error for s in report.sources):
        sys.exit(EXIT_QUARANTINED)


def print_report(report: IngestReport) -> None:
    rows = []
    for source in report.sources:
        if source.error:
            rows.append([source.path, source.kind or "-", "-", "-", "-", "-", "-", source.error])
        for c in source.chats:
            note = (
                "already ingested"
                if c.already_complete
                else (f"resumed after {c.skipped_resumed}" if c.skipped_resumed else "")
            )
            rows.append(
                [
                    source.path,
                    source.kind,
                    c.title or c.channel,
                    c.counts.added,
                    c.counts.updated,
                    c.counts.unchanged,
                    c.rejected,
                    note,
                ]
            )
    table(
        "Ingest",
        ["source", "kind", "chat", "added", "updated", "unchanged", "rejected", "note"],
        rows,
    )
    totals = report.totals()
    click.echo(
        f"added {totals['added']}, updated {totals['updated']} (earlier versions kept: {totals['versions_kept']}), "
        f"unchanged {totals['unchanged']}, newly quarantined {totals['quarantined']}"
    )


COMMANDS = [ingest]
