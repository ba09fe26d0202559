"""`watchfloor targets`: places shown or named in posts, with their evidence."""

from __future__ import annotations

import click

from watchfloor.cli import AppContext, emit_json, json_option, parse_when, table


def _day(value: str | None) -> str:
    return (value or "")[:16].replace("T", " ")


def _coordinates(t: dict) -> str:
    return "" if t["lat"] is None else f"{t['lat']:.4f}, {t['lon']:.4f}"


@click.group(invoke_without_command=True)
@click.option("--since", help="Only evidence from posts on or after this date (2018-01-31).")
@click.option("--until", help="Only evidence from posts before this date.")
@click.option("--country", help="Only targets in this country (ISO code or name).")
@click.option(
    "--kind",
    type=click.Choice(["landmark", "city", "country"]),
    help="Only targets of this kind.",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000_000))
@json_option
@click.option("--geojson", is_flag=True, help="Print a GeoJSON FeatureCollection of points.")
@click.pass_context
def targets(ctx: click.Context, since, until, country, kind, limit, as_json, geojson) -> None:
    """Places shown (landmark, EXIF) or named (text) in posts, the most posted first, with
    first and last seen and the kinds of evidence (run `watchfloor analyze` first)."""
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    filters = {
        "since": parse_when(since),
        "until": parse_when(until),
        "country": country,
        "kind": kind,
        "limit": limit,
    }
    from watchfloor.analytics.target_queries import list_targets, targets_geojson

    with app.store.connect() as conn:
        if geojson:
            emit_json(targets_geojson(conn, **filters))
            return
        found = list_targets(conn, **filters)
    if as_json:
        emit_json(found)
        return
    table(
        "Targets",
        [
            "key",
            "name",
            "city",
            "country",
            "lat, lon",
            "first seen",
            "last seen",
            "posts",
            "evidence",
        ],
        [
            [
                t["key"],
                t["name"],
                t["city"],
                t["country"],
                _coordinates(t),
                _day(t["first_seen"]),
                _day(t["last_seen"]),
                t["posts"],
                ", ".join(t["evidence_kinds"]),
            ]
            for t in found
        ],
    )


@targets.command(name="show")
@click.argument("key")
@json_option
@click.pass_obj
def show(app: AppContext, key: str, as_json: bool) -> None:
    """One target and the posts that show or name it, each with its evidence."""
    from watchfloor.analytics.target_queries import get_target, target_posts

    with app.store.connect() as conn:
        target = get_target(conn, key)
        if target is None:
            raise click.ClickException(f"no target {key!r} (see `watchfloor targets`)")
        found = target_posts(conn, key)
    if as_json:
        emit_json({"target": target, "posts": found})
        return
    where = ", ".join(v for v in (target["city"], target["country"]) if v)
    click.echo(
        f"{target['name']} ({target['kind']}{'; ' + where if where else ''}): "
        f"{target['posts']} posts, {_day(target['first_seen'])} to {_day(target['last_seen'])}"
    )
    table(
        f"Posts showing or naming {target['name']}",
        ["date", "channel", "message", "evidence", "text"],
        [
            [
                _day(p["date"]),
                p["title"] or p["channel"],
                p["message_id"],
                "; ".join(_evidence_text(e) for e in p["evidence"]),
                p["text"][:80],
            ]
            for p in found
        ],
    )


def _evidence_text(e: dict) -> str:
    detail = e["detail"] or {}
    if e["kind"] == "visual":
        return f"visual ({detail.get('inliers', '?')} inliers)"
    if e["kind"] == "exif":
        return f"exif ({detail.get('distance_km', '?')} km)"
    return f"{e['kind']} ({detail.get('span') or ''})"


COMMANDS = [targets]
