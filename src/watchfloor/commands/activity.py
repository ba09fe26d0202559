"""`watchfloor activity`: posting activity per channel, with dormancies and surges.

Exit codes: 0 done; 1 no such channel; 2 usage error.
"""

from __future__ import annotations

import click

from watchfloor.cli import AppContext, emit_json, json_option, parse_when, table


def _events(report) -> list[list]:
    rows = []
    for c in report.channels:
        name = c.title or c.channel
        for d in c.dormancies:
            resumed = d.resumed.isoformat() if d.resumed else "(still silent)"
            detail = (
                f"usual long gap {d.baseline_gap_days:.0f} d, threshold {d.threshold_days:.0f} d"
            )
            rows.append([name, "dormancy", d.went_quiet, resumed, d.silent_days, detail])
        for s in c.surges:
            end = s.end.isoformat() + (" (ongoing)" if s.ongoing else "")
            detail = (
                f"{s.posts} posts vs {s.expected:.1f} expected (×{s.factor:.1f}), "
                f"peak {s.peak_posts} on {s.peak}, p={s.p_value:.2g}"
            )
            rows.append([name, "surge", s.start, end, (s.end - s.start).days + 1, detail])
    return rows


@click.command()
@click.argument("channel", required=False)
@click.option("--since", help="First day shown (UTC date or ISO time).")
@click.option("--until", help="Show days before this (UTC date or ISO time).")
@click.option(
    "--by",
    type=click.Choice(["channel", "outlet"]),
    default="channel",
    show_default=True,
    help="One row per channel, or per outlet (for now: channels grouped by attribution).",
)
@json_option
@click.pass_obj
def activity(app: AppContext, channel: str | None, since, until, by: str, as_json: bool) -> None:
    """Posts per day (per week over more than 120 days) as a sparkline, with dormancies (a
    silence far beyond the channel's usual gaps, then posting again) and surges (counts well
    above the channel's weekly rhythm). CHANNEL: a key (telegram:ID), title or handle."""
    from watchfloor.analytics.activity import activity as build
    from watchfloor.analytics.activity_series import sparkline

    with app.store.connect() as conn:
        report = build(conn, channel, since=parse_when(since), until=parse_when(until), by=by)
    if channel is not None and not report.channels:
        raise click.ClickException(f"no channel {channel!r}")
    if as_json:
        emit_json(report.as_dict())
        return
    unit = "week" if any(c.bucket_days > 1 for c in report.channels) else "day"
    table(
        f"Activity {report.start or ''} … {report.end or ''} (posts per {unit})",
        ["channel", "posts", "first", "last", "activity"],
        [
            [c.title or c.channel, c.posts, c.first_post, c.last_post, sparkline(c.counts, 40)]
            for c in report.channels
        ],
    )
    events = _events(report)
    if events:
        table("Dormancies and surges", ["channel", "event", "from", "to", "days", "detail"], events)


COMMANDS = [activity]
