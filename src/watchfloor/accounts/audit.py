"""The audit log: logins, content reveals, alert state changes, and edits of reference data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from watchfloor.store.schema import audit_log
from watchfloor.store.times import as_utc, iso_utc

ORIGINS = ("cli", "web", "api")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target_kind: str | None
    target_id: str | None
    detail: dict[str, Any] | None
    origin: str
    ip: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": iso_utc(self.at),
            "actor": self.actor,
            "action": self.action,
            "target_kind": self.target_kind,
            "target_id": self.target_id,
            "detail": self.detail,
            "origin": self.origin,
            "ip": self.ip,
        }


def record(
    conn: Connection,
    actor: str,
    action: str,
    *,
    target_kind: str | None = None,
    target_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    origin: str = "cli",
    ip: str | None = None,
) -> None:
    """One audit entry, written in the caller's transaction so it lands with the change itself."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
    conn.execute(
        audit_log.insert().values(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            target_kind=target_kind,
            target_id=None if target_id is None else str(target_id),
            detail=detail,
            origin=origin,
            ip=ip,
        )
    )


def list_audit(
    conn: Connection,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    target_kind: str | None = None,
    target_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Entries, newest first; ``until`` is exclusive."""
    query = (
        select(audit_log)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if action:
        query = query.where(audit_log.c.action == action)
    if since:
        query = query.where(audit_log.c.at >= since)
    if until:
        query = query.where(audit_log.c.at < until)
    if target_kind:
        query = query.where(audit_log.c.target_kind == target_kind)
    if target_id:
        query = query.where(audit_log.c.target_id == target_id)
    return [
        AuditEntry(
            r.id,
            as_utc(r.at),
            r.actor,
            r.action,
            r.target_kind,
            r.target_id,
            r.detail,
            r.origin,
            r.ip,
        )
        for r in conn.execute(query)
    ]
