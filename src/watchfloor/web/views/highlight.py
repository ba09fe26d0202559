"""Text cut into runs for templates: plain runs and marked runs (a `<mark>` with a class and a
title saying why). Marks come from signal evidence (threat lexicon hits, place spans) or from
search terms found in the folded text; they never overlap in the output (the first wins).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from watchfloor.store.search import query_terms
from watchfloor.text.normalise import fold_mapped

MAX_MARKS = 200


@dataclass(frozen=True, order=True)
class Mark:
    start: int
    end: int
    css: str  # threat, place, term
    why: str


def segments(text: str, marks: list[Mark]) -> list[dict[str, Any]]:
    """[{text, mark: css|None, why}] covering `text` in order."""
    out: list[dict[str, Any]] = []
    at = 0
    for m in sorted(marks)[:MAX_MARKS]:
        start, end = max(m.start, at), min(m.end, len(text))
        if end <= start:
            continue
        if start > at:
            out.append({"text": text[at:start], "mark": None, "why": None})
        out.append({"text": text[start:end], "mark": m.css, "why": m.why})
        at = end
    if at < len(text) or not out:
        out.append({"text": text[at:], "mark": None, "why": None})
    return out


def _span(value: Any) -> tuple[int, int] | None:
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] < value[1]
    ):
        return value[0], value[1]
    return None


def threat_marks(evidence: Any) -> list[Mark]:
    """Lexicon hits of a `threat`/`ocr_threat` signal (offsets in the original text)."""
    hits = evidence.get("lexicon") if isinstance(evidence, dict) else None
    out = []
    for hit in hits if isinstance(hits, list) else []:
        span = _span([hit.get("start"), hit.get("end")]) if isinstance(hit, dict) else None
        if span is not None:
            why = (
                f"{hit.get('label', 'threat')} phrase '{hit.get('phrase', '')}' "
                f"(weight {hit.get('weight', '?')}, {hit.get('source', 'lexicon')} lexicon)"
            )
            out.append(Mark(span[0], span[1], "threat", why))
    return out


def place_marks(value: Any, text: str | None = None) -> list[Mark]:
    """Where a `place` signal's places are named: the value gives each place's first span and
    what was written there; with `text`, every other occurrence of that writing is marked too."""
    out = []
    for place in value if isinstance(value, list) else []:
        span = _span(place.get("span")) if isinstance(place, dict) else None
        if span is None:
            continue
        where = ", ".join(p for p in (place.get("city"), place.get("country")) if p)
        why = f"{place.get('kind', 'place')} {place.get('name', '')}" + (
            f" ({where})" if where and where != place.get("name") else ""
        )
        out.append(Mark(span[0], span[1], "place", why))
        matched = place.get("matched")
        if text and isinstance(matched, str) and matched:
            at = text.find(matched)
            while at >= 0 and len(out) < MAX_MARKS:
                if at != span[0]:
                    out.append(Mark(at, at + len(matched), "place", why))
                at = text.find(matched, at + len(matched))
    return out


def _whole_word(text: str, begin: int, finish: int) -> tuple[int, int]:
    """The span widened to the word it lies in: the index matches whole words (an Arabic word
    with its article, a word with diacritics), and a mark inside a word would break the joining
    of Arabic letters."""
    while begin > 0 and (text[begin - 1].isalnum() or unicodedata.combining(text[begin - 1])):
        begin -= 1
    while finish < len(text) and (text[finish].isalnum() or unicodedata.combining(text[finish])):
        finish += 1
    return begin, finish


def term_marks(text: str, query: str) -> list[Mark]:
    """Where the search words occur in `text`, found in the folded text as the search does
    (case, Arabic diacritics and letter variants ignored; an article form finds the bare word)."""
    terms = [t for t in dict.fromkeys(query_terms(query)) if t]
    if not terms or not text:
        return []
    folded, starts = fold_mapped(text)
    out = []
    for term in terms:
        at = folded.find(term)
        while at >= 0 and len(out) < MAX_MARKS:
            end = at + len(term)
            begin, finish = _whole_word(text, starts[at], starts[end - 1] + 1)
            out.append(Mark(begin, finish, "term", f"matches '{term}'"))
            at = folded.find(term, end)
    return out
