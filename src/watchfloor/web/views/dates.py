"""Dates typed into filter forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def parse_day(value: str | None, name: str, *, end_of_day: bool = False) -> datetime | None:
    """A date or date-time (UTC unless it says otherwise); a bare date as an end bound means
    the end of that day. ValueError naming the field otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a date like 2018-01-31") from None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if end_of_day and len(value) == 10:
        parsed += timedelta(days=1)
    return parsed
