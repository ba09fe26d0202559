"""Users, their tokens and the audit log for the admin pages and API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from watchfloor.accounts import audit, tokens, users
from watchfloor.accounts.edits import Actor
from watchfloor.accounts.roles import ROLES, AccountError
from watchfloor.web.views.params import BadFilter, Window, page_bounds

MAX_PAGE = 500

__all__ = ["AccountError", "BadFilter"]


def users_view(conn: Connection) -> dict[str, Any]:
    return {
        "users": [u.as_dict() for u in users.list_users(conn)],
        "tokens": [t.as_dict() for t in tokens.list_tokens(conn)],
        "roles": list(ROLES),
    }


def add_user(
    conn: Connection, actor: Actor, name: str, role: str, password: str | None
) -> dict[str, Any]:
    user = users.add_user(conn, name.strip(), role, password or None)
    actor.record(conn, "user_add", "user", user.name, {"role": role})
    return user.as_dict()


def set_role(conn: Connection, actor: Actor, name: str, role: str) -> dict[str, Any]:
    before = users.get_user(conn, name)
    user = users.set_role(conn, name, role)
    actor.record(conn, "user_role", "user", name, {"from": before.role, "to": role})
    return user.as_dict()


def disable_user(conn: Connection, actor: Actor, name: str) -> dict[str, Any]:
    if name == actor.name:
        raise AccountError("you cannot disable yourself")
    user = users.disable_user(conn, name)
    actor.record(conn, "user_disable", "user", name)
    return user.as_dict()


def revoke_token(conn: Connection, actor: Actor, token_id: int) -> dict[str, Any]:
    token = tokens.revoke_token(conn, token_id)
    actor.record(conn, "token_revoke", "token", token_id, {"user": token.user})
    return token.as_dict()


@dataclass
class AuditFilters:
    """The audit log's filters and page (query parameters of the page and the API)."""

    actor: str | None = None
    action: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 100
    offset: int = 0

    def text_filters(self) -> dict[str, str | None]:
        return {
            "actor": self.actor,
            "action": self.action,
            "since": self.since,
            "until": self.until,
        }


def audit_view(conn: Connection, filters: AuditFilters) -> dict[str, Any]:
    """One page of entries, newest first; `until` is a whole day, included. BadFilter for a
    date that does not parse."""
    window = Window.parse(filters.since, filters.until)
    limit, offset = page_bounds(filters.limit, filters.offset, 100, MAX_PAGE)
    entries = audit.list_audit(
        conn,
        actor=filters.actor or None,
        action=filters.action or None,
        since=window.since,
        until=window.until,
        limit=limit + 1,
        offset=offset,
    )
    return {
        "entries": [e.as_dict() for e in entries[:limit]],
        "more": len(entries) > limit,
        "filters": filters.text_filters(),
        "limit": limit,
        "offset": offset,
    }
