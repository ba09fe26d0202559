"""Browser sessions: a random cookie value whose hash is stored, with its CSRF token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, select

from watchfloor.store.schema import users, web_sessions

SESSION_HOURS = 12


@dataclass(frozen=True)
class SessionInfo:
    user_id: int
    user_name: str
    role: str
    csrf_token: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_session(conn: Connection, user_id: int, hours: int = SESSION_HOURS) -> tuple[str, str]:
    """(cookie value, CSRF token) of a new session; only the cookie's hash is stored."""
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    conn.execute(
        web_sessions.insert().values(
            id_hash=_digest(cookie),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return cookie, csrf


def find_session(conn: Connection, cookie: str) -> SessionInfo | None:
    """The live session of an enabled user for this cookie value, else None."""
    row = conn.execute(
        select(web_sessions, users.c.name, users.c.role, users.c.disabled)
        .join(users, users.c.id == web_sessions.c.user_id)
        .where(web_sessions.c.id_hash == _digest(cookie))
    ).first()
    if row is None or row.disabled:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC):
        return None
    return SessionInfo(row.user_id, row.name, row.role, row.csrf_token)


def end_session(conn: Connection, cookie: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == _digest(cookie)))


def end_sessions_of(conn: Connection, user_id: int) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def purge_expired(conn: Connection) -> int:
    result = conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < datetime.now(UTC)))
    return result.rowcount or 0
