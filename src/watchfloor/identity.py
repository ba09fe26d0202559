"""Who is acting, for the ``added_by`` and ``status_by`` columns of analyst edits."""

from __future__ import annotations

import getpass


def current_user(explicit: str | None = None) -> str:
    """``explicit`` when given, else the operating-system user name, else ``unknown``."""
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
