"""Search over posts in the web app and the API: Arabic normalisation, highlighted terms, pages."""

from __future__ import annotations

import re

import pytest

from tests.exports import message, single_chat, write_export
from watchfloor.ingest import ingest_paths
from watchfloor.web.views.highlight import Mark, segments, term_marks

TEXTS = [
    "تقرير عن الدولة والمدينة",  # "a report about the state and the city"
    "وصلت الحملة إلى لَندن",  # "the campaign reached London", a diacritic on لندن
    "Stand-in poster names Brussels",
    "Nothing relevant here",
] + [f"Harbour bulletin number {i}" for i in range(30)]


@pytest.fixture
def searchable(web, tmp_path):
    msgs = [message(i + 1, t) for i, t in enumerate(TEXTS)]
    ingest_paths(web.store, web.settings, [write_export(tmp_path / "s", single_chat(msgs))])
    return web


def _marks(html: str, css: str = "term") -> list[str]:
    return re.findall(rf'<mark class="{css}" title="[^"]*">([^<]*)</mark>', html)


def test_term_marks_find_folded_arabic_in_the_original_text():
    text = "وصلت الحملة إلى لَندن"
    found = term_marks(text, "لندن")
    assert [text[m.start : m.end] for m in found] == ["لَندن"]
    text = "تقرير عن الدولة والمدينة"
    assert [text[m.start : m.end] for m in term_marks(text, "دولة")] == ["الدولة"]  # whole word
    assert [m.end for m in term_marks("stand-in: Brusselsplein", "brusselsplein")] == [23]
    assert term_marks("Brussels poster", "BRUSSELS") == [Mark(0, 8, "term", "matches 'brussels'")]
    assert term_marks("anything", "") == []


def test_segments_cover_the_text_and_never_overlap():
    runs = segments("abcdefgh", [Mark(2, 5, "threat", "t"), Mark(4, 7, "place", "p")])
    assert "".join(r["text"] for r in runs) == "abcdefgh"
    assert [(r["text"], r["mark"]) for r in runs] == [
        ("ab", None),
        ("cde", "threat"),
        ("fg", "place"),
        ("h", None),
    ]
    assert segments("", []) == [{"text": "", "mark": None, "why": None}]


def test_search_page_normalises_arabic_and_marks_the_words(searchable):
    client, _csrf = searchable.browser("viewer")
    page = client.get("/search", params={"q": "الدولة"})
    assert page.status_code == 200
    assert "تقرير عن" in page.text and "لَندن" not in page.text
    assert _marks(page.text) == ["الدولة"]  # the article form finds the bare word, whole
    page = client.get("/search", params={"q": "لندن"})
    assert _marks(page.text) == ["لَندن"]  # the diacritic in the post does not stop it
    assert 'dir="auto"' in page.text


def test_search_pages_and_filters(searchable):
    client, _csrf = searchable.browser("viewer")
    first = client.get("/search", params={"q": "bulletin", "limit": 20})
    assert first.text.count('<mark class="term"') == 20
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = client.get("/search", params={"q": "bulletin", "limit": 20, "offset": 20})
    assert second.text.count('<mark class="term"') == 10
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    nothing = client.get("/search", params={"q": "bulletin", "until": "2018-01-01"})
    assert "No posts" in nothing.text
    bad = client.get("/search", params={"q": "bulletin", "since": "yesterday"})
    assert bad.status_code == 400 and "is not a date" in bad.text


def test_api_posts_search_and_paging(searchable):
    api = searchable.api("viewer", "read")
    found = api.get("/api/v1/posts", params={"q": "دولة"}).json()
    assert [p["text"] for p in found["posts"]] == [TEXTS[0]]
    page = api.get("/api/v1/posts", params={"q": "bulletin", "limit": 25}).json()
    assert len(page["posts"]) == 25 and page["next_offset"] == 25
    rest = api.get("/api/v1/posts", params={"q": "bulletin", "limit": 25, "offset": 25}).json()
    assert len(rest["posts"]) == 5 and rest["next_offset"] is None
    seen = {p["id"] for p in page["posts"]} | {p["id"] for p in rest["posts"]}
    assert len(seen) == 30
    capped = api.get("/api/v1/posts", params={"limit": 100_000}).json()
    assert capped["limit"] == 500 and len(capped["posts"]) == len(TEXTS)
    channel = api.get("/api/v1/posts", params={"channel": "Stand-in Outlet", "limit": 1}).json()
    assert channel["posts"][0]["channel"] == "telegram:1001"
    by_id = {"channel_id": channel["posts"][0]["channel_id"], "limit": 100}
    assert len(api.get("/api/v1/posts", params=by_id).json()["posts"]) == len(TEXTS)
    assert api.get("/api/v1/posts", params={"channel_id": 999}).json()["posts"] == []
    assert api.get("/api/v1/posts", params={"since": "soon"}).status_code == 422
