"""The targets map and a target's posts: `analytics.target_queries` with links added."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from watchfloor.analytics.target_queries import (
    as_geojson,
    get_target,
    list_targets,
    target_posts,
)
from watchfloor.store import Store
from watchfloor.store.times import iso_utc
from watchfloor.web.views.links import channel_href, post_href, target_href
from watchfloor.web.views.params import BadFilter, Window, page_bounds
from watchfloor.web.views.snapshot import Computed, app_snapshot

KINDS = ("landmark", "city", "country")
MAP_LIMIT = 2000  # targets drawn on the map and listed below it
POSTS_PAGE = 50
MAX_POSTS_PAGE = 500


def _check_kind(kind: str | None) -> str | None:
    kind = (kind or "").strip() or None
    if kind is not None and kind not in KINDS:
        raise BadFilter(f"kind must be one of {', '.join(KINDS)}")
    return kind


@dataclass(frozen=True)
class TargetFilters:
    """What the map shows: evidence in a window, optionally one country or kind of target."""

    window: Window = field(default_factory=Window)
    country: str | None = None
    kind: str | None = None
    limit: int = MAP_LIMIT

    @classmethod
    def parse(
        cls,
        since: str | None = None,
        until: str | None = None,
        country: str | None = None,
        kind: str | None = None,
        limit: int = MAP_LIMIT,
    ) -> TargetFilters:
        return cls(
            Window.parse(since, until),
            (country or "").strip() or None,
            _check_kind(kind),
            page_bounds(limit, 0, MAP_LIMIT, MAP_LIMIT)[0],
        )

    def query(self) -> dict[str, Any]:
        """Keyword arguments of `list_targets` / `targets_geojson`."""
        w = self.window
        return {"since": w.since, "until": w.until, "country": self.country,
                "kind": self.kind, "limit": self.limit}  # fmt: skip

    def as_dict(self) -> dict[str, str | None]:
        return {**self.window.as_dict(), "country": self.country, "kind": self.kind}


def _listed(store: Store, state: Any, filters: TargetFilters) -> Computed[list[dict]]:
    """`list_targets` under these filters, from the app's snapshot (seconds on a large store)."""
    query = filters.query()
    name = ("targets", *sorted(query.items()))
    return app_snapshot(state, name, lambda conn: list_targets(conn, **query)).get(store)


def targets_view(store: Store, state: Any, filters: TargetFilters) -> dict[str, Any]:
    """Targets seen in the window, the most posted first, each with its page's link."""
    listed = _listed(store, state, filters)
    found = [{**t, "href": target_href(t["key"])} for t in listed.value]
    return {
        "targets": found,
        "filters": filters.as_dict(),
        "limit": filters.limit,
        "kinds": list(KINDS),
        "unplaced": sum(1 for t in found if t["lat"] is None or t["lon"] is None),
        "computed_at": iso_utc(listed.at),
        "updating": listed.stale,
    }


def geojson_view(store: Store, state: Any, filters: TargetFilters) -> dict[str, Any]:
    listed = _listed(store, state, filters)
    return as_geojson([{**t, "href": target_href(t["key"])} for t in listed.value])


def target_view(
    conn: Connection, key: str, limit: int = POSTS_PAGE, offset: int = 0
) -> dict[str, Any] | None:
    """One target, one page of its posts (oldest first) with their evidence."""
    target = get_target(conn, key)
    if target is None:
        return None
    limit, offset = page_bounds(limit, offset, POSTS_PAGE, MAX_POSTS_PAGE)
    found = target_posts(conn, key, limit=limit, offset=offset)
    for post in found:
        post["href"] = post_href(post["post_id"])
        post["channel_href"] = channel_href(post["channel_id"])
    return {
        **target,
        "href": target_href(key),
        "posts_page": found,
        "limit": limit,
        "offset": offset,
    }
