"""Rejected input, kept with its reason so nothing disappears silently. Re-runs never duplicate."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, update

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
    added = 0
    for row in rows:
        inserted = conn.execute(
            insert_ignore(conn, quarantine).returning(quarantine.c.id), row
        ).all()
        added += len(inserted)
        if not inserted:
            conn.execute(
                update(quarantine)
                .where(quarantine.c.stage == stage, quarantine.c.source == row["source"])
                .where(quarantine.c.locator == row["locator"], quarantine.c.code == row["code"])
                .values(last_seen=now, reason=row["reason"])
            )
    return added
