"""The read side: `stats`, `channels`, `posts`, `media`, `signals`, `quarantine` (each with --json)."""

from __future__ import annotations

import click

from watchfloor.cli import AppContext, emit_json, json_option, parse_when, table
from watchfloor.store import queries

limit_option = click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(1, 1_000_000)
)


@click.command()
@json_option
@click.pass_obj
def stats(app: AppContext, as_json: bool) -> None:
    """What the workspace holds."""
    with app.store.connect() as conn:
        data = queries.stats(conn)
    if as_json:
        emit_json(data)
        return
    rows = [
        [k, v if not isinstance(v, dict) else ", ".join(f"{a}: {b}" for a, b in v.items()) or "-"]
        for k, v in data.items()
    ]
    table(f"Watchfloor workspace {app.settings.workspace}", ["what", "count"], rows)


@click.command()
@json_option
@click.pass_obj
def channels(app: AppContext, as_json: bool) -> None:
    """Channels and chats, with their post counts and first/last post."""
    with app.store.connect() as conn:
        rows = queries.list_channels(conn)
    if as_json:
        emit_json(rows)
    else:
        table(
            "Channels",
            ["key", "title", "kind", "attribution", "posts", "first", "last"],
            [
                [
                    r["key"],
                    r["title"],
                    r["kind"],
                    r["attribution"],
                    r["posts"],
                    r["first_seen"],
                    r["last_seen"],
                ]
                for r in rows
            ],
        )


@click.command()
@click.option("--channel", help="Channel key (telegram:ID), title or handle.")
@click.option("--since", help="Posts on or after this date (UTC unless a zone is given).")
@click.option("--until", help="Posts before this date.")
@click.option("--search", help="Full-text search (all words must match; Arabic too).")
@limit_option
@json_option
@click.pass_obj
def posts(app: AppContext, channel, since, until, search, limit, as_json) -> None:
    """Posts, newest first."""
    with app.store.connect() as conn:
        rows = queries.list_posts(
            conn,
            channel=channel,
            since=parse_when(since),
            until=parse_when(until),
            search=search,
            limit=limit,
        )
    if as_json:
        emit_json(rows)
    else:
        table(
            "Posts",
            ["date", "channel", "id", "text", "media", "forwarded from"],
            [
                [
                    r["date"],
                    r["channel"],
                    r["message_id"],
                    (r["text"] or "")[:120],
                    len(r["media"]) or "",
                    r["forwarded_from"],
                ]
                for r in rows
            ],
        )


@click.command()
@limit_option
@json_option
@click.pass_obj
def media(app: AppContext, limit: int, as_json: bool) -> None:
    """Media items in the content-addressed store."""
    with app.store.connect() as conn:
        rows = queries.list_media(conn, limit=limit)
    if as_json:
        emit_json(rows)
    else:
        table(
            "Media",
            ["sha256", "mime", "size", "w×h", "posts"],
            [
                [
                    r["sha256"],
                    r["mime"],
                    r["size"],
                    f"{r['width']}×{r['height']}" if r["width"] else "",
                    r["posts"],
                ]
                for r in rows
            ],
        )


@click.command()
@click.option("--kind", help="Only this signal kind (e.g. pdq, md5).")
@click.option("--subject", help="Only this subject (a media SHA-256 or a post key).")
@limit_option
@json_option
@click.pass_obj
def signals(app: AppContext, kind, subject, limit, as_json) -> None:
    """Signals the analyzers emitted."""
    with app.store.connect() as conn:
        rows = queries.list_signals(conn, kind=kind, subject=subject, limit=limit)
    if as_json:
        emit_json(rows)
    else:
        table(
            "Signals",
            ["subject", "analyzer", "kind", "value", "score"],
            [
                [r["subject"][:16], r["analyzer"], r["kind"], str(r["value"])[:90], r["score"]]
                for r in rows
            ],
        )


@click.command()
@click.option("--stage", type=click.Choice(["ingest", "analyze", "banks"]), help="Only one stage.")
@limit_option
@json_option
@click.pass_obj
def quarantine(app: AppContext, stage, limit, as_json) -> None:
    """Input that was rejected, with the reason."""
    with app.store.connect() as conn:
        rows = queries.list_quarantine(conn, stage=stage, limit=limit)
    if as_json:
        emit_json(rows)
    else:
        table(
            "Quarantine",
            ["stage", "source", "where", "code", "reason"],
            [[r["stage"], r["source"], r["locator"], r["code"], r["reason"]] for r in rows],
        )


COMMANDS = [stats, channels, posts, media, signals, quarantine]
