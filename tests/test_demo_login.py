"""`watchfloor demo --serve` prints a working login; a second run gets a new password."""

from __future__ import annotations

from watchfloor.accounts import users
from watchfloor.demo.login import ensure_demo_login


def test_the_demo_login_works_and_is_renewed(store):
    name, first = ensure_demo_login(store)
    _, second = ensure_demo_login(store)
    assert first != second
    with store.begin() as conn:
        assert users.verify_login(conn, name, first) is None
        user = users.verify_login(conn, name, second)
    assert user is not None and user.role == "admin"
