"""`watchfloor outlets add|list|remove`: the registry of known outlets that attribution reads.
Thin wrappers over watchfloor.text.outlets. The next `watchfloor analyze` re-attributes.

Exit codes: 0 done; 1 no such outlet; 2 usage error (bad kind, empty name).
"""

from __future__ import annotations

import click

from watchfloor.accounts.edits import record_cli
from watchfloor.cli import AppContext, emit_json, json_option, table
from watchfloor.identity import current_user
from watchfloor.text import outlets as lib


@click.group(name="outlets")
def outlets() -> None:
    """Known outlets (official media offices, news organisations) for attribution."""


@outlets.command(name="add")
@click.argument("name")
@click.option(
    "--kind", type=click.Choice(lib.KINDS), default="official", show_default=True,
    help="official: a group's own media office; news: a news organisation; supporter: a known "
    "supporter channel.",
)  # fmt: skip
@click.option("--handle", "handles", multiple=True, help="A channel handle it posts under.")
@click.option("--alias", "aliases", multiple=True, help="Another name (other script, short).")
@click.option(
    "--watermark", "watermarks", multiple=True,
    help="Label of its watermark emblem, as registered with `emblems add --label`.",
)  # fmt: skip
@click.option(
    "--signature", "signatures", multiple=True,
    help="Text that opens or closes its posts (e.g. 'Northwind Media Office:').",
)  # fmt: skip
@click.option("--note", help="Why it is registered.")
@click.option("--added-by", help="Who adds it [default: the operating-system user name].")
@click.pass_obj
def outlets_add(
    app: AppContext, name, kind, handles, aliases, watermarks, signatures, note, added_by
) -> None:
    """Register an outlet (or replace the one registered under NAME)."""
    outlet = lib.Outlet(name, kind, handles, aliases, watermarks, signatures, note)
    try:
        with app.store.begin() as conn:
            lib.add_outlet(conn, outlet, current_user(added_by))
            record_cli(conn, "outlet_add", "outlet", name, {"kind": kind})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"registered outlet {name!r} ({kind})")


@outlets.command(name="list")
@json_option
@click.pass_obj
def outlets_list(app: AppContext, as_json: bool) -> None:
    """Registered outlets and what identifies them."""
    with app.store.connect() as conn:
        found = lib.list_outlets(conn)
    if as_json:
        emit_json([o.as_dict() for o in found])
        return
    table(
        "Outlets",
        ["name", "kind", "handles", "aliases", "watermarks", "signatures", "note"],
        [
            [
                o.name,
                o.kind,
                ", ".join(o.handles),
                ", ".join(o.aliases),
                ", ".join(o.watermark_labels),
                ", ".join(o.signatures),
                o.note,
            ]
            for o in found
        ],
    )


@outlets.command(name="remove")
@click.argument("name")
@click.pass_obj
def outlets_remove(app: AppContext, name: str) -> None:
    """Remove an outlet from the registry."""
    try:
        with app.store.begin() as conn:
            lib.remove_outlet(conn, name)
            record_cli(conn, "outlet_remove", "outlet", name)
    except lib.OutletError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"removed outlet {name!r}")


COMMANDS = [outlets]
