"""Roles, from least to most allowed; each role may do everything the ones before it may."""

from __future__ import annotations

ROLES = ("viewer", "analyst", "admin")
SCOPES = ("read", "write")


class AccountError(ValueError):
    """A bad user name, role, password or token request; the message says what is wrong."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def role_allows(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)
