"""`watchfloor banks ...`: hash banks of known propaganda, thin wrappers over matching.banks.

Exit codes: 0 done; 1 no such bank (or entry); 2 usage error; 3 done, but some lines or files
were quarantined (see `watchfloor quarantine`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import click

from watchfloor.accounts.edits import record_cli
from watchfloor.cli import EXIT_QUARANTINED, AppContext, emit_json, json_option, table
from watchfloor.matching import bank_files
from watchfloor.matching import banks as lib
from watchfloor.matching.formats import FORMATS, HashError
from watchfloor.pdq import MATCH_THRESHOLD

format_choice = click.Choice(list(FORMATS))
threshold_option = click.option(
    "--threshold",
    type=click.IntRange(0, lib.MAX_THRESHOLD),
    help=f"Largest PDQ distance (bits) that counts as a match [default {MATCH_THRESHOLD}].",
)
label_option = click.option("--label", help="Label for the entries (e.g. what the image is).")
note_option = click.option("--note", help="Free-text note stored with the entries.")
added_by_option = click.option(
    "--added-by", help="Who adds the entries [default: the operating-system user name]."
)
bank_name = click.argument("name")
existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@contextmanager
def bank_errors() -> Iterator[None]:
    """Library errors as command-line errors: a missing bank exits 1, a bad value 2."""
    try:
        yield
    except lib.BankError as exc:
        raise click.ClickException(str(exc)) from exc
    except (HashError, ValueError) as exc:
        raise click.UsageError(str(exc)) from exc


@click.group(name="banks")
def banks() -> None:
    """Hash banks: lists of known propaganda hashes (PDQ, MD5) that media are matched against."""


@banks.command(name="create")
@bank_name
@threshold_option
@click.option("--description", help="What the bank holds and where it comes from.")
@json_option
@click.pass_obj
def create(app: AppContext, name: str, threshold, description, as_json: bool) -> None:
    """Create an empty bank."""
    with bank_errors(), app.store.begin() as conn:
        bank = lib.create_bank(
            conn,
            name,
            threshold=MATCH_THRESHOLD if threshold is None else threshold,
            description=description,
        )
        record_cli(conn, "bank_create", "bank", name, {"threshold": bank.threshold})
    _print_bank(bank, as_json, f"created bank {bank.name!r} (threshold {bank.threshold})")


@banks.command(name="list")
@json_option
@click.pass_obj
def list_(app: AppContext, as_json: bool) -> None:
    """Banks with their threshold, state, revision and entry counts."""
    with app.store.connect() as conn:
        rows = lib.list_banks(conn)
    if as_json:
        emit_json([b.as_dict() for b in rows])
        return
    table(
        "Banks",
        ["name", "threshold", "enabled", "entries", "disabled", "revision", "description"],
        [
            [
                b.name,
                b.threshold,
                "yes" if b.enabled else "no",
                b.entries,
                b.disabled_entries,
                b.revision,
                b.description,
            ]
            for b in rows
        ],
    )


@banks.command(name="show")
@bank_name
@click.option(
    "--limit",
    default=100,
    show_default=True,
    type=click.IntRange(1, 10_000_000),
    help="Entries shown at most.",
)
@json_option
@click.pass_obj
def show(app: AppContext, name: str, limit: int, as_json: bool) -> None:
    """A bank and its entries, disabled ones included."""
    with bank_errors(), app.store.connect() as conn:
        bank = lib.get_bank(conn, name)
        entries = list(lib.iter_entries(conn, name, limit=limit))
    if as_json:
        emit_json({"bank": bank.as_dict(), "entries": [e.as_dict() for e in entries]})
        return
    state = "enabled" if bank.enabled else "disabled"
    click.echo(
        f"bank {bank.name!r}: {state}, threshold {bank.threshold}, revision {bank.revision}, "
        f"{bank.entries} entries ({bank.disabled_entries} disabled)"
    )
    table(
        f"Entries of {bank.name}" + (f" (first {limit})" if bank.entries > limit else ""),
        ["type", "hash", "quality", "label", "enabled", "added by", "added"],
        [
            [
                e.signal_type,
                e.value,
                e.quality,
                e.label,
                "yes" if e.enabled else "no",
                e.added_by,
                e.added_at.date().isoformat(),
            ]
            for e in entries
        ],
    )


@banks.command(name="set")
@bank_name
@threshold_option
@click.option(
    "--enable/--disable",
    "enabled",
    default=None,
    help="Whether the bank is matched at all.",
)
@click.option("--description", help="What the bank holds and where it comes from.")
@json_option
@click.pass_obj
def set_(app: AppContext, name: str, threshold, enabled, description, as_json: bool) -> None:
    """Change a bank's threshold, state or description."""
    with bank_errors(), app.store.begin() as conn:
        bank = lib.update_bank(
            conn, name, threshold=threshold, enabled=enabled, description=description
        )
        changes = {"threshold": threshold, "enabled": enabled, "description": description}
        record_cli(
            conn, "bank_update", "bank", name, {k: v for k, v in changes.items() if v is not None}
        )
    _print_bank(bank, as_json, f"bank {bank.name!r}: revision {bank.revision}")


@banks.command(name="delete")
@bank_name
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def delete(app: AppContext, name: str, yes: bool) -> None:
    """Delete a bank and all its entries."""
    with bank_errors(), app.store.begin() as conn:
        bank = lib.get_bank(conn, name)
        if not yes:
            click.confirm(f"Delete bank {name!r} and its {bank.entries} entries?", abort=True)
        removed = lib.delete_bank(conn, name)
        record_cli(conn, "bank_delete", "bank", name, {"entries": removed})
    click.echo(f"deleted bank {name!r} ({removed} entries)")


