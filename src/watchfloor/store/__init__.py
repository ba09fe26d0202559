"""Persistence: schema and migrations, database access (SQLite default, PostgreSQL by URL), media store."""

from watchfloor.store.database import Store, open_store

__all__ = ["Store", "open_store"]
