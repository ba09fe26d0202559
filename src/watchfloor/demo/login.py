"""The demo's web login: an admin named `demo` with a fresh random password each run."""

from __future__ import annotations

import secrets

from watchfloor.accounts import audit, users
from watchfloor.accounts.roles import AccountError
from watchfloor.identity import current_user
from watchfloor.store import Store

DEMO_USER = "demo"


def ensure_demo_login(store: Store) -> tuple[str, str]:
    """(name, password) of the demo admin; an existing demo user gets a new password."""
    password = secrets.token_urlsafe(12)
    with store.begin() as conn:
        try:
            users.get_user(conn, DEMO_USER)
        except AccountError:
            users.add_user(conn, DEMO_USER, "admin", password)
            action = "user_add"
        else:
            users.set_password(conn, DEMO_USER, password)
            action = "user_password"
        audit.record(conn, current_user(), action, target_kind="user", target_id=DEMO_USER)
    return DEMO_USER, password
