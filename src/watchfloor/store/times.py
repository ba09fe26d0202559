"""Stored times are UTC; SQLite hands them back without a zone. One place puts it back."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def iso_utc(value: datetime | None) -> str | None:
    aware = as_utc(value)
    return None if aware is None else aware.isoformat()
