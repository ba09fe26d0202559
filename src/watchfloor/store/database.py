"""Opening the database (SQLite file by default, PostgreSQL by URL) and keeping its schema current."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from watchfloor.config import ConfigError, Settings
from watchfloor.store.locks import transaction_lock
from watchfloor.store.media_store import MediaStore
from watchfloor.store.schema import metadata
from watchfloor.store.search import create_search_index

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass
class Store:
    """The database engine and the content-addressed media store of one workspace."""

    engine: Engine
    media: MediaStore

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def begin(self):
        return self.engine.begin()

    def connect(self):
        return self.engine.connect()

    def close(self) -> None:
        self.engine.dispose()


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def _json_loads(value: str | bytes | float) -> object:
    # SQLite gives a JSON column numeric affinity: a bare number comes back as a number.
    return value if isinstance(value, int | float) else orjson.loads(value)


_JSON = {"json_serializer": _json_dumps, "json_deserializer": _json_loads}


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 60}, **_JSON)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, **_JSON)
    raise ConfigError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://"
    )


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def migrate(engine: Engine) -> None:
    """Create a fresh database at the newest schema, or upgrade an existing one step by step."""
    with engine.begin() as conn:
        transaction_lock(conn, "migrate")  # processes starting at once on a new database
        cfg = alembic_config(conn)
        if MigrationContext.configure(conn).get_current_revision() is None and not inspect(
            conn
        ).has_table("posts"):
            metadata.create_all(conn)
            create_search_index(conn)
            command.stamp(cfg, "head")
        else:
            command.upgrade(cfg, "head")


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def open_store(settings: Settings, *, migrate_schema: bool = True) -> Store:
    settings.workspace.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    if migrate_schema:
        migrate(engine)
    return Store(engine=engine, media=MediaStore(settings.media_dir))
