"""`watchfloor alerts ...` and `watchfloor watch`: thin wrappers over watchfloor.alerts.

Exit codes: 0 done; 1 no such alert, or some deliveries failed (they are retried on the next
evaluation); 2 usage error or an invalid rules file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from watchfloor.alerts.engine import EvaluationReport, evaluate
from watchfloor.alerts.rules import SEVERITIES, RulesError, RuleSet, example_rules_path, load_rules
from watchfloor.alerts.state import STATUSES, AlertError, list_alerts, set_status
from watchfloor.cli import AppContext, emit_json, json_option, table
from watchfloor.config import Settings

rules_option = click.option(
    "--rules",
    "rules_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rules file [default: <workspace>/rules.yaml if present, else the shipped examples].",
)


def rules_for(settings: Settings, path: Path | None) -> RuleSet:
    if path is None:
        own = settings.workspace / "rules.yaml"
        path = own if own.is_file() else example_rules_path()
    try:
        return load_rules(path)
    except RulesError as exc:
        raise click.UsageError(f"invalid rules file:\n{exc}") from exc


@click.group(name="alerts", invoke_without_command=True)
@click.option("--status", type=click.Choice(STATUSES), help="Only alerts in this state.")
@click.option("--severity", type=click.Choice(SEVERITIES), help="Only this severity and above.")
@click.option("--rule", help="Only alerts of this rule id.")
@click.option("--limit", type=click.IntRange(1, None), help="Show at most this many.")
@json_option
@click.pass_context
def alerts(ctx: click.Context, status, severity, rule, limit, as_json: bool) -> None:
    """Alerts fired by the rules, latest first (or a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    with app.store.connect() as conn:
        found = list_alerts(conn, status=status, severity=severity, rule=rule, limit=limit)
    if as_json:
        emit_json([a.as_dict() for a in found])
        return
    table(
        "Alerts",
        ["id", "severity", "status", "rule", "last fired", "count", "summary"],
        [
            [
                a.id,
                a.severity,
                a.status,
                a.rule,
                a.last_fired.strftime("%Y-%m-%d %H:%M"),
                a.count,
                a.summary,
            ]
            for a in found
        ],
    )


def _set(app: AppContext, alert_id: int, status: str, note: str | None, by: str | None) -> None:
    try:
        with app.store.begin() as conn:
            alert = set_status(conn, alert_id, status, by=by, note=note)
    except AlertError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"alert {alert.id} {alert.status}: {alert.summary}")


note_option = click.option("--note", help="Why (kept with the alert).")
by_option = click.option("--by", help="Who [default: the operating-system user name].")


@alerts.command(name="ack")
@click.argument("alert_id", metavar="ID", type=int)
@note_option
@by_option
@click.pass_obj
def ack(app: AppContext, alert_id: int, note: str | None, by: str | None) -> None:
    """Acknowledge an alert: kept up to date, not sent again."""
    _set(app, alert_id, "acknowledged", note, by)


@alerts.command(name="dismiss")
@click.argument("alert_id", metavar="ID", type=int)
@note_option
@by_option
@click.pass_obj
def dismiss(app: AppContext, alert_id: int, note: str | None, by: str | None) -> None:
    """Dismiss an alert: it stays dismissed when the rule fires on the subject again."""
    _set(app, alert_id, "dismissed", note, by)


def print_evaluation(report: EvaluationReport) -> None:
    table(
        "Rules",
        ["rule", "findings", "new", "updated", "unchanged", "note"],
        [
            [r.rule, r.findings, r.new, r.updated, r.unchanged, r.skipped or ""]
            for r in report.rules
        ],
    )
    click.echo(f"sent {report.sent}, failed {len(report.failed)}")
    for failure in report.failed:
        click.echo(f"  alert {failure['alert']} -> {failure['sink']}: {failure['error']}", err=True)


@alerts.command(name="evaluate")
@rules_option
@click.option("--no-send", is_flag=True, help="Record alerts without sending them.")
@json_option
@click.pass_obj
def evaluate_(app: AppContext, rules_file: Path | None, no_send: bool, as_json: bool) -> None:
    """Evaluate the rules now, record alerts and send those due."""
    ruleset = rules_for(app.settings, rules_file)
    report = evaluate(app.store, ruleset, base=app.settings.workspace, send=not no_send)
    if as_json:
        emit_json(report.as_dict())
    else:
        print_evaluation(report)
    if report.failed:
        sys.exit(1)


@alerts.group(name="rules")
def rules() -> None:
    """Alert rule files."""


@rules.command(name="check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def check(file: Path, as_json: bool) -> None:
    """Validate a rules file; every mistake is listed with its line."""
    try:
        ruleset = load_rules(file)
    except RulesError as exc:
        if as_json:
            emit_json({"valid": False, "problems": exc.problems})
        else:
            click.echo("\n".join(exc.problems), err=True)
        sys.exit(2)
    if as_json:
        emit_json(
            {"valid": True, "rules": [r.id for r in ruleset.rules], "sinks": sorted(ruleset.sinks)}
        )
        return
    click.echo(f"{file}: {len(ruleset.rules)} rules, {len(ruleset.sinks)} sinks, valid")


COMMANDS = [alerts]
