"""Text folding shared by full-text search, lexicon matching and the embedding cache.

One implementation: case-folded (NFKC), and for Arabic script the diacritics (harakat, shadda,
sukun, superscript alef, Quranic marks) and tatweel removed, hamza/madda/wasla alef variants
(أ إ آ ٱ) read as ا, alef maqsura ى as ي, ta marbuta ة as ه, and hamza carriers ؤ ئ as و ي.
``fold_mapped`` gives the same folded text with the offset in the original of every folded
character, so that a lexicon match can be shown as a span of what the analyst reads.
"""

from __future__ import annotations

import re
import unicodedata

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
_ARABIC_FOLD_MAP = dict(_ARABIC_FOLD)
ARTICLE_PREFIXES = ("وال", "بال", "فال", "كال", "ال", "لل")
_ARTICLE = re.compile(r"^(?:وال|بال|فال|كال|ال|لل)(?=\w{2,})")
# The bare word of every word carrying the article: as _ARTICLE applied to each \w+ word.
_ARTICLE_STEM = re.compile(r"(?<!\w)(?:وال|بال|فال|كال|ال|لل)(\w{2,})")
_HAS_ARABIC = re.compile("[\u0600-\u06ff]")
_ARTICLE_INITIALS = frozenset("اوبفكل")


def has_arabic(text: str) -> bool:
    return not text.isascii() and _HAS_ARABIC.search(text) is not None  # isascii() is O(1)


def fold(value: str) -> str:
    """Case, compatibility forms and Arabic letter variants folded; diacritics and tatweel gone."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return fold_arabic(folded) if has_arabic(folded) else folded


def fold_arabic(folded: str) -> str:
    folded = _ARABIC_MARKS.sub("", folded)
    for variant, letter in _ARABIC_FOLD:
        folded = folded.replace(variant, letter)
    return folded


def without_article(word: str) -> str:
    """An Arabic word without its article (الدولة -> دولة); other words as they are."""
    return _ARTICLE.sub("", word) if word and word[0] in _ARTICLE_INITIALS else word


def article_stems(folded: str) -> list[str]:
    """The bare form of every Arabic word in folded text that carries the article."""
    return _ARTICLE_STEM.findall(folded) if has_arabic(folded) else []


_LINKS = re.compile(r"https?://\S+|www\.\S+|t\.me/\S+|@\w+")
_TRAILING_TAGS = re.compile(r"(?:\s*#\w+)+\s*$")
_SYMBOLS = frozenset(("So", "Sk", "Cs", "Co"))


def core_text(value: str) -> str:
    """What a post says, without what reposting adds: links, @mentions, a trailing run of
    hashtags, emoji and other symbols; whitespace collapsed. (Used as the embedder's input and
    cache key, so a repost with a different hashtag or link is embedded once.)"""
    text = _LINKS.sub(" ", value)
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) not in _SYMBOLS)
    return " ".join(_TRAILING_TAGS.sub("", text).split())


def fold_mapped(value: str) -> tuple[str, list[int]]:
    """``fold(value)`` character by character, with the original offset of each folded character.

    Composed first (NFC), so that a letter and its combining accent fold together; each
    character then folds alone, which for the rare compatibility sequences NFKC would join
    can differ from ``fold`` by a character."""
    if value.isascii():
        return value.lower(), list(range(len(value)))
    text = unicodedata.normalize("NFC", value)
    offsets = _nfc_offsets(value, text)
    chars: list[str] = []
    starts: list[int] = []
    for i, ch in enumerate(text):
        for out in _fold_char(ch):
            chars.append(out)
            starts.append(offsets[i])
    return "".join(chars), starts


def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    if _ARABIC_MARKS.match(ch):
        return ""
    if ch in _ARABIC_FOLD_MAP:
        return _ARABIC_FOLD_MAP[ch]
    return unicodedata.normalize("NFKC", ch).casefold()


def _nfc_offsets(original: str, composed: str) -> list[int]:
    """Offset in ``original`` of each character of its NFC form (identity when NFC is a no-op)."""
    if original == composed:
        return list(range(len(original)))
    offsets, i = [], 0
    for ch in composed:
        offsets.append(i)
        # a composed character stands for its decomposition in the original
        i += max(1, len(unicodedata.normalize("NFD", ch))) if original[i : i + 1] != ch else 1
    return offsets
