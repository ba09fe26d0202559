"""API tokens for scripts: scoped (read, write), revocable, optionally expiring; stored hashed.

A token reads ``wf_<random>``; only its SHA-256 is kept, so a database leak does not leak tokens.
A token never allows more than its user's role: a ``write`` token of a viewer still only reads.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from watchfloor.accounts.roles import SCOPES, AccountError
from watchfloor.accounts.users import get_user
from watchfloor.store.schema import api_tokens, users
from watchfloor.store.times import as_utc, iso_utc

PREFIX = "wf_"


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "name": self.name,
            "scopes": list(self.scopes),
            "created_at": iso_utc(self.created_at),
            "expires_at": iso_utc(self.expires_at),
            "last_used_at": iso_utc(self.last_used_at),
            "revoked_at": iso_utc(self.revoked_at),
        }


@dataclass(frozen=True)
class TokenOwner:
    user_id: int
    user_name: str
    role: str
    scopes: tuple[str, ...]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(text: str | list[str]) -> tuple[str, ...]:
    parts = text.split(",") if isinstance(text, str) else text
    scopes = tuple(sorted({p.strip() for p in parts if p.strip()}))
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise AccountError(f"scopes must be some of {', '.join(SCOPES)}, not {text!r}")
    return scopes


def create_token(
    conn: Connection, user_name: str, name: str, scopes: str, days: int | None = None
) -> tuple[TokenInfo, str]:
    """The new token's record and its secret, which is shown this once and never stored."""
    user = get_user(conn, user_name)
    if user.disabled:
        raise AccountError(f"user {user_name!r} is disabled")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    result = conn.execute(
        api_tokens.insert().values(
            user_id=user.id,
            name=name,
            token_hash=_digest(secret),
            scopes=",".join(parse_scopes(scopes)),
            created_at=now,
            expires_at=None if days is None else now + timedelta(days=days),
        )
    )
    return get_token(conn, result.inserted_primary_key[0]), secret


def _info(row: Any) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        user=row.user_name,
        name=row.name,
        scopes=tuple(row.scopes.split(",")),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        last_used_at=as_utc(row.last_used_at),
        revoked_at=as_utc(row.revoked_at),
    )


def _query():
    return select(api_tokens, users.c.name.label("user_name")).join(
        users, users.c.id == api_tokens.c.user_id
    )


def get_token(conn: Connection, token_id: int) -> TokenInfo:
    row = conn.execute(_query().where(api_tokens.c.id == token_id)).first()
    if row is None:
        raise AccountError(f"no token with id {token_id}")
    return _info(row)


def list_tokens(conn: Connection, user_name: str | None = None) -> list[TokenInfo]:
    query = _query().order_by(api_tokens.c.id)
    if user_name:
        query = query.where(users.c.name == user_name)
    return [_info(r) for r in conn.execute(query)]


def revoke_token(conn: Connection, token_id: int) -> TokenInfo:
    get_token(conn, token_id)
    conn.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return get_token(conn, token_id)


def authenticate_token(conn: Connection, secret: str) -> TokenOwner | None:
    """Who a presented token acts for, or None if it is unknown, revoked, expired or disabled."""
    if not secret.startswith(PREFIX):
        return None
    row = conn.execute(
        select(api_tokens, users.c.name.label("user_name"), users.c.role, users.c.disabled)
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.token_hash == _digest(secret))
    ).first()
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or row.disabled:
        return None
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        return None
    conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
    return TokenOwner(row.user_id, row.user_name, row.role, tuple(row.scopes.split(",")))
