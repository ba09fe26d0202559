"""Posts are written past SQLAlchemy's per-row processing (SQLite executemany, PostgreSQL COPY):
what that stores must be exactly what SQLAlchemy Core stores, and read back the same."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, cast, select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from tests.exports import BASE, message, single_chat, write_export
from watchfloor.ingest import ingest_paths
from watchfloor.records import Channel
from watchfloor.store import queries
from watchfloor.store.dialect import insert_many, sqlite_datetime
from watchfloor.store.posts import upsert_channel
from watchfloor.store.schema import posts

NOW = datetime(2026, 11, 29, 10, 56, 7, 123456, tzinfo=UTC)
AWKWARD_DATES = [
    datetime(2021, 1, 1, tzinfo=UTC),
    datetime(2023, 8, 23, 20, 11, 23, 5, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2024, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2))),
    datetime(2024, 3, 1, 12, 30),
]


def _row(message_id: int, date: datetime, text: str, **fields) -> dict:
    return {
        "message_id": message_id,
        "date": date,
        "edit_date": None,
        "date_assumed_tz": None,
        "kind": "message",
        "text": text,
        "search_text": text.casefold(),
        "sender_id": None,
        "sender_name": None,
        "forwarded_from": None,
        "forwarded_from_id": None,
        "reply_to": None,
        "entities": {"links": [], "hashtags": []},
        "raw": f'{{"id": {message_id}}}',
        "raw_format": "json",
        "content_hash": f"{message_id:064x}",
    } | fields


ROWS = [
    _row(1, AWKWARD_DATES[0], ""),
    _row(
        2,
        AWKWARD_DATES[1],
        "tab\there, newline\nthere, a backslash \\ and \\N, 'quotes' \"too\"",
        edit_date=AWKWARD_DATES[2],
        date_assumed_tz="Europe/Amsterdam",
        sender_id="channel1001",
        sender_name="Stand-in Outlet",
        reply_to=2**62,
    ),
    _row(
        3,
        AWKWARD_DATES[3],
        "وصلت الحملة إلى لَندن 🛰️",
        edit_date=AWKWARD_DATES[4],
        forwarded_from="منفذ",
        forwarded_from_id="channel7",
        entities={"links": ["https://t.me/+abc"], "hashtags": ["حملة", 'say "hi"\\']},
    ),
]


def _stored(conn, channel_id: int) -> list[tuple]:
    """Every column but the ids, as the database holds it (cast to text) and as SQLAlchemy
    reads it."""
    columns = [c for c in posts.c if c.name not in ("id", "channel_id")]
    where = posts.c.channel_id == channel_id
    as_text = select(*[cast(c, Text) for c in columns]).where(where).order_by(posts.c.message_id)
    as_read = select(*columns).where(where).order_by(posts.c.message_id)
    return [*conn.execute(as_text).all(), *conn.execute(as_read).all()]


def test_insert_many_stores_exactly_what_sqlalchemy_core_stores(store):
    with store.begin() as conn:
        fast = upsert_channel(conn, Channel("telegram", "1"))
        core = upsert_channel(conn, Channel("telegram", "2"))
        shared = {"ingested_at": NOW, "updated_at": NOW}
        insert_many(conn, posts, ROWS, {"channel_id": fast, **shared})
        conn.execute(posts.insert(), [row | {"channel_id": core, **shared} for row in ROWS])
    with store.connect() as conn:
        assert _stored(conn, fast) == _stored(conn, core)
        assert len(_stored(conn, fast)) == 2 * len(ROWS)


def test_ingested_posts_read_back_and_compare_by_date(store, settings, tmp_path):
    texts = ["first", "second #tag", "third @someone"]
    export = single_chat([message(i + 1, t) for i, t in enumerate(texts)])
    ingest_paths(store, settings, [write_export(tmp_path / "e", export)])
    assert gc.get_freeze_count() == 0  # the ingest leaves the cycle collector as it found it
    second = BASE + timedelta(minutes=2)
    with store.connect() as conn:
        everything = queries.list_posts(conn)
        since_second = queries.list_posts(conn, since=second)
        just_after = queries.list_posts(conn, since=second + timedelta(microseconds=1))
        before_second = queries.list_posts(conn, until=second)
    assert [p["date"] for p in everything] == [
        (BASE + timedelta(minutes=m)).isoformat() for m in (3, 2, 1)
    ]
    assert [p["text"] for p in everything] == texts[::-1]
    assert everything[1]["entities"]["hashtags"] == ["tag"]
    assert [p["message_id"] for p in since_second] == [3, 2]
    assert [p["message_id"] for p in just_after] == [3]
    assert [p["message_id"] for p in before_second] == [1]


@pytest.mark.parametrize("value", [None, *AWKWARD_DATES])
@pytest.mark.parametrize("column", ["date", "edit_date", "ingested_at", "updated_at"])
def test_sqlite_datetime_is_sqlalchemys_format(column, value):
    dialect = SQLiteDialect_pysqlite()
    sqlalchemy_format = posts.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    assert sqlite_datetime(value) == sqlalchemy_format(value)


def test_insert_many_refuses_to_skip_python_side_defaults(store):
    table = Table(
        "with_default",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer, default=1),
    )
    with store.begin() as conn, pytest.raises(ValueError, match="Python-side defaults"):
        insert_many(conn, table, [{"id": 1}])
