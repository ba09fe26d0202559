"""Text analyzers: ``language`` of posts, and threat scoring of post text (``threat``) and of text
read in images (``ocr_threat``). One core (watchfloor.text.threat), two thin analyzers.

Both scoring analyzers prepare from the store: they read the analysts' lexicon entries and
exemplars (``watchfloor lexicon`` / ``watchfloor exemplars``), and the fingerprint of those and
of the shipped data goes into ``effective_version``, so an analyst's addition re-scores every
post. The scorer (lexicon, exemplar embeddings, classifier) is built once per worker process.
A text the lexicon does not flag gets no signal (most posts): it is neutral with score 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from watchfloor.analyzers.base import (
    Analyzer,
    AnalyzerRejected,
    MediaItem,
    PostItem,
    PreparesFromStore,
    SignalOut,
)
from watchfloor.text.embeddings import Embedder
from watchfloor.text.language import LANGUAGES, OTHER, detect_language, language_from_hint
from watchfloor.text.threat import ThreatResult, ThreatScorer
from watchfloor.text.tuning import Tuning, read_tuning

CACHE_FOLDER = "text-cache"
_scorers: dict[tuple[str, str | None], ThreatScorer] = {}  # one per process and tuning


def _post_text(item: Any) -> str:
    text = getattr(item, "text", None)
    if not isinstance(text, str):
        raise AnalyzerRejected("bad_input", f"post text is not a string: {type(text).__name__}")
    return text


def ocr_text(inputs: dict) -> tuple[str, Any]:
    """The text of the ``ocr_text`` signal an analyzer needs, and the OCR's language hint."""
    ocr = inputs.get("ocr_text")
    text = ocr.get("text") if isinstance(ocr, dict) else None
    if not isinstance(text, str):
        raise AnalyzerRejected("bad_input", f"malformed ocr_text signal: {ocr!r}")
    return text, ocr.get("language")


class LanguageAnalyzer(Analyzer):
    name: ClassVar[str] = "language"
    version: ClassVar[str] = "1"
    subject = "post"
    emits: ClassVar[tuple[str, ...]] = ("language",)
    description: ClassVar[str] = (
        "Language of the post text (ar, en, fr, de, nl or other) with lingua's confidence"
    )

    def accepts(self, item: MediaItem | PostItem) -> bool:
        return not isinstance(item.text, str) or bool(item.text.strip())

    def analyze(self, item: PostItem, inputs: dict) -> list[SignalOut]:
        guess = detect_language(_post_text(item))
        return [SignalOut("language", guess.as_dict(), guess.confidence)]


class _ThreatScoring(Analyzer, PreparesFromStore):
    version: ClassVar[str] = "1"
    _tuning: Tuning = Tuning()
    _fingerprint: str | None = None

    def prepare(self, store: Any) -> None:
        with store.connect() as conn:
            self._tuning = read_tuning(conn)
        self._fingerprint = None

    @property
    def effective_version(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = self._tuning.fingerprint
        return f"{self.version}+{self._fingerprint}"

    def scorer(self) -> ThreatScorer:
        workspace = self.options.workspace
        cache = str(Path(workspace) / CACHE_FOLDER) if workspace else None
        key = (self.effective_version, cache)
        if key not in _scorers:
            _scorers[key] = self._tuning.scorer(Embedder(cache))
        return _scorers[key]

    def _signal(self, kind: str, text: str, language: str | None) -> list[SignalOut]:
        result: ThreatResult = self.scorer().score(text, language)
        if result.stage == "lexicon":
            return []
        return [SignalOut(kind, result.value(), result.score, result.evidence())]


class ThreatAnalyzer(_ThreatScoring):
    name: ClassVar[str] = "threat"
    subject = "post"
    emits: ClassVar[tuple[str, ...]] = ("threat",)
    needs: ClassVar[tuple[str, ...]] = ("language",)
    description: ClassVar[str] = (
        "Threat/incitement score of the post text and a label (threat, propaganda, reporting, "
        "neutral) with the lexicon hits and nearest exemplars that drove it"
    )

    def analyze(self, item: PostItem, inputs: dict) -> list[SignalOut]:
        language = inputs.get("language")
        code = language.get("language") if isinstance(language, dict) else None
        if code not in (*LANGUAGES, OTHER):
            raise AnalyzerRejected("bad_input", f"malformed language signal: {language!r}")
        return self._signal("threat", _post_text(item), code)


class OcrThreatAnalyzer(_ThreatScoring):
    name: ClassVar[str] = "ocr_threat"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("ocr_threat",)
    needs: ClassVar[tuple[str, ...]] = ("ocr_text",)
    description: ClassVar[str] = (
        "The threat scoring of `threat`, on the text read in an image (the ocr_text signal)"
    )

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        text, hint = ocr_text(inputs)
        if not text.strip():
            return []
        language = language_from_hint(hint) or detect_language(text).language
        return self._signal("ocr_threat", text, language)
