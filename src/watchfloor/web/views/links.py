"""Where each kind of thing lives in the web app, so pages link to one another consistently."""

from __future__ import annotations

from urllib.parse import quote


def post_href(post_id: int) -> str:
    return f"/posts/{int(post_id)}"


def channel_href(channel_id: int) -> str:
    return f"/channels/{int(channel_id)}"


def target_href(key: str) -> str:
    return f"/targets/{quote(key, safe=':')}"


def campaign_href(campaign_id: str, at: str | None = None) -> str:
    """`at` (the campaign's start, ISO) lets the page group only the posts around it."""
    path = f"/campaigns/{quote(campaign_id, safe=':')}"
    return path if at is None else f"{path}?at={quote(at)}"


def alert_href(alert_id: int) -> str:
    return f"/alerts/{int(alert_id)}"
