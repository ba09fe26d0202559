"""The per-message text scans take shortcuts for speed; each is checked against the plain
definition it replaces, on generated texts built from the characters that matter."""

from __future__ import annotations

import random
import re

import pytest

from watchfloor.records import Entities
from watchfloor.sources.entities import _TAG_CHARS, HASHTAG_RE, MENTION_RE, extract_entities
from watchfloor.store.search import _WORD, _fold, _without_article, normalize_for_search

# The patterns as first written: the lookbehind before the '#' or '@'.
PLAIN_HASHTAG_RE = re.compile(rf"(?<![\w&])#({_TAG_CHARS}*[^\W\d_]{_TAG_CHARS}*)")
PLAIN_MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z][A-Za-z0-9_]{3,31})\b")

PIECES = [
    *"#@&._ -\n1aZé٣",
    "\u064e",  # fatha
    "\u0640",  # tatweel
    "\u200c",
    *"ابتةوكلفىأإآٱؤئدن",
    "ال",
    "وال",
    "لل",
    "abcd",
    "#tag",
    "@name",
]


def generated_texts(seed: int, count: int = 3000) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choices(PIECES, k=rnd.randint(0, 20))) for _ in range(count)]


@pytest.mark.parametrize(
    ("fast", "plain"),
    [(HASHTAG_RE, PLAIN_HASHTAG_RE), (MENTION_RE, PLAIN_MENTION_RE)],
    ids=["hashtag", "mention"],
)
def test_literal_first_patterns_find_what_the_plain_ones_find(fast, plain):
    for text in generated_texts(1):
        assert fast.findall(text) == plain.findall(text), text


def test_indexed_text_holds_the_query_form_of_every_article_word():
    """normalize_for_search finds the article words with one scan; a query reduces each word
    with _without_article. Both must agree, or a search would miss."""
    for text in [*generated_texts(2), "الدَّولة!", "والدولة بالدولة الد", "Élan VITAL"]:
        folded = _fold(text)
        stems = [s for w in _WORD.findall(folded) if (s := _without_article(w)) != w]
        assert normalize_for_search(text) == " ".join([folded, *stems]), text


def test_texts_without_entities():
    marked = [{"type": "plain", "text": "x"}, {"type": "bold", "text": "y"}, {"type": ["odd"]}]
    assert extract_entities("A plain sentence. Nothing to find here", marked) == Entities()
    assert extract_entities("", ["not an object", None]) == Entities()


def test_marked_entities_alone_are_found():
    marked = [
        {"type": "text_link", "text": "hidden", "href": "https://t.me/somechannel"},
        {"type": "mention", "text": "@Someone"},
        {"type": "hashtag", "text": "#حملة"},
    ]
    assert extract_entities("no markers in the text itself", marked) == Entities(
        links=("https://t.me/somechannel",),
        telegram_handles=("somechannel", "someone"),
        mentions=("someone",),
        hashtags=("حملة",),
    )
