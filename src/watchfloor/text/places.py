"""Geoparsing: the landmarks, cities and countries a text names, resolved against the gazetteer.

One pass over the text: words (and the parts of hashtags, split at underscores and at case
changes, so ``#NewYork`` and ``#new_york`` read "new york") are folded one by one as names are
(``text/place_index.py``), and at each word the longest run of up to six words that is a name in
the index wins. Runs never cross punctuation that separates phrases, a link or a mention.

Caution against false positives, decided per name by the index:

- In Latin script, names that are also ordinary words ("Nice", "Reading", "Split") match only
  capitalised, not as the first word of a sentence and not after an article ("das Essen");
  lesser-known cities and alternate names match only capitalised; a text in capitals only
  matches neither. A hashtag names on purpose: there only ordinary words need a capital.
- Names that are also people's names ("Paris Hilton", "Michael Jordan") do not match next to
  another capitalised word that is not a function word.
- Arabic names that are also ordinary words (مدينة "city", عين "eye", جدة "grandmother") match
  only as a hashtag; those only ever written with the article (الفيوم, الرياض) need it
  (فيوم is "so on the day", رياض "gardens" or a first name). A word may carry a proclitic
  (بباريس "in Paris", ولندن).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from watchfloor.text.place_index import WORD, Entry, PlaceIndex, fold_word, has_article
from watchfloor.text.place_words import DETERMINERS, FUNCTION_WORDS

# Hashtags, links and mentions are taken whole; everything else word by word.
_PIECE = re.compile(r"#[^\W][\w\u0640\u064b-\u065f]*|https?://\S+|www\.\S+|t\.me/\S+|@\w+")
_CAMEL = re.compile(r"[A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+|[A-ZÀ-ÖØ-Þ]+(?![a-zß-öø-ÿ])|[^\W_]+")
_JOINING = re.compile(r"[\s\-‐‑.'’]*")  # what may stand between the words of one name
_SENTENCE_END = re.compile(r"[.!?:;\n«»\"“”(\[]")
_PROCLITICS = frozenset("وبلفك")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: int
    end: int
    folded: str
    group: int  # words of one group may form a name together
    hashtag: bool
    initial: bool  # first word of a sentence

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True)
class PlaceMention:
    entry: Entry
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return self.entry.place | {"span": [self.start, self.end], "matched": self.text}


def words_of(text: str) -> list[Word]:
    """The words of a text with their offsets, the phrase group each belongs to, and hashtags
    split into their parts."""
    out: list[Word] = []
    group, last_end = 0, 0
    for start, end, piece in _pieces(text):
        gap = text[last_end:start]
        if piece is None:  # a link or mention: a name never runs across it
            group += 1
        elif piece.startswith("#"):
            group += 1
            out.extend(_hashtag_words(piece, start, group))
            group += 1
        else:
            if not out or out[-1].hashtag or not _joins(gap, out[-1]):
                group += 1
            initial = last_end == 0 or _SENTENCE_END.search(gap) is not None
            out.append(Word(piece, start, end, fold_word(piece), group, False, initial))
        last_end = end
    return out


def _pieces(text: str):
    """(start, end, piece) in order: words, hashtags, and links/mentions as None."""
    position = 0
    for special in _PIECE.finditer(text):
        for m in WORD.finditer(text, position, special.start()):
            yield m.start(), m.end(), m.group()
        is_tag = special.group().startswith("#")
        yield special.start(), special.end(), special.group() if is_tag else None
        position = special.end()
    for m in WORD.finditer(text, position):
        yield m.start(), m.end(), m.group()


def _joins(gap: str, previous: Word) -> bool:
    if not _JOINING.fullmatch(gap) or "\n" in gap:
        return False
    return "." not in gap or len(previous.text) <= 3  # "St. Paul", not "... Paris. York"


def _hashtag_words(tag: str, start: int, group: int) -> list[Word]:
    words: list[Word] = []
    for chunk in WORD.finditer(tag):
        base = start + chunk.start()
        for part in _CAMEL.finditer(chunk.group()):
            text = part.group()
            begin = base + part.start()
            words.append(Word(text, begin, begin + len(text), fold_word(text), group, True, False))
    return [w for w in words if w.folded]


class Geoparser:
    def __init__(self, index: PlaceIndex) -> None:
        self.index = index

    def find(self, text: str) -> list[PlaceMention]:
        """Places the text names, in order of appearance (one mention per span)."""
        words = words_of(text)
        capitals_only = not any(c.islower() for c in text)
        found: list[PlaceMention] = []
        i = 0
        while i < len(words):
            match = self._longest(words, i, capitals_only)
            if match is None:
                i += 1
                continue
            entry, n = match
            found.append(PlaceMention(entry, words[i].start, words[i + n - 1].end,
                                      text[words[i].start : words[i + n - 1].end]))  # fmt: skip
            i += n
        return found

    def _longest(self, words: list[Word], i: int, capitals_only: bool) -> tuple[Entry, int] | None:
        first = words[i]
        firsts = [first.folded]
        if (
            _ARABIC_LETTER.match(first.text)
            and first.text[0] in _PROCLITICS
            and len(first.text) > 3
        ):
            firsts.append(fold_word(first.text[1:]))  # بباريس, ولندن
        firsts = [f for f in firsts if f in self.index.first_words]
        if not firsts:
            return None
        span = 1
        while (
            span < self.index.max_words
            and i + span < len(words)
            and words[i + span].group == first.group
        ):
            span += 1
        for n in range(span, 0, -1):
            rest = " ".join(w.folded for w in words[i + 1 : i + n])
            for head in firsts:
                entry = self.index.get(f"{head} {rest}" if rest else head)
                if entry is not None and _acceptable(entry, words, i, n, capitals_only):
                    return entry, n
        return None


def _acceptable(entry: Entry, words: list[Word], i: int, n: int, capitals_only: bool) -> bool:
    first = words[i]
    if entry.arabic:
        if first.hashtag:
            return True
        return not entry.hashtag_only and (not entry.needs_article or has_article(first.text))
    if first.hashtag:  # tagging is naming on purpose: only ordinary words need a capital
        return first.capitalised or not entry.common
    if not first.capitalised:
        return entry.lower_ok
    if capitals_only and (entry.common or not entry.lower_ok):
        return False
    if entry.common and (first.initial or _after_determiner(words, i)):
        return False
    return not (entry.person and _next_to_a_name(words, i, n))


def _next_to_a_name(words: list[Word], i: int, n: int) -> bool:
    """A capitalised word (not a function word) right before or after, in the same phrase."""
    neighbours = []
    if i > 0 and words[i - 1].group == words[i].group:
        neighbours.append(words[i - 1])
    if i + n < len(words) and words[i + n].group == words[i].group:
        neighbours.append(words[i + n])
    return any(
        w.capitalised
        and not (w.text.isupper() and len(w.text) <= 3)  # "Washington DC"
        and w.folded not in FUNCTION_WORDS
        for w in neighbours
    )


def _after_determiner(words: list[Word], i: int) -> bool:
    return i > 0 and words[i - 1].group == words[i].group and words[i - 1].folded in DETERMINERS
