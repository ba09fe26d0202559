"""`watchfloor reposts`: repost groups with their spread over time."""

from __future__ import annotations

import click

from watchfloor.cli import AppContext, emit_json, json_option, table


def _when(post: dict | None) -> str:
    if not post:
        return ""
    return f"{post['date'][:16].replace('T', ' ')} {post['title'] or post['channel']}"


def _path(spread: list[dict]) -> str:
    names = [s["title"] or s["channel"] for s in spread]
    shown = " → ".join(names[:4])
    return shown + (f" (+{len(names) - 4})" if len(names) > 4 else "")


@click.command()
@click.option(
    "--min-size",
    default=2,
    show_default=True,
    type=click.IntRange(2, 1_000_000),
    help="Only groups of at least this many distinct images.",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1_000_000))
@json_option
@click.pass_obj
def reposts(app: AppContext, min_size: int, limit: int, as_json: bool) -> None:
    """Groups of reposts of the same picture (cropped, scaled, re-encoded, captioned), the most
    posted first, with where each was first seen and how it spread (run `watchfloor analyze`
    first)."""
    from watchfloor.analytics.repost_groups import list_repost_groups

    with app.store.connect() as conn:
        groups = list_repost_groups(conn, min_size=min_size, limit=limit)
    if as_json:
        emit_json(groups)
        return
    table(
        "Repost groups",
        ["group", "images", "posts", "channels", "first seen", "last seen", "forwards", "spread"],
        [
            [
                g["group"][:12],
                g["media"],
                g["posts"],
                g["channels"],
                _when(g["first_seen"]),
                _when(g["last_seen"]),
                len(g["forwards"]),
                _path(g["spread"]),
            ]
            for g in groups
        ],
    )


COMMANDS = [reposts]
