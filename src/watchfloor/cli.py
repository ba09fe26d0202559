"""The `watchfloor` command: one thin wrapper per library function.

Exit codes: 0 done; 1 failed; 2 usage error; 3 done, but some input was quarantined
(see `watchfloor quarantine`); 4 `hash` could not hash some files.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from watchfloor.config import ConfigError, Settings, load_settings
from watchfloor.store import Store, open_store

EXIT_QUARANTINED = 3
EXIT_HASH_FAILED = 4
err = Console(stderr=True)


@dataclass
class AppContext:
    options: dict[str, Any]
    _settings: Settings | None = None
    _store: Store | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(**self.options)
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from exc
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            try:
                self._store = open_store(self.settings)
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from exc
            self.closers.append(self._store.close)
        return self._store


def emit_json(data: Any) -> None:
    sys.stdout.write(
        orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n"
    )


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:
        # Text objects: content such as "[stand-in]" must never be read as console markup.
        t.add_row(*[Text("" if v is None else str(v)) for v in row])
    Console().print(t)


@contextmanager
def progress_bar(enabled: bool):
    """Yields a callback(label, done, total); draws a bar on stderr when it is a terminal."""
    if not enabled:
        yield lambda *_: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label[-60:], total=total)
            bar.update(tasks[label], completed=done, total=total)

        yield update


json_option = click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar [default: when stderr is a terminal].",
)
workers_option = click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes [default: CPU count].",
)


def show_progress(flag: bool | None) -> bool:
    return sys.stderr.isatty() if flag is None else flag


def parse_when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date like 2018-01-31 or 2018-01-31T12:00+01:00"
        ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder [env WATCHFLOOR_WORKSPACE; default ./watchfloor-data].",
)
@click.option(
    "--db",
    "db_url",
    help="Database URL [env WATCHFLOOR_DB; default an SQLite file in the workspace]. postgresql+psycopg://… works too.",
)
@click.option(
    "--export-tz",
    help="Zone assumed for export dates without one [env WATCHFLOOR_EXPORT_TZ; default UTC].",
)
@click.option(
    "--pdq-mode",
    type=click.Choice(["fast", "exact"]),
    help="PDQ decoding [env WATCHFLOOR_PDQ_MODE; default fast].",
)
@click.version_option(package_name="watchfloor")
@click.pass_context
def main(ctx: click.Context, workspace, db_url, export_tz, pdq_mode) -> None:
    """Watchfloor: see an extremist propaganda campaign coming, with evidence."""
    app = AppContext(
        {"workspace": workspace, "db_url": db_url, "export_tz": export_tz, "pdq_mode": pdq_mode}
    )
    ctx.obj = app
    ctx.call_on_close(lambda: [close() for close in app.closers])


def _register_commands() -> None:
    from watchfloor.commands import (
        accounts,
        activity,
        alerts,
        analysis,
        banks,
        campaigns,
        demo,
        emblems,
        gallery,
        ingest,
        matching,
        network,
        outlets,
        read,
        reposts,
        targets,
        text,
        watch,
    )

    for module in (
        ingest,
        analysis,
        read,
        demo,
        banks,
        matching,
        reposts,
        emblems,
        gallery,
        targets,
        text,
        outlets,
        activity,
        network,
        campaigns,
        alerts,
        watch,
        accounts,
    ):
        for command in module.COMMANDS:
            main.add_command(command)


_register_commands()
