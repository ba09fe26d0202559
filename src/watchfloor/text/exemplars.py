"""Labelled exemplars: the sentences the threat classifier learns from and cites as evidence.

The shipped set (``data/exemplars.jsonl``) is written for this project: stand-in phrasing, no
real propaganda text. Each line has text, label, language, a note, and a group: translations of
one sentence share a group, so that an evaluation never tests a sentence whose translation it
trained on. Analysts add their own through ``watchfloor exemplars add``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from watchfloor.text.language import LANGUAGES, OTHER

LABELS = ("threat", "propaganda", "reporting", "neutral")
EXEMPLARS_FILE = "data/exemplars.jsonl"


@dataclass(frozen=True)
class Exemplar:
    text: str
    label: str
    language: str
    note: str | None = None
    group: str | None = None
    source: str = "shipped"  # shipped or analyst

    @property
    def key(self) -> tuple[str, str]:
        return (self.text, self.label)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate_exemplar(exemplar: Exemplar) -> None:
    if exemplar.label not in LABELS:
        raise ValueError(f"label must be one of {', '.join(LABELS)}, not {exemplar.label!r}")
    if exemplar.language not in (*LANGUAGES, OTHER):
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)} or other")
    if not exemplar.text.strip():
        raise ValueError("the text is empty")
    if len(exemplar.text) > 2000:
        raise ValueError("an exemplar is a sentence or a short post (2,000 characters at most)")


def shipped_exemplars() -> list[Exemplar]:
    data = resources.files("watchfloor.text").joinpath(EXEMPLARS_FILE)
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    return [Exemplar(**row, source="shipped") for row in rows]


def shipped_data_bytes() -> bytes:
    """The shipped lexicon and exemplars as bytes, for a fingerprint of what the model learns."""
    files = resources.files("watchfloor.text")
    return b"".join(files.joinpath(n).read_bytes() for n in (EXEMPLARS_FILE, "data/lexicon.jsonl"))
