"""Evaluating rules: run each rule's check, record what it found, send what is due.

A (new) alert is due at a sink when that sink has not been sent its current revision: never
tried, a failed attempt (retried on every evaluation until it succeeds or the alert is
acknowledged or dismissed), or the evidence grew since. Deliveries are recorded per
(alert, sink) with status, attempts and the last error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select

from watchfloor.alerts.findings import RuleUnavailable
from watchfloor.alerts.rules import Rule, RuleSet
from watchfloor.alerts.sinks import SinkContext, deliver
from watchfloor.alerts.state import alert_from_row, record_finding
from watchfloor.alerts.types import RULE_TYPES
from watchfloor.alerts.webhook import DeliveryError
from watchfloor.store import Store
from watchfloor.store.dialect import upsert
from watchfloor.store.schema import alert_deliveries, alerts


@dataclass
class RuleOutcome:
    rule: str
    findings: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class EvaluationReport:
    rules: list[RuleOutcome] = field(default_factory=list)
    sent: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.rules)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rules": [r.as_dict() for r in self.rules],
            "new": self.new,
            "updated": sum(r.updated for r in self.rules),
            "sent": self.sent,
            "failed": self.failed,
        }


def evaluate(
    store: Store,
    ruleset: RuleSet,
    *,
    base: Path,
    now: datetime | None = None,
    context: SinkContext | None = None,
    send: bool = True,
) -> EvaluationReport:
    """Evaluate every rule now and send what is due (``base``: where relative file sinks go)."""
    now = now or datetime.now(UTC)
    report = EvaluationReport()
    for rule in ruleset.rules:
        report.rules.append(_evaluate_rule(store, rule, now))
    if send:
        ctx = context or SinkContext(base=base, allow=ruleset.webhook_allow)
        send_due(store, ruleset, ctx, report)
    return report


def _evaluate_rule(store: Store, rule: Rule, now: datetime) -> RuleOutcome:
    outcome = RuleOutcome(rule.id)
    with store.begin() as conn:
        try:
            findings = RULE_TYPES[rule.type].check(conn, rule.params)
        except RuleUnavailable as exc:
            outcome.skipped = str(exc)
            return outcome
        outcome.findings = len(findings)
        for finding in findings:
            result = record_finding(conn, rule, finding, now)
            setattr(outcome, result, getattr(outcome, result) + 1)
    return outcome


def _due(conn, rule: Rule, sink: str) -> list[Any]:
    d = alert_deliveries.c
    joined = alerts.outerjoin(alert_deliveries, and_(d.alert_id == alerts.c.id, d.sink == sink))
    query = (
        select(alerts)
        .select_from(joined)
        .where(alerts.c.rule_id == rule.id, alerts.c.status == "new")
        .where(or_(d.alert_id.is_(None), d.status != "sent", d.revision < alerts.c.revision))
        .order_by(alerts.c.first_fired, alerts.c.id)
    )
    return conn.execute(query).all()


def _attempts_before(conn, alert_id: int, sink: str, revision: int) -> int:
    row = conn.execute(
        select(alert_deliveries.c.attempts, alert_deliveries.c.revision).where(
            alert_deliveries.c.alert_id == alert_id, alert_deliveries.c.sink == sink
        )
    ).first()
    return row.attempts if row is not None and row.revision == revision else 0


def send_due(store: Store, ruleset: RuleSet, ctx: SinkContext, report: EvaluationReport) -> None:
    for rule in ruleset.rules:
        for sink in rule.sinks:
            with store.connect() as conn:
                due = [alert_from_row(row) for row in _due(conn, rule, sink)]
            for alert in due:
                _send_one(store, ruleset.sinks[sink], sink, alert, ctx, report)


def _send_one(store, conf, sink: str, alert, ctx: SinkContext, report) -> None:
    try:
        attempts, status, error = deliver(conf, alert.payload(), ctx), "sent", None
        report.sent += 1
    except DeliveryError as exc:
        attempts, status, error = exc.attempts, "failed", str(exc)
        report.failed.append({"alert": alert.id, "sink": sink, "error": error})
    with store.begin() as conn:
        total = attempts + _attempts_before(conn, alert.id, sink, alert.revision)
        stmt = upsert(
            conn,
            alert_deliveries,
            ["alert_id", "sink"],
            ["revision", "status", "attempts", "error", "updated_at"],
        )
        conn.execute(
            stmt,
            {
                "alert_id": alert.id,
                "sink": sink,
                "revision": alert.revision,
                "status": status,
                "attempts": total,
                "error": error,
                "updated_at": datetime.now(UTC),
            },
        )
