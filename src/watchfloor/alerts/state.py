"""The alerts table: one row per (rule, subject), its evidence, state and deliveries.

Policy: an alert is created ``new`` the first time a rule fires on a subject. Evaluating again
with the same evidence changes nothing. When the evidence changes (grows) the alert's summary,
evidence and severity are updated, ``revision`` and ``count`` go up and ``last_fired`` is set,
whatever its status; only a ``new`` alert is (re)sent. An acknowledged alert is thus kept
current without paging anyone again, and a dismissed alert stays dismissed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from watchfloor.alerts.findings import Finding
from watchfloor.alerts.rules import SEVERITIES, Rule
from watchfloor.identity import current_user
from watchfloor.store.schema import alert_deliveries, alerts
from watchfloor.store.times import as_utc, iso_utc

STATUSES = ("new", "acknowledged", "dismissed")


class AlertError(LookupError):
    """No such alert, or a state it cannot take."""


@dataclass
class Alert:
    id: int
    rule: str
    type: str
    subject: str
    severity: str
    summary: str
    evidence: dict[str, Any]
    revision: int
    status: str
    status_by: str | None
    status_at: datetime | None
    status_note: str | None
    first_fired: datetime
    last_fired: datetime
    count: int
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """What the sinks receive."""
        return {
            "id": self.id,
            "rule": self.rule,
            "type": self.type,
            "severity": self.severity,
            "subject": self.subject,
            "summary": self.summary,
            "status": self.status,
            "revision": self.revision,
            "count": self.count,
            "first_fired": iso_utc(self.first_fired),
            "last_fired": iso_utc(self.last_fired),
            "evidence": self.evidence,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.payload(),
            "status_by": self.status_by,
            "status_at": iso_utc(self.status_at),
            "status_note": self.status_note,
            "deliveries": self.deliveries,
        }


def fingerprint(evidence: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(evidence, option=orjson.OPT_SORT_KEYS)).hexdigest()


def alert_from_row(row: Any, deliveries: list[dict[str, Any]] | None = None) -> Alert:
    return Alert(
        row.id,
        row.rule_id,
        row.rule_type,
        row.subject_key,
        row.severity,
        row.summary,
        row.evidence,
        row.revision,
        row.status,
        row.status_by,
        as_utc(row.status_at) if row.status_at else None,
        row.status_note,
        as_utc(row.first_fired),
        as_utc(row.last_fired),
        row.count,
        deliveries or [],
    )


def record_finding(conn: Connection, rule: Rule, finding: Finding, now: datetime) -> str:
    """Store what a rule found; returns 'new', 'updated' or 'unchanged'."""
    fp = fingerprint(finding.evidence)
    row = conn.execute(
        select(alerts.c.id, alerts.c.fingerprint, alerts.c.severity).where(
            alerts.c.rule_id == rule.id, alerts.c.subject_key == finding.subject
        )
    ).first()
    if row is None:
        conn.execute(
            alerts.insert().values(
                rule_id=rule.id,
                rule_type=rule.type,
                subject_key=finding.subject,
                severity=rule.severity,
                summary=finding.summary,
                evidence=finding.evidence,
                fingerprint=fp,
                revision=1,
                status="new",
                first_fired=now,
                last_fired=now,
                count=1,
            )
        )
        return "new"
    if row.fingerprint == fp:
        if row.severity != rule.severity:  # the rule file changed: no re-fire for that
            conn.execute(
                alerts.update().where(alerts.c.id == row.id).values(severity=rule.severity)
            )
        return "unchanged"
    conn.execute(
        alerts.update()
        .where(alerts.c.id == row.id)
        .values(
            summary=finding.summary,
            evidence=finding.evidence,
            fingerprint=fp,
            severity=rule.severity,
            revision=alerts.c.revision + 1,
            count=alerts.c.count + 1,
            last_fired=now,
        )
    )
    return "updated"


def _deliveries(conn: Connection, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    d = alert_deliveries.c
    for start in range(0, len(ids), 500):
        query = select(alert_deliveries).where(d.alert_id.in_(ids[start : start + 500]))
        for row in conn.execute(query.order_by(d.alert_id, d.sink)):
            out[row.alert_id].append(
                {
                    "sink": row.sink,
                    "status": row.status,
                    "attempts": row.attempts,
                    "revision": row.revision,
                    "error": row.error,
                    "updated_at": iso_utc(row.updated_at),
                }
            )
    return out


def _filtered(query, status: str | None, severity: str | None, rule: str | None):
    if status:
        query = query.where(alerts.c.status == status)
    if severity:
        query = query.where(alerts.c.severity.in_(SEVERITIES[SEVERITIES.index(severity) :]))
    if rule:
        query = query.where(alerts.c.rule_id == rule)
    return query


def list_alerts(
    conn: Connection,
    status: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Alert]:
    """Alerts, the latest fired first; ``severity`` keeps that severity and above."""
    query = _filtered(select(alerts), status, severity, rule)
    query = query.order_by(alerts.c.last_fired.desc(), alerts.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query.offset(offset) if offset else query).all()
    found = _deliveries(conn, [r.id for r in rows])
    return [alert_from_row(r, found[r.id]) for r in rows]


def count_alerts(
    conn: Connection,
    status: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
) -> int:
    """How many alerts `list_alerts` would give without a limit."""
    query = _filtered(select(func.count()).select_from(alerts), status, severity, rule)
    return conn.execute(query).scalar_one()


def alert_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """Alerts per severity (highest first) and status, zeros included."""
    out = {sev: dict.fromkeys(STATUSES, 0) for sev in reversed(SEVERITIES)}
    query = select(alerts.c.severity, alerts.c.status, func.count()).group_by(
        alerts.c.severity, alerts.c.status
    )
    for severity, status, n in conn.execute(query):
        out.setdefault(severity, dict.fromkeys(STATUSES, 0))[status] = n
    return out


def alert_rules(conn: Connection) -> list[str]:
    """The rule ids that have fired, for filters."""
    query = select(alerts.c.rule_id).distinct().order_by(alerts.c.rule_id)
    return list(conn.execute(query).scalars())


def get_alert(conn: Connection, alert_id: int, *, for_update: bool = False) -> Alert:
    """``for_update``: lock the row until the transaction ends (PostgreSQL), so that a status
    read before changing it is still the status when the change is written."""
    query = select(alerts).where(alerts.c.id == alert_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise AlertError(f"no alert {alert_id}")
    return alert_from_row(row, _deliveries(conn, [row.id])[row.id])


def set_status(
    conn: Connection,
    alert_id: int,
    status: str,
    by: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Alert:
    """Acknowledge or dismiss an alert (or set it back to new), recording who, when and why."""
    if status not in STATUSES:
        raise AlertError(f"status must be one of {', '.join(STATUSES)}")
    get_alert(conn, alert_id)
    conn.execute(
        alerts.update()
        .where(alerts.c.id == alert_id)
        .values(
            status=status,
            status_by=current_user(by),
            status_note=note,
            status_at=now or datetime.now(UTC),
        )
    )
    return get_alert(conn, alert_id)
