"""Full-text search over posts that also works for Arabic.

Text is normalised the same way when indexed and when queried (``watchfloor.text.normalise``:
case-folded, Arabic diacritics and tatweel removed, alef/yeh/teh-marbuta variants unified),
and for words carrying the Arabic article (ال, وال, بال, فال, كال, لل) the bare word is
indexed too, so «دولة» finds «الدولة».
SQLite uses an FTS5 table, filled per batch on insert and kept in step by triggers on
update and delete; PostgreSQL a GIN index on a 'simple' tsvector.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, bindparam, text

from watchfloor.text.normalise import article_stems, fold, without_article

# The names other modules used before folding moved to watchfloor.text.normalise.
_fold = fold
_without_article = without_article
_WORD = re.compile(r"\w+")


def normalize_for_search(value: str) -> str:
    """The text as indexed: folded, plus the bare form of Arabic words carrying the article.
    The full-text tokenizers split words themselves, so the folded text is kept as it is."""
    folded = fold(value)
    stems = article_stems(folded)
    return " ".join([folded, *stems]) if stems else folded


def query_terms(query: str) -> list[str]:
    """The words a query must all match; article forms reduce to the bare word, which is indexed."""
    return [without_article(w) for w in _WORD.findall(fold(query))]


def create_search_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            conn.execute(text(statement))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(_PG_INDEX))


def index_new_posts(conn: Connection, channel_id: int, message_ids: list[int]) -> None:
    """Adds freshly inserted posts to the SQLite full-text index in one statement per batch
    (several times faster than a per-row trigger); PostgreSQL's index keeps itself up to date."""
    if conn.dialect.name != "sqlite" or not message_ids:
        return
    conn.execute(
        text(
            "INSERT INTO posts_fts(rowid, search_text) SELECT id, search_text FROM posts "
            "WHERE channel_id = :channel_id AND message_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"channel_id": channel_id, "ids": message_ids},
    )


def search_clause(conn: Connection, query: str):
    """A WHERE fragment on `posts` and its bind parameters, or None when the query has no words."""
    terms = query_terms(query)
    if not terms:
        return None
    if conn.dialect.name == "sqlite":
        fts_query = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        clause = text("posts.id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH :fts_query)")
        return clause.bindparams(fts_query=fts_query)
    clause = text(
        "to_tsvector('simple', posts.search_text) @@ plainto_tsquery('simple', :fts_query)"
    )
    return clause.bindparams(fts_query=" ".join(terms))


_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5("
    "search_text, content='posts', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_delete AFTER DELETE ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_update AFTER UPDATE OF search_text ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO posts_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
_PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_posts_search ON posts "
    "USING gin (to_tsvector('simple', search_text))"
)
