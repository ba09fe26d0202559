"""Full-text search over posts that also works for Arabic.

Text is normalised the same way when indexed and when queried: case-folded, Arabic diacritics and
tatweel removed, alef/yeh/teh-marbuta variants unified, and for words carrying the Arabic article
(ال, وال, بال, فال, كال, لل) the bare word is indexed too, so «دولة» finds «الدولة».
SQLite uses an FTS5 table, filled per batch on insert and kept in step by triggers on
update and delete; PostgreSQL a GIN index on a 'simple' tsvector.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Connection, bindparam, text

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Letter variants folded to one form. str.replace per letter: str.translate with a mapping
# looks every character up in a dict, several times slower on Arabic text.
_ARABIC_FOLD = (
    ("أ", "ا"),
    ("إ", "ا"),
    ("آ", "ا"),
    ("ٱ", "ا"),
    ("ى", "ي"),
    ("ة", "ه"),
    ("ؤ", "و"),
    ("ئ", "ي"),
)
_ARTICLE = re.compile(r"^(?:وال|بال|فال|كال|ال|لل)(?=\w{2,})")
# The bare word of every word carrying the article: as _ARTICLE applied to each \w+ word.
_ARTICLE_STEM = re.compile(r"(?<!\w)(?:وال|بال|فال|كال|ال|لل)(\w{2,})")
_WORD = re.compile(r"\w+")


_HAS_ARABIC = re.compile("[\u0600-\u06ff]")
_ARTICLE_INITIALS = frozenset("اوبفكل")


def _has_arabic(text: str) -> bool:
    return not text.isascii() and _HAS_ARABIC.search(text) is not None  # isascii() is O(1)


def _fold(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).casefold()
    return _fold_arabic(folded) if _has_arabic(folded) else folded


def _fold_arabic(folded: str) -> str:
    folded = _ARABIC_MARKS.sub("", folded)
    for variant, letter in _ARABIC_FOLD:
        folded = folded.replace(variant, letter)
    return folded


def _without_article(word: str) -> str:
    return _ARTICLE.sub("", word) if word[0] in _ARTICLE_INITIALS else word


def normalize_for_search(value: str) -> str:
    """The text as indexed: folded, plus the bare form of Arabic words carrying the article.
    The full-text tokenizers split words themselves, so the folded text is kept as it is."""
    folded = _fold(value)
    if not _has_arabic(folded):
        return folded
    stems = _ARTICLE_STEM.findall(folded)
    return " ".join([folded, *stems]) if stems else folded


def query_terms(query: str) -> list[str]:
    """The words a query must all match; article forms reduce to the bare word, which is indexed."""
    return [_without_article(w) for w in _WORD.findall(_fold(query))]


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
