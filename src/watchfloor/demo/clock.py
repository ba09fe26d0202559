"""The exporting machine's clock: EU summer-time rules on a UTC+01:00 base."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A UTC moment (noon unless told otherwise)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def utc_offset(moment: datetime) -> timedelta:
    """UTC+02:00 from the last Sunday of March to the last Sunday of October, else UTC+01:00."""
    start = datetime.combine(_last_sunday(moment.year, 3), time(1), UTC)
    end = datetime.combine(_last_sunday(moment.year, 10), time(1), UTC)
    return timedelta(hours=2 if start <= moment < end else 1)


def local(moment: datetime) -> datetime:
    """The exporter's naive local time for a UTC moment."""
    return (moment + utc_offset(moment)).replace(tzinfo=None)


def offset_label(moment: datetime) -> str:
    hours = int(utc_offset(moment).total_seconds() // 3600)
    return f"UTC+{hours:02d}:00"


def unix_seconds(moment: datetime) -> str:
    return str(int(moment.timestamp()))
