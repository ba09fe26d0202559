"""The store: schema and migrations, the media store, and full-text search (Arabic too)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from tests.exports import message, single_chat, write_export
from watchfloor.ingest import ingest_paths
from watchfloor.store import open_store, queries
from watchfloor.store.database import alembic_config, make_engine, migrate, schema_revision
from watchfloor.store.schema import metadata
from watchfloor.store.search import create_search_index, normalize_for_search, query_terms

SEARCH_EXTRAS = {
    "posts_fts",
    "posts_fts_data",
    "posts_fts_idx",
    "posts_fts_docsize",
    "posts_fts_config",
    "ix_posts_search",
}


def _not_search_extra(obj, name, type_, reflected, compare_to) -> bool:
    return name not in SEARCH_EXTRAS


HEAD = "0009"


def test_fresh_database_matches_the_schema_and_is_stamped(store):
    assert schema_revision(store.engine) == HEAD
    with store.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _not_search_extra})
        assert compare_metadata(ctx, metadata) == []


def test_database_at_the_baseline_is_upgraded(settings):
    """A database created before the banks existed (revision 0001) is migrated step by step."""
    engine = make_engine(settings.db_url)
    later = (
        "banks",
        "bank_entries",
        "emblems",
        "gallery",
        "targets",
        "target_evidence",
        "lexicon_entries",
        "exemplars",
        "outlets",
        "alerts",
        "alert_deliveries",
        "users",
        "api_tokens",
        "web_sessions",
        "audit_log",
        "jobs",
        "campaigns",
    )
    baseline = [t for name, t in metadata.tables.items() if name not in later]
    with engine.begin() as conn:
        metadata.create_all(conn, tables=baseline)
        conn.execute(text("ALTER TABLE channels DROP COLUMN attribution_reasons"))  # from 0005
        create_search_index(conn)
        command.stamp(alembic_config(conn), "0001")
    assert schema_revision(engine) == "0001"
    migrate(engine)
    assert schema_revision(engine) == HEAD
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _not_search_extra})
        assert compare_metadata(ctx, metadata) == []
    engine.dispose()


def test_reopening_is_harmless(settings):
    first = open_store(settings)
    with first.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO channels (key, platform, platform_id, attribution, created_at) VALUES ('x:1', 'x', '1', 'unknown', CURRENT_TIMESTAMP)"
        )
    first.close()
    second = open_store(settings)
    with second.connect() as conn:
        assert [c["key"] for c in queries.list_channels(conn)] == ["x:1"]
    second.close()


def test_media_store_is_content_addressed(tmp_path, sqlite_settings):
    store = open_store(sqlite_settings)
    a = store.media.put_bytes(b"same bytes")
    b = store.media.put_bytes(b"same bytes")
    assert a.sha256 == b.sha256 and a.created and not b.created
    path = store.media.path_for(a.sha256)
    assert path.read_bytes() == b"same bytes" and path.parent.parent.name == a.sha256[:2]
    assert not list(store.media.root.glob(".incoming-*"))


def test_search_normalisation():
    assert normalize_for_search("الدَّولة!") == "الدوله! دوله"
    assert normalize_for_search("Élan VITAL") == "élan vital"
    assert query_terms("بالدولة إسلامية") == ["دوله", "اسلاميه"]


@pytest.fixture
def searchable(store, settings, tmp_path):
    texts = [
        "تقرير عن الدولة والمدينة",  # "a report about the state and the city"
        "وصلت الحملة إلى لَندن",  # with a diacritic on لندن
        "Stand-in poster names Brussels",
        "Nothing relevant here",
        "#حملة_تجريبية stand-in hashtag",
    ]
    msgs = [message(i + 1, t) for i, t in enumerate(texts)]
    ingest_paths(store, settings, [write_export(tmp_path / "s", single_chat(msgs))])
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("دولة", [1]),
        ("الدولة", [1]),
        ("لندن", [2]),
        ("brussels POSTER", [3]),
        ("حملة", [2, 5]),  # الحملة in 2, the hashtag in 5
        ("حملة_تجريبية", [5]),
        ("absent words", []),
        ("", [1, 2, 3, 4, 5]),
    ],
)
def test_full_text_search(searchable, query, expected):
    with searchable.connect() as conn:
        found = queries.list_posts(conn, search=query or None)
    assert sorted(p["message_id"] for p in found) == expected