@banks.command(name="add")
@bank_name
@click.argument("files", nargs=-1, required=True, type=existing_file)
@label_option
@note_option
@added_by_option
@json_option
@click.pass_obj
def add(
    app: AppContext,
    name: str,
    files: tuple[Path, ...],
    label: str | None,
    note: str | None,
    added_by: str | None,
    as_json: bool,
) -> None:
    """Hash images with PDQ (--pdq-mode) and add them to a bank."""
    with bank_errors(), app.store.begin() as conn:
        report = bank_files.add_images(
            conn,
            name,
            files,
            mode=app.settings.pdq_mode,
            max_pixels=app.settings.max_image_pixels,
            added_by=added_by,
            label=label,
            note=note,
        )
        record_cli(
            conn, "bank_entry_add", "bank", name, {"added": report.counts.added, "label": label}
        )
    if as_json:
        emit_json(report.as_dict())
    else:
        for f in report.files:
            state = "added" if f["new"] else "already in the bank"
            click.echo(f"{f['pdq']}  q={f['quality']:3d}  {f['file']}  ({state})")
        _echo_problems(report.problems)
        click.echo(f"{report.counts.added} added, revision {report.revision}")
    if report.problems:
        sys.exit(EXIT_QUARANTINED)


@banks.command(name="import")
@bank_name
@click.argument("file", type=existing_file)
@click.option(
    "--format",
    "fmt",
    type=format_choice,
    help="The file's format [default: from its name ending, else from its first lines].",
)
@label_option
@note_option
@added_by_option
@json_option
@click.pass_obj
def import_(
    app: AppContext,
    name: str,
    file: Path,
    fmt: str | None,
    label: str | None,
    note: str | None,
    added_by: str | None,
    as_json: bool,
) -> None:
    """Import a hash list into a bank; bad lines are reported and quarantined."""
    with bank_errors(), app.store.begin() as conn:
        report = bank_files.import_hash_file(
            conn, name, file, fmt=fmt, added_by=added_by, label=label, note=note
        )
        detail = {"file": file.name, "format": report.format, "added": report.counts.added}
        record_cli(conn, "bank_import", "bank", name, detail)
    if as_json:
        emit_json(report.as_dict())
    else:
        _echo_problems(report.problems, report.rejected)
        c = report.counts
        click.echo(
            f"{report.file} ({report.format}): {report.read} read, {c.added} added, "
            f"{c.already_present} already present, {c.disabled} disabled, "
            f"{report.rejected} rejected; bank {name!r} revision {report.revision}"
        )
    if report.rejected:
        sys.exit(EXIT_QUARANTINED)


@banks.command(name="export")
@bank_name
@click.option("--format", "fmt", type=format_choice, required=True, help="Hash-list format.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file [default: standard output].",
)
@click.pass_obj
def export(app: AppContext, name: str, fmt: str, output: Path | None) -> None:
    """Export a bank's entries (disabled ones only to csv and tat, which can mark them)."""
    with bank_errors(), app.store.connect() as conn:
        lib.get_bank(conn, name)
        if output is None:
            result = bank_files.export_bank(conn, name, sys.stdout, fmt)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                result = bank_files.export_bank(conn, name, out, fmt)
    where = str(output) if output else "standard output"
    click.echo(f"{result.written} entries written to {where}", err=True)
    if result.skipped_disabled:
        click.echo(
            f"{result.skipped_disabled} disabled entries left out: {fmt} cannot mark them",
            err=True,
        )


hashes_argument = click.argument("hashes", nargs=-1, required=True)


@banks.command(name="disable")
@bank_name
@hashes_argument
@json_option
@click.pass_obj
def disable(app: AppContext, name: str, hashes: tuple[str, ...], as_json: bool) -> None:
    """Disable entries by hash (PDQ or MD5): they are kept and shown, not matched."""
    _set_enabled(app, name, hashes, as_json, enabled=False)


@banks.command(name="enable")
@bank_name
@hashes_argument
@json_option
@click.pass_obj
def enable(app: AppContext, name: str, hashes: tuple[str, ...], as_json: bool) -> None:
    """Enable disabled entries by hash (PDQ or MD5): they are matched again."""
    _set_enabled(app, name, hashes, as_json, enabled=True)


def _set_enabled(
    app: AppContext, name: str, hashes: tuple[str, ...], as_json: bool, *, enabled: bool
) -> None:
    verb = "enabled" if enabled else "disabled"
    with bank_errors(), app.store.begin() as conn:
        report = lib.set_entries_enabled(conn, name, hashes, enabled=enabled)
        action = "bank_entry_enable" if enabled else "bank_entry_disable"
        record_cli(conn, action, "bank", name, {"hashes": list(hashes), "changed": report.changed})
    if as_json:
        emit_json(asdict(report))
    else:
        click.echo(
            f"{report.changed} {verb}, {report.unchanged} already {verb}; "
            f"bank {name!r} revision {report.revision}"
        )
    for value in report.missing:
        click.echo(f"error: no entry {value} in bank {name!r}", err=True)
    if report.missing:
        sys.exit(1)


def _print_bank(bank: lib.Bank, as_json: bool, message: str) -> None:
    if as_json:
        emit_json(bank.as_dict())
    else:
        click.echo(message)


def _echo_problems(problems: list[bank_files.LineProblem], total: int | None = None) -> None:
    for p in problems:
        click.echo(f"{p.source}: {p.locator}: {p.code}: {p.reason}", err=True)
    hidden = (total or len(problems)) - len(problems)
    if hidden > 0:
        click.echo(f"... and {hidden} more (see `watchfloor quarantine`)", err=True)


COMMANDS = [banks]
