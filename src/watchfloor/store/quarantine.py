"""Rejected input, kept with its reason so nothing disappears silently. Re-runs never duplicate."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, update

from watchfloor.records import Rejected
from watchfloor.store.dialect import insert_ignore
from watchfloor.store.schema import quarantine

MAX_PAYLOAD = 64 * 1024


def quarantine_items(conn: Connection, stage: str, items: list[Rejected]) -> int:
    """Record rejections; returns how many were new (seen before: only last_seen moves)."""
    if not items:
        return 0
    now = datetime.now(UTC)
    rows = [
        {
            "stage": stage,
            "source": r.source,
            "locator": r.locator,
            "code": r.code,
            "reason": r.reason,
            "payload": None if r.payload is None else r.payload[:MAX_PAYLOAD],
            "first_seen": now,
            "last_seen": now,
        }
        for r in items
    ]
    before = conn.execute(select(func.count()).select_from(quarantine)).scalar_one()
    conn.execute(insert_ignore(conn, quarantine), rows)
    after = conn.execute(select(func.count()).select_from(quarantine)).scalar_one()
    for r in items:
        conn.execute(
            update(quarantine)
            .where(quarantine.c.stage == stage, quarantine.c.source == r.source)
            .where(quarantine.c.locator == r.locator, quarantine.c.code == r.code)
            .values(last_seen=now, reason=r.reason)
        )
    return after - before
