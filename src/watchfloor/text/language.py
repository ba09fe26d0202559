"""Language of short texts: ar, en, fr, de, nl, or other.

Lingua's models are compiled into its wheel (nothing is downloaded). It is given the five
languages we read plus six frequent others (es, pt, it, tr, ru, fa): a Spanish or Persian post is
then told apart as "other" instead of being forced into the nearest of the five. The detector
loads lazily, once per process (~6 s and ~300 MB; memory-resident models are shared by threads).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("ar", "en", "fr", "de", "nl")
OTHER = "other"
_ALSO_KNOWN = ("es", "pt", "it", "tr", "ru", "fa")
# Below this confidence the top language is a guess between near-equals: "other".
MIN_CONFIDENCE = 0.3
MIN_LETTERS = 3
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|t\.me/\S+")
_LETTER = re.compile(r"[^\W\d_]")

_detector: Any = None
_lock = threading.Lock()


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # one of LANGUAGES or "other"
    confidence: float
    detected: str | None  # what lingua saw (ISO 639-1), e.g. "es" for an "other"

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "confidence": self.confidence,
            "detected": self.detected,
        }


def _load() -> Any:
    global _detector
    with _lock:
        if _detector is None:
            from lingua import IsoCode639_1, LanguageDetectorBuilder

            codes = [getattr(IsoCode639_1, c.upper()) for c in (*LANGUAGES, *_ALSO_KNOWN)]
            _detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
    return _detector


def clean_for_detection(text: str) -> str:
    """Links and @mentions say nothing about the language of the text around them."""
    return " ".join(_NOISE.sub(" ", text).replace("#", " ").split())


def detect_language(text: str) -> LanguageGuess:
    cleaned = clean_for_detection(text)
    if len(_LETTER.findall(cleaned)) < MIN_LETTERS:
        return LanguageGuess(OTHER, 0.0, None)
    detector = _load()
    # the top language, then its confidence alone: half the time of all the confidence values
    top = detector.detect_language_of(cleaned)
    if top is None:
        return LanguageGuess(OTHER, 0.0, None)
    code = top.iso_code_639_1.name.lower()
    confidence = round(float(detector.compute_language_confidence(cleaned, top)), 4)
    known = code in LANGUAGES and confidence >= MIN_CONFIDENCE
    return LanguageGuess(code if known else OTHER, confidence, code)


def language_from_hint(hint: Any) -> str | None:
    """A language code given by another analyzer (e.g. OCR's "ara" or "en"), as ours, or None."""
    if not isinstance(hint, str):
        return None
    code = hint.strip().lower()
    code = _TESSERACT.get(code, code)
    return code if code in LANGUAGES else None


_TESSERACT = {"ara": "ar", "eng": "en", "fra": "fr", "deu": "de", "nld": "nl"}
