"""Full-text search over posts that also works for Arabic.

Text is normalised the same way when indexed and when queried: case-folded, Arabic diacritics and
tatweel removed, alef/yeh/teh-marbuta variants unified, and for words carrying the Arabic article
(ال, وال, بال, فال, كال, لل) the bare word is indexed too, so «دولة» finds «الدولة».
SQLite uses an FTS5 table kept in step by triggers; PostgreSQL a GIN index on a 'simple' tsvector.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Connection, text

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
)
_ARTICLE = re.compile(r"^(?:وال|بال|فال|كال|ال|لل)(?=\w{2,})")
_WORD = re.compile(r"\w+")


def _fold(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).casefold()
    return _ARABIC_MARKS.sub("", folded).translate(_ARABIC_FOLD)


def normalize_for_search(value: str) -> str:
    words = _WORD.findall(_fold(value))
    stems = [stem for w in words if (stem := _ARTICLE.sub("", w)) != w]
    return " ".join(words + stems)


def query_terms(query: str) -> list[str]:
    """The words a query must all match; article forms reduce to the bare word, which is indexed."""
    return [_ARTICLE.sub("", w) for w in _WORD.findall(_fold(query))]


def create_search_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            conn.execute(text(statement))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(_PG_INDEX))


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
    "CREATE TRIGGER IF NOT EXISTS posts_fts_insert AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
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
