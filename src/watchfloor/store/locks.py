"""Locks that several processes on one database respect, and that die with their holder.

On PostgreSQL these are advisory locks: a transaction-scoped one is released at commit or
rollback, a session-scoped one when its connection closes, which a killed process's connection
does at once, so no lock outlives a crash. SQLite already lets one writer at a time; a whole-run
lock there is an ``flock`` on a file in the workspace, which the kernel releases when the
process dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

if TYPE_CHECKING:
    from watchfloor.store.database import Store

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def transaction_lock(conn: Connection, name: str) -> None:
    """Wait for the lock `name` until this transaction ends (PostgreSQL; no-op on SQLite)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


@contextmanager
def run_lock(store: Store, workspace: Path, name: str) -> Iterator[None]:
    """Held for a whole run (e.g. ``analyze``): a second run waits, then finds nothing to do."""
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            key = lock_key(f"run:{name}")
            if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                log.info("waiting for another %s run on this database to finish", name)
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    folder = workspace / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another %s run in this workspace to finish", name)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
