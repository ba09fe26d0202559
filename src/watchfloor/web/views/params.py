"""Query parameters shared by the pages and the API: dates and paging, validated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class BadFilter(ValueError):
    """A filter value a page or API call cannot use (shown to the user, a 422 in the API)."""


@dataclass(frozen=True)
class Window:
    """[since, until) in UTC; a bare date as `until` means through the end of that day."""

    since: datetime | None = None
    until: datetime | None = None
    since_text: str = ""
    until_text: str = ""

    @classmethod
    def parse(cls, since: str | None, until: str | None) -> Window:
        start, end = _when(since, "since"), _when(until, "until")
        if end is not None and until and len(until.strip()) == 10:
            end += timedelta(days=1)
        if start is not None and end is not None and end <= start:
            raise BadFilter("'until' must come after 'since'")
        return cls(start, end, (since or "").strip(), (until or "").strip())

    def as_dict(self) -> dict[str, str | None]:
        return {"since": self.since_text or None, "until": self.until_text or None}


def _when(value: str | None, name: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadFilter(f"{name}: {value!r} is not a date like 2018-01-31") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def page_bounds(limit: int, offset: int, default: int, most: int) -> tuple[int, int]:
    """A limit within [1, most] (`default` when not positive) and an offset >= 0."""
    return (min(limit, most) if limit > 0 else default), max(offset, 0)


def next_page(rows: list, limit: int, offset: int) -> dict:
    """A page from `limit` + 1 rows read: the first `limit` rows, and the offset of the next
    page (None on the last)."""
    return {
        "rows": rows[:limit],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(rows) > limit else None,
    }
