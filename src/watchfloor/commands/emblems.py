"""`watchfloor emblems ...`: the emblem registry, thin wrappers over vision.emblem_registry.

Exit codes: 0 done; 1 no such emblem, or the image is already registered under that label;
2 usage error; 5 the image was refused (undecodable, too small or featureless).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from watchfloor.accounts.edits import record_cli
from watchfloor.cli import AppContext, emit_json, json_option, table
from watchfloor.vision import emblem_registry as lib

EXIT_REFUSED = 5


@contextmanager
def emblem_errors() -> Iterator[None]:
    try:
        yield
    except lib.EmblemRefused as exc:
        click.echo(f"error: refused ({exc.code}): {exc}", err=True)
        sys.exit(EXIT_REFUSED)
    except lib.EmblemError as exc:
        raise click.ClickException(str(exc)) from exc
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group(name="emblems")
def emblems() -> None:
    """Reference images of emblems, flags and outlet watermarks that the `emblem` analyzer finds."""


@emblems.command(name="add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--label", required=True, help="What the emblem is (shown with every detection).")
@click.option(
    "--kind",
    type=click.Choice(lib.KINDS),
    default="logo",
    show_default=True,
    help="flag, logo, or watermark (also searched as a faint fixed-position overlay).",
)
@click.option("--note", help="Free-text note stored with the emblem.")
@click.option("--added-by", help="Who adds it [default: the operating-system user name].")
@json_option
@click.pass_obj
def add(
    app: AppContext,
    file: Path,
    label: str,
    kind: str,
    note: str | None,
    added_by: str | None,
    as_json: bool,
) -> None:
    """Register an image of an emblem (checked: decodable, large and detailed enough)."""
    with emblem_errors(), app.store.begin() as conn:
        emblem = lib.add_emblem(
            conn,
            app.store.media,
            file,
            label=label,
            kind=kind,
            note=note,
            added_by=added_by,
            max_pixels=app.settings.max_image_pixels,
        )
        record_cli(conn, "emblem_add", "emblem", emblem.id, {"label": label, "kind": kind})
    if as_json:
        emit_json(emblem.as_dict())
    else:
        click.echo(
            f"added emblem {emblem.id}: {emblem.label!r} ({emblem.kind}, "
            f"{emblem.width}x{emblem.height})"
        )


@emblems.command(name="list")
@json_option
@click.pass_obj
def list_(app: AppContext, as_json: bool) -> None:
    """Registered emblems, disabled ones included."""
    with app.store.connect() as conn:
        rows = lib.list_emblems(conn)
    if as_json:
        emit_json([e.as_dict() for e in rows])
        return
    table(
        "Emblems",
        ["id", "label", "kind", "size", "enabled", "note", "added by", "added"],
        [
            [
                e.id,
                e.label,
                e.kind,
                f"{e.width}x{e.height}",
                "yes" if e.enabled else "no",
                e.note,
                e.added_by,
                e.added_at.date().isoformat(),
            ]
            for e in rows
        ],
    )


emblem_ref = click.argument("ref", metavar="ID|LABEL")


@emblems.command(name="remove")
@emblem_ref
@json_option
@click.pass_obj
def remove(app: AppContext, ref: str, as_json: bool) -> None:
    """Remove an emblem by id, or every emblem with this label."""
    with emblem_errors(), app.store.begin() as conn:
        removed = lib.remove_emblems(conn, ref)
        _record(conn, "emblem_remove", removed)
    _report(removed, "removed", as_json)


@emblems.command(name="disable")
@emblem_ref
@json_option
@click.pass_obj
def disable(app: AppContext, ref: str, as_json: bool) -> None:
    """Stop looking for an emblem (kept and listed) by id or label."""
    with emblem_errors(), app.store.begin() as conn:
        changed = lib.set_emblems_enabled(conn, ref, enabled=False)
        _record(conn, "emblem_disable", changed)
    _report(changed, "disabled", as_json)


@emblems.command(name="enable")
@emblem_ref
@json_option
@click.pass_obj
def enable(app: AppContext, ref: str, as_json: bool) -> None:
    """Look for a disabled emblem again, by id or label."""
    with emblem_errors(), app.store.begin() as conn:
        changed = lib.set_emblems_enabled(conn, ref, enabled=True)
        _record(conn, "emblem_enable", changed)
    _report(changed, "enabled", as_json)


def _record(conn, action: str, rows: list[lib.Emblem]) -> None:
    for e in rows:
        record_cli(conn, action, "emblem", e.id, {"label": e.label})


def _report(rows: list[lib.Emblem], verb: str, as_json: bool) -> None:
    if as_json:
        emit_json([e.as_dict() for e in rows])
        return
    for e in rows:
        click.echo(f"{verb} emblem {e.id}: {e.label!r} ({e.kind})")


COMMANDS = [emblems]
