"""The lexicon: per-language phrases and patterns that flag a text and explain its score.

Entries carry a label. ``threat`` and ``propaganda`` entries are the cascade's first stage: a text
matching none of them is neutral and never reaches the embedder. ``reporting`` entries (news
framing, attribution verbs, quoted phrases) never flag a text on their own; with the others they
are features of the classifier and evidence for the analyst.

Matching runs on folded text (``normalise.fold_mapped``) and reports spans of the original.
A ``phrase`` matches as whole words; an Arabic phrase also with a clitic or the article in front
(و ف ب ل ك س ال) and a short suffix (ها هم كم نا ه ي ات ين ون) behind. A ``regex`` is matched as
written (on folded text). Language "*" applies to every text.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from watchfloor.text.normalise import fold, fold_mapped, has_arabic

ENTRY_LABELS = ("threat", "propaganda", "reporting")
FLAGGING_LABELS = frozenset({"threat", "propaganda"})
KINDS = ("phrase", "regex")
ANY_LANGUAGE = "*"
MAX_HITS = 20
_AR_PREFIX = "(?:وال|فال|بال|كال|لل|ال|[وفبلكس])?"
_AR_SUFFIX = "(?:ها|هم|كم|نا|ات|ين|ون|يه|ه|ي)?"


@dataclass(frozen=True)
class LexiconEntry:
    language: str
    phrase: str
    label: str
    weight: float = 1.0
    kind: str = "phrase"
    note: str | None = None
    source: str = "shipped"  # shipped or analyst

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.language, self.phrase, self.label)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LexiconHit:
    phrase: str
    label: str
    weight: float
    language: str
    source: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate_entry(entry: LexiconEntry) -> None:
    """ValueError with the reason when an entry cannot be used."""
    if entry.label not in ENTRY_LABELS:
        raise ValueError(f"label must be one of {', '.join(ENTRY_LABELS)}, not {entry.label!r}")
    if entry.kind not in KINDS:
        raise ValueError(f"kind must be phrase or regex, not {entry.kind!r}")
    if not entry.phrase.strip():
        raise ValueError("the phrase is empty")
    if not 0 < entry.weight <= 5:
        raise ValueError(f"weight must be in (0, 5], not {entry.weight}")
    pattern = _pattern(entry)
    if pattern.search("") is not None:
        raise ValueError(f"{entry.phrase!r} matches the empty text")


def _pattern(entry: LexiconEntry) -> re.Pattern[str]:
    if entry.kind == "regex":
        try:
            return re.compile(entry.phrase, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
    body = r"\s+".join(re.escape(w) for w in fold(entry.phrase).split())
    if has_arabic(body):
        return re.compile(rf"(?<!\w){_AR_PREFIX}{body}{_AR_SUFFIX}(?!\w)")
    return re.compile(rf"(?<!\w){body}(?!\w)")


def shipped_entries() -> list[LexiconEntry]:
    data = resources.files("watchfloor.text").joinpath("data/lexicon.jsonl")
    entries = []
    for line in data.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            entries.append(LexiconEntry(**row, source="shipped"))
    return entries


class Lexicon:
    """Compiled entries, grouped by language."""

    def __init__(self, entries: list[LexiconEntry]) -> None:
        self.entries = entries
        self._by_language: dict[str, list[tuple[re.Pattern[str], LexiconEntry]]] = {}
        for entry in entries:
            compiled = (_pattern(entry), entry)
            self._by_language.setdefault(entry.language, []).append(compiled)

    def _patterns(self, language: str | None) -> list[tuple[re.Pattern[str], LexiconEntry]]:
        if language in self._by_language and language != ANY_LANGUAGE:
            return self._by_language[language] + self._by_language.get(ANY_LANGUAGE, [])
        return [p for patterns in self._by_language.values() for p in patterns]

    def match(self, text: str, language: str | None) -> list[LexiconHit]:
        """Hits in reading order; a language we have no entries for is matched against all."""
        folded, starts = fold_mapped(text)
        hits = []
        for pattern, entry in self._patterns(language):
            for m in pattern.finditer(folded):
                hits.append(_hit(entry, text, starts, m.start(), m.end()))
        hits.sort(key=lambda h: (h.start, -h.weight))
        return hits[:MAX_HITS]


def _hit(entry: LexiconEntry, text: str, starts: list[int], start: int, end: int) -> LexiconHit:
    begin = starts[start] if start < len(starts) else len(text)
    finish = starts[end - 1] + 1 if end - 1 < len(starts) else len(text)
    return LexiconHit(
        entry.phrase,
        entry.label,
        entry.weight,
        entry.language,
        entry.source,
        begin,
        finish,
        text[begin:finish],
    )


def flags(hits: list[LexiconHit]) -> bool:
    """Whether the text goes on to the embedder."""
    return any(h.label in FLAGGING_LABELS for h in hits)


def label_weights(hits: list[LexiconHit]) -> dict[str, float]:
    """Summed weight per entry label."""
    totals = dict.fromkeys(ENTRY_LABELS, 0.0)
    for h in hits:
        totals[h.label] += h.weight
    return totals
