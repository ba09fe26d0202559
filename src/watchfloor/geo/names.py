"""Place names folded for lookup, and slugs for stable keys.

Folding is the text folding of ``text/normalise.py`` (case, Arabic letter variants, diacritics,
tatweel) plus what place names need on top: Latin accents and ligatures removed, punctuation
read as a space, and the Arabic article dropped from every word, so «الكابيتول» and «كابيتول»,
"Sacré-Cœur" and "sacre coeur", "St. Paul's" and "st pauls" meet.
"""

from __future__ import annotations

import re
import unicodedata

from watchfloor.text.normalise import fold, without_article

_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("ø", "o"), ("ł", "l"), ("đ", "d"), ("ı", "i"))
_APOSTROPHES = re.compile("['’‘`ʼ]")
_NOT_WORD = re.compile(r"[\W_]+")
_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_ARABIC_BLOCK = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def _strip_marks(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_name(value: str) -> str:
    """The form names are compared in; '' for a name with no letters or digits."""
    if value.isascii():  # most names: nothing to fold but case and punctuation
        return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", value.lower())).split())
    folded = fold(value)
    for ligature, letters in _LIGATURES:
        folded = folded.replace(ligature, letters)
    if _ARABIC_BLOCK.search(folded) is None:
        folded = _strip_marks(folded)
    else:  # NFKD would split Arabic letters such as آ: only the other letters lose their marks
        folded = "".join(c if _ARABIC_BLOCK.match(c) else _strip_marks(c) for c in folded)
    folded = _APOSTROPHES.sub("", folded)
    words = _NOT_WORD.sub(" ", folded).split()
    return " ".join(without_article(w) for w in words)


def slugify(value: str) -> str:
    """ASCII slug for keys ('Sacré-Cœur Basilica' -> 'sacre-coeur-basilica'); Arabic-only names
    keep their folded letters so that they still give a stable, distinct key."""
    folded = fold_name(value)
    ascii_slug = _ASCII_WORD.sub("-", folded).strip("-")
    if ascii_slug:
        return ascii_slug
    return "-".join(folded.split())
