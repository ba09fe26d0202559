"""Search over posts: the full-text index of `store/search.py` (Arabic folded: diacritics,
tatweel and letter variants ignored, the article optional), newest first, a page at a time,
each post's text cut into runs with the matched words marked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from watchfloor.store.search import query_terms
from watchfloor.web.views.highlight import segments, term_marks
from watchfloor.web.views.params import Window
from watchfloor.web.views.posts import ANY_TIME, list_posts, with_direction

PAGE = 25
MAX_PAGE = 200
SNIPPET = 1200  # characters of each post shown in the results


def search_posts(
    conn: Connection,
    q: str,
    *,
    channel: str | None = None,
    window: Window = ANY_TIME,
    limit: int = PAGE,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of posts matching every word of `q`; `more` when there is a next page."""
    rows = list_posts(conn, channel=channel, window=window, query=q, limit=limit + 1, offset=offset)
    out = []
    for p in with_direction(conn, rows[:limit]):
        text = p["text"][:SNIPPET]
        cut = len(p["text"]) > SNIPPET
        out.append({**p, "segments": segments(text, term_marks(text, q)), "cut": cut})
    return {"terms": query_terms(q), "posts": out, "more": len(rows) > limit}
