"""Who made an edit of reference data, and its audit entry.

Banks, emblems, gallery, outlets and rules are edited from the command line, the web app and
the API; each edit records one audit entry (action ``<area>_<verb>``) in the transaction of the
change itself, naming the acting person and where the edit came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from watchfloor.accounts import audit
from watchfloor.identity import current_user


@dataclass(frozen=True)
class Actor:
    name: str
    origin: str = "cli"  # cli, web or api
    ip: str | None = None

    @classmethod
    def cli(cls) -> Actor:
        """The operating-system user running a command."""
        return cls(current_user())

    def record(
        self,
        conn: Connection,
        action: str,
        target_kind: str,
        target_id: str | int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        audit.record(
            conn,
            self.name,
            action,
            target_kind=target_kind,
            target_id=target_id,
            detail=detail,
            origin=self.origin,
            ip=self.ip,
        )


def record_cli(
    conn: Connection,
    action: str,
    target_kind: str,
    target_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """An audit entry for an edit made with a `watchfloor` command."""
    Actor.cli().record(conn, action, target_kind, target_id, detail)
