"""Users: a name, a role, an argon2id password hash, a disabled flag and display preferences."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from watchfloor.accounts.roles import AccountError, check_role
from watchfloor.accounts.sessions import end_sessions_of
from watchfloor.store.schema import users
from watchfloor.store.times import as_utc

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,119}$")
MIN_PASSWORD = 12
DEFAULT_PREFS = {"reveal_media": False}
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked when a name is unknown so that a failed login takes as long either way.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: datetime
    prefs: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
            "prefs": self.prefs,
        }


def _user(row: Any) -> User:
    return User(
        id=row.id,
        name=row.name,
        role=row.role,
        disabled=bool(row.disabled),
        created_at=as_utc(row.created_at),
        prefs={**DEFAULT_PREFS, **(row.prefs or {})},
    )


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(conn: Connection, name: str, role: str, password: str | None) -> User:
    """A new user; without a password the user can only use API tokens."""
    if not NAME_PATTERN.match(name):
        raise AccountError(
            f"invalid user name {name!r}: letters, digits and . _ @ - only, 1-120 characters"
        )
    check_role(role)
    if password is not None:
        check_password(password)
    values = {
        "name": name,
        "role": role,
        "password_hash": None if password is None else _hasher.hash(password),
        "created_at": datetime.now(UTC),
        "prefs": dict(DEFAULT_PREFS),
    }
    try:
        conn.execute(users.insert().values(**values))
    except IntegrityError as exc:
        raise AccountError(f"a user named {name!r} already exists") from exc
    return get_user(conn, name)


def get_user(conn: Connection, name: str) -> User:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise AccountError(f"no user named {name!r}")
    return _user(row)


def user_by_id(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else _user(row)


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]


def disable_user(conn: Connection, name: str) -> User:
    """Disabled users cannot log in; their sessions end and their tokens stop working."""
    user = get_user(conn, name)
    conn.execute(
        update(users)
        .where(users.c.id == user.id)
        .values(disabled=True, disabled_at=datetime.now(UTC))
    )
    end_sessions_of(conn, user.id)
    return get_user(conn, name)


def set_role(conn: Connection, name: str, role: str) -> User:
    """A new role; the user's sessions end so that no page keeps the old role's rights."""
    check_role(role)
    user = get_user(conn, name)
    conn.execute(update(users).where(users.c.id == user.id).values(role=role))
    end_sessions_of(conn, user.id)
    return get_user(conn, name)


def set_password(conn: Connection, name: str, password: str) -> None:
    check_password(password)
    user = get_user(conn, name)
    conn.execute(
        update(users).where(users.c.id == user.id).values(password_hash=_hasher.hash(password))
    )


def set_prefs(conn: Connection, user_id: int, **changes: Any) -> dict[str, Any]:
    unknown = set(changes) - set(DEFAULT_PREFS)
    if unknown:
        raise AccountError(f"unknown preference {sorted(unknown)[0]!r}")
    current = user_by_id(conn, user_id)
    if current is None:
        raise AccountError(f"no user with id {user_id}")
    prefs = {**current.prefs, **changes}
    conn.execute(update(users).where(users.c.id == user_id).values(prefs=prefs))
    return prefs


def verify_login(conn: Connection, name: str, password: str) -> User | None:
    """The user when the name and password are right and the user is enabled, else None."""
    row = conn.execute(select(users).where(users.c.name == name)).first()
    stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.password_hash or row.disabled:
        return None
    if _hasher.check_needs_rehash(stored):
        conn.execute(
            update(users).where(users.c.id == row.id).values(password_hash=_hasher.hash(password))
        )
    return _user(row)
