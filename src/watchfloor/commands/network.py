"""`watchfloor network ...`: the forward, mention and link graph of channels, discovery leads,
and GEXF/GraphML export.

Exit codes: 0 done; 2 usage error (a bad --alias, an unknown format).
"""

from __future__ import annotations

from pathlib import Path

import click

from watchfloor.cli import AppContext, emit_json, json_option, table


def _when(value: str | None) -> str:
    return (value or "")[:10]


def _aliases(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        handle, sep, key = value.partition("=")
        if not sep or not handle.strip("@ ") or not key.strip():
            raise click.BadParameter(f"{value!r} is not HANDLE=CHANNEL", param_hint="--alias")
        out[handle.strip()] = key.strip()
    return out


def _build(app: AppContext):
    from watchfloor.analytics.network import build_network

    aliases = click.get_current_context().meta.get("network_aliases")  # set by the group
    with app.store.connect() as conn:
        try:
            return build_network(conn, aliases)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc


@click.group(name="network", invoke_without_command=True)
@click.option(
    "--alias",
    "aliases",
    multiple=True,
    metavar="HANDLE=CHANNEL",
    help="A collected channel's own handle (exports do not carry it), e.g. "
    "--alias northwind_office=telegram:1348120101; repeatable.",
)
@json_option
@click.pass_context
def network(ctx: click.Context, aliases: tuple[str, ...], as_json: bool) -> None:
    """Who forwards, @mentions and links (t.me) whom: edges with their count and first and last
    time, from the channel that posted to the one it refers to."""
    app: AppContext = ctx.obj
    ctx.meta["network_aliases"] = _aliases(aliases)
    if ctx.invoked_subcommand is not None:
        return
    net = _build(app)
    if as_json:
        emit_json(net.as_dict())
        return
    label = {k: n.label for k, n in net.nodes.items()}
    table(
        f"Channel network: {len(net.nodes)} channels, {len(net.edges)} edges",
        ["from", "to", "type", "count", "first", "last"],
        [
            [
                label[e.source],
                label[e.target],
                e.type,
                e.count,
                _when(iso(e.first)),
                _when(iso(e.last)),
            ]
            for e in net.sorted_edges()
        ],
    )


def iso(value) -> str | None:
    return None if value is None else value.isoformat()


@network.command(name="leads")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1_000_000))
@json_option
@click.pass_obj
def leads(app: AppContext, limit: int, as_json: bool) -> None:
    """Channels referred to but not collected, by how many collected channels refer to them,
    then how often: candidates to collect next."""
    net = _build(app)
    found = net.leads(limit)
    if as_json:
        emit_json([lead.as_dict() for lead in found])
        return
    table(
        "Discovery leads",
        ["lead", "kind", "channels", "references", "via", "last", "referred to by"],
        [
            [
                lead.label,
                lead.kind,
                lead.channels,
                lead.references,
                ", ".join(lead.types),
                _when(iso(lead.last)),
                ", ".join(net.nodes[k].label for k in lead.referenced_by[:3])
                + (" …" if len(lead.referenced_by) > 3 else ""),
            ]
            for lead in found
        ],
    )


@network.command(name="export")
@click.option(
    "--format", "fmt", type=click.Choice(["gexf", "graphml"]), required=True, help="File format."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="File to write.",
)
@click.pass_obj
def export(app: AppContext, fmt: str, output: Path) -> None:
    """Write the network as GEXF (Gephi) or GraphML: nodes with kind, collected, attribution and
    posts; edges keyed by type with weight (count), first and last."""
    from watchfloor.analytics.network_export import write_network

    graph = write_network(_build(app), output, fmt)
    click.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


COMMANDS = [network]
