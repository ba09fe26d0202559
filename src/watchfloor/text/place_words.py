"""Words that make place names ambiguous in the five languages (``data/place_words.txt``,
written by hand; each section is described there)."""

from __future__ import annotations

from functools import cache
from importlib import resources

WORDS_FILE = "place_words.txt"


@cache
def _sections() -> dict[str, frozenset[str]]:
    text = resources.files("watchfloor.text").joinpath("data", WORDS_FILE).read_text("utf-8")
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif current is not None:
            current.update(line.split())
    return {name: frozenset(words) for name, words in sections.items()}


COMMON_WORD_PLACES = _sections()["common"]
PERSON_NAMES = _sections()["person"]
FUNCTION_WORDS = _sections()["function"]
DETERMINERS = _sections()["determiners"]
ARABIC_COMMON_WORDS = _sections()["arabic_common"]
ARABIC_SHORT_NAMES = _sections()["arabic_short"]
NEVER = _sections()["never"]
