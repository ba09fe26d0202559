"""`watchfloor campaigns`: coordinated campaigns (posts across >= 3 channels within a window
sharing reposted media, an emblem at a target, hashtags or near-identical text).

Exit codes: 0 done; 1 no such campaign; 2 usage error.
"""

from __future__ import annotations

from datetime import timedelta

import click

from watchfloor.cli import AppContext, emit_json, json_option, parse_when, table


def _options(window: float):
    from watchfloor.analytics.campaign_grouping import GroupingOptions

    return GroupingOptions(window=timedelta(days=window), max_span=timedelta(days=3 * window))


def _day(value) -> str:
    return value.isoformat()[:16].replace("T", " ")


def _reason_text(reason: dict) -> str:
    d = reason["detail"]
    what = {
        "repost": lambda: f"{len(d['media'])} image(s), group {d['group'][:12]}",
        "emblem_target": lambda: f"{d['emblem']} at {d['name']}",
        "hashtag": lambda: d["hashtag"],
        "text": lambda: repr(d["text"][:60]),
    }[reason["kind"]]()
    return f"{reason['kind']}: {what} ({d['posts']} posts, {d['channels']} channels)"


window_option = click.option(
    "--window",
    default=7.0,
    show_default=True,
    type=click.FloatRange(0.01, 365),
    help="Days: posts sharing a reason this close in time are linked (a reason used over more "
    "than 3 windows without a break links nothing).",
)


@click.group(name="campaigns", invoke_without_command=True)
@click.option("--since", help="Campaigns active from this time on (UTC date or ISO time).")
@click.option("--until", help="Campaigns that started before this time.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), help="At most this many, newest first.")
@window_option
@json_option
@click.pass_context
def campaigns(ctx: click.Context, since, until, limit, window: float, as_json: bool) -> None:
    """Coordinated campaigns, the most recently started first: posts across at least 3 channels
    within a time window that share reposted media, an emblem at the same target, a hashtag or
    near-identical text."""
    if ctx.invoked_subcommand is not None:
        return
    from watchfloor.analytics.campaigns import list_campaigns

    app: AppContext = ctx.obj
    since, until = parse_when(since), parse_when(until)
    with app.store.connect() as conn:
        found = list_campaigns(conn, since, until, limit, options=_options(window))
    if as_json:
        emit_json([c.as_dict() for c in found])
        return
    table(
        f"Campaigns: {len(found)}",
        ["id", "start", "end", "posts", "channels", "targets", "reasons"],
        [
            [
                c.id,
                _day(c.start),
                _day(c.end),
                c.size,
                len(c.channels),
                ", ".join(t["name"] for t in c.targets[:3]),
                "; ".join(_reason_text(r) for r in c.reasons[:4]),
            ]
            for c in found
        ],
    )


@campaigns.command(name="show")
@click.argument("campaign_id")
@window_option
@json_option
@click.pass_obj
def show(app: AppContext, campaign_id: str, window: float, as_json: bool) -> None:
    """One campaign with its members, channels, targets and reasons. CAMPAIGN_ID: campaign:<hex>
    or the hex alone."""
    from watchfloor.analytics.campaigns import get_campaign

    with app.store.connect() as conn:
        found = get_campaign(conn, campaign_id, options=_options(window))
    if found is None:
        raise click.ClickException(f"no campaign {campaign_id!r}")
    if as_json:
        emit_json(found.as_dict())
        return
    title = {c["key"]: c["title"] or c["key"] for c in found.channels}
    table(
        f"{found.id}: {found.size} posts, {len(found.channels)} channels, "
        f"{_day(found.start)} … {_day(found.end)}",
        ["reason"],
        [[_reason_text(r)] for r in found.reasons],
    )
    if found.targets:
        table("Targets", ["target", "posts"], [[t["name"], t["posts"]] for t in found.targets])
    table(
        "Members",
        ["date", "channel", "post"],
        [[_day(m["date"]), title[m["channel"]], m["key"]] for m in found.members],
    )


COMMANDS = [campaigns]
