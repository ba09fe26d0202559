"""Users, their tokens and the audit log for the admin pages and API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from watchfloor.accounts import audit, tokens, users
from watchfloor.accounts.edits import Actor
from watchfloor.accounts.roles import ROLES, AccountError
from watchfloor.web.views.dates import parse_day

__all__ = ["AccountError"]


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


def audit_view(
    conn: Connection,
    *,
    actor: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of entries, newest first; `until` is a whole day, included. ValueError for a
    date that does not parse."""
    start, end = parse_day(since, "since"), parse_day(until, "until", end_of_day=True)
    entries = audit.list_audit(
        conn,
        actor=actor or None,
        action=action or None,
        since=start,
        until=end,
        limit=limit + 1,
        offset=offset,
    )
    return {
        "entries": [e.as_dict() for e in entries[:limit]],
        "more": len(entries) > limit,
        "filters": {"actor": actor, "action": action, "since": since, "until": until},
        "limit": limit,
        "offset": offset,
    }
