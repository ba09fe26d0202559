"""Script and language of an OCR line, and whether a reading looks like text at all.

Arabic is told by its script (Unicode blocks). Among the Latin-script languages, a line's
language comes from the detector that reads post text (lingua, see ``watchfloor.text.language``);
a line it is not sure of (a name, a web address) is "other".
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable

__all__ = [
    "LANGUAGES",
    "dominant_language",
    "latin_language",
    "letters_by_script",
    "looks_like_text",
]

LANGUAGES = ("ar", "en", "fr", "de", "nl", "other")
LATIN_LANGUAGES = ("en", "fr", "de", "nl")


def _script(ch: str) -> str | None:
    """'arabic', 'latin', 'other' for a letter; None for digits, punctuation and spaces."""
    if not ch.isalpha():
        return None
    code = ord(ch)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    return "other"


def letters_by_script(text: str) -> Counter[str]:
    return Counter(s for ch in text if (s := _script(ch)) is not None)


def looks_like_text(text: str, script: str, min_word: int = 3) -> bool:
    """A word of at least `min_word` letters, all letters of `script` (a stray CJK or Latin glyph
    in a reading is a misread), not mostly the same one or two letters over and over (a railing
    read as 'IIIII'), and not more symbols than letters allow ('| À Lé')."""
    counts = letters_by_script(text)
    letters = sum(counts.values())
    if counts[script] != letters or not any(_letters(w) >= min_word for w in text.split()):
        return False
    distinct = {ch.lower() for ch in text if ch.isalpha()}
    if len(distinct) <= 2 and letters > 3:
        return False
    symbols = sum(1 for ch in text if unicodedata.category(ch)[0] in "PS")
    return symbols <= letters / 2


def _letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


def latin_language(text: str) -> str:
    """en, fr, de or nl for a Latin-script line, or 'other' (a name, a web address, Spanish):
    the post text's detector (``watchfloor.text.language``), so one set of models serves both."""
    from watchfloor.text.language import detect_language

    language = detect_language(text).language
    return language if language in LATIN_LANGUAGES else "other"


def dominant_language(lines: Iterable[tuple[str, str]]) -> str:
    """The language of most letters among (text, language) lines; 'other' if there are none."""
    letters: Counter[str] = Counter()
    for text, language in lines:
        letters[language] += sum(ch.isalpha() for ch in text)
    return letters.most_common(1)[0][0] if letters else "other"
