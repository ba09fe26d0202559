"""The few statements SQLite and PostgreSQL spell differently, and bulk inserts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Dialect, Table
from sqlalchemy.dialects import postgresql, sqlite

Encoder = Callable[[Any], Any]


def insert_ignore(conn: Connection, table: Table):
    """INSERT ... ON CONFLICT DO NOTHING for either database."""
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


def upsert(conn: Connection, table: Table, keys: list[str], update: list[str]):
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET the `update` columns from the new row."""
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = module.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={name: stmt.excluded[name] for name in update}
    )


def insert_many(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    same_in_every_row: dict[str, Any] | None = None,
) -> None:
    """Inserts rows that all name the same columns, plus columns whose value is the same in
    every row (given once, and encoded once).

    The rows go straight to the driver, each value encoded as SQLAlchemy would encode it, because
    SQLAlchemy's per-row parameter processing costs more than the insert itself: on SQLite as one
    executemany, on PostgreSQL as a COPY (about twice as fast as a multi-row INSERT there).
    """
    if not rows:
        return
    shared = same_in_every_row or {}
    columns = [*rows[0], *shared]
    _check_no_python_defaults_left_out(table, columns)
    values = _driver_values(conn.dialect, table, rows, shared)
    preparer = conn.dialect.identifier_preparer
    target = f"{preparer.format_table(table)} ({', '.join(map(preparer.quote, columns))})"
    if conn.dialect.name == "postgresql":
        _copy(conn, target, values)
    else:
        conn.exec_driver_sql(
            f"INSERT INTO {target} VALUES ({', '.join('?' * len(columns))})", values
        )


def _check_no_python_defaults_left_out(table: Table, columns: list[str]) -> None:
    missing = [c.name for c in table.c if c.name not in columns and c.default is not None]
    if missing:
        raise ValueError(f"insert_many needs values for {missing}: they have Python-side defaults")


def _driver_values(
    dialect: Dialect, table: Table, rows: Sequence[dict[str, Any]], shared: dict[str, Any]
) -> list[tuple]:
    """Each row as a tuple of values the driver takes, the shared ones last."""
    encoders = [(name, _encoder(dialect, table, name)) for name in rows[0]]
    tail = tuple(_encode(_encoder(dialect, table, name), v) for name, v in shared.items())
    return [
        (*[row[name] if encode is None else encode(row[name]) for name, encode in encoders], *tail)
        for row in rows
    ]


def _encoder(dialect: Dialect, table: Table, column: str) -> Encoder | None:
    column_type = table.c[column].type
    if dialect.name == "sqlite" and isinstance(column_type, DateTime):
        return sqlite_datetime
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _encode(encode: Encoder | None, value: Any) -> Any:
    return value if encode is None else encode(value)


def _copy(conn: Connection, target: str, values: list[tuple]) -> None:
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def sqlite_datetime(value: datetime | None) -> str | None:
    """What SQLAlchemy's SQLite DateTime stores by default, 'YYYY-MM-DD HH:MM:SS.ffffff' (the
    wall-clock time; ours is always UTC), at a fraction of its cost."""
    return None if value is None else value.isoformat(" ", "microseconds")[:26]
