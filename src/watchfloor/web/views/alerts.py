"""The alerts inbox: filtered pages of alerts, one alert with the links its evidence names,
and status changes (audited in the same transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from watchfloor.accounts import audit
from watchfloor.alerts.rules import SEVERITIES
from watchfloor.alerts.state import (
    STATUSES,
    Alert,
    AlertError,
    alert_counts,
    alert_rules,
    count_alerts,
    get_alert,
    list_alerts,
    set_status,
)
from watchfloor.web.views.evidence_links import evidence_links
from watchfloor.web.views.links import alert_href
from watchfloor.web.views.params import BadFilter, page_bounds

PAGE = 50
MAX_PAGE = 500
NOTE_MAX = 2000


@dataclass(frozen=True)
class AlertFilters:
    status: str | None = None
    severity: str | None = None
    rule: str | None = None

    @classmethod
    def parse(cls, status: str | None, severity: str | None, rule: str | None) -> AlertFilters:
        status, severity, rule = (v.strip() if v else None for v in (status, severity, rule))
        if status and status not in STATUSES:
            raise BadFilter(f"status must be one of {', '.join(STATUSES)}")
        if severity and severity not in SEVERITIES:
            raise BadFilter(f"severity must be one of {', '.join(SEVERITIES)}")
        return cls(status or None, severity or None, rule or None)

    def as_dict(self) -> dict[str, str | None]:
        return {"status": self.status, "severity": self.severity, "rule": self.rule}


def alert_summary(alert: Alert) -> dict[str, Any]:
    """An alert as listed: everything but the evidence and deliveries."""
    out = alert.as_dict()
    for heavy in ("evidence", "deliveries"):
        out.pop(heavy, None)
    out["href"] = alert_href(alert.id)
    return out


def alerts_page(
    conn: Connection, filters: AlertFilters, limit: int = PAGE, offset: int = 0
) -> dict[str, Any]:
    limit, offset = page_bounds(limit, offset, PAGE, MAX_PAGE)
    found = list_alerts(conn, **filters.as_dict(), limit=limit, offset=offset)
    return {
        "alerts": [alert_summary(a) for a in found],
        "total": count_alerts(conn, **filters.as_dict()),
        "limit": limit,
        "offset": offset,
        "filters": filters.as_dict(),
        "rules": alert_rules(conn),
        "statuses": list(STATUSES),
        "severities": list(reversed(SEVERITIES)),
    }


def alert_view(conn: Connection, alert_id: int) -> dict[str, Any] | None:
    """One alert with its evidence, deliveries and the things its evidence names."""
    try:
        alert = get_alert(conn, alert_id)
    except AlertError:
        return None
    return {
        **alert.as_dict(),
        "href": alert_href(alert.id),
        "links": evidence_links(conn, alert.subject, alert.evidence),
    }


def change_status(
    conn: Connection,
    alert_id: int,
    status: str,
    note: str | None,
    *,
    actor: str,
    origin: str,
    ip: str | None,
) -> dict[str, Any]:
    """Set the alert's status and record it in the audit log; AlertError when there is no
    such alert or status."""
    note = (note or "").strip()[:NOTE_MAX] or None
    before = get_alert(conn, alert_id, for_update=True).status  # concurrent changes queue
    alert = set_status(conn, alert_id, status, by=actor, note=note)
    audit.record(
        conn,
        actor,
        "alert_status",
        target_kind="alert",
        target_id=alert_id,
        detail={"from": before, "to": status, "note": note},
        origin=origin,
        ip=ip,
    )
    return alert_summary(alert)


def severity_counts(conn: Connection) -> list[dict[str, Any]]:
    """Per severity (highest first): new, acknowledged, dismissed and total."""
    return [
        {"severity": sev, **counts, "total": sum(counts.values())}
        for sev, counts in alert_counts(conn).items()
    ]
