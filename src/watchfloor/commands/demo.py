"""`watchfloor demo`."""

from __future__ import annotations

import os
import sys

import click

from watchfloor.cli import AppContext, emit_json, json_option, progress_bar, table, workers_option


@click.command()
@click.option(
    "--seed",
    default=2018,
    show_default=True,
    help="Seed of the synthetic corpus (same seed, same bytes).",
)
@workers_option
@click.option("--serve", is_flag=True, help="Then serve the dashboard, with a demo login printed.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for --serve.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@json_option
@click.pass_obj
def demo(
    app: AppContext,
    seed: int,
    workers: int | None,
    serve: bool,
    host: str,
    port: int,
    as_json: bool,
) -> None:
    """Generate a synthetic demo corpus in the workspace, ingest and analyse it, and summarise."""
    from watchfloor.demo.runner import run_demo  # the corpus generator is heavy to import

    with progress_bar(sys.stderr.isatty()) as update:
        summary = run_demo(
            app.store,
            app.settings,
            seed=seed,
            workers=workers or os.cpu_count() or 1,
            on_progress=update,
        )
    if as_json:
        emit_json(summary)
    else:
        print_summary(app, summary)
    if serve:
        serve_demo(app, host, port)


def serve_demo(app: AppContext, host: str, port: int) -> None:
    import uvicorn

    from watchfloor.demo.login import ensure_demo_login
    from watchfloor.web.app import create_app

    name, password = ensure_demo_login(app.store)
    web_app = create_app(app.settings, app.store)
    click.echo(f"\nDashboard: http://{host}:{port}  (log in as {name} / {password}; Ctrl-C stops)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


def print_summary(app: AppContext, summary: dict) -> None:
    table(
        "Demo channels",
        ["key", "title", "posts", "first", "last"],
        [
            [c["key"], c["title"], c["posts"], c["first_seen"], c["last_seen"]]
            for c in summary["channels"]
        ],
    )
    table(
        "Analysis",
        ["analyzer", "subjects", "ok", "rejected", "errors", "signals"],
        [
            [a["analyzer"], a["considered"], a["ok"], a["rejected"], a["errors"], a["signals"]]
            for a in summary["analysis"]
        ],
    )
    if "reposts" in summary:
        r = summary["reposts"]
        click.echo(
            f"Repost groups: {r['groups']} ({r['grouped_media']} images); see `watchfloor reposts`."
        )
    if summary.get("emblems"):
        shown = ", ".join(f"{label} in {n} images" for label, n in summary["emblems"].items())
        click.echo(f"Emblems: {shown}; see `watchfloor signals --kind emblem`.")
    if summary.get("targets"):
        table(
            "Targets (places shown or named)",
            ["target", "city", "country", "posts", "first", "last", "evidence"],
            [
                [
                    t["name"],
                    t.get("city") or "",
                    t.get("country") or "",
                    t["posts"],
                    t.get("first_seen") or "",
                    t.get("last_seen") or "",
                    ", ".join(t.get("evidence_kinds") or []),
                ]
                for t in summary["targets"][:12]
            ],
        )
    if summary.get("alerts"):
        table(
            "Alerts (example rules; also in <workspace>/alerts/alerts.jsonl)",
            ["id", "severity", "rule", "summary"],
            [[a["id"], a["severity"], a["rule"], a["summary"]] for a in summary["alerts"][:15]],
        )
    s = summary["stats"]
    click.echo(
        f"Workspace {app.settings.workspace}: {s['channels']} channels, {s['posts']} posts, {s['media']} media items, "
        f"{sum(s['signals'].values())} signals, {s['quarantined']} quarantined (the corpus holds deliberately bad input: "
        "see `watchfloor quarantine`)."
    )


COMMANDS = [demo]
