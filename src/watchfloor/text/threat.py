"""Threat and incitement scoring of post and OCR text: a cascade that explains itself.

1. Lexicon (every text, ~0.2 ms): folded text against the language's phrases and patterns.
   A text with no ``threat`` or ``propaganda`` hit is ``neutral`` with score 0 and stops here;
   most benign posts never reach the embedder.
2. Embedding + classifier (flagged texts): the e5 embedding of the folded core text (without
   links, @mentions, trailing hashtags and emoji, so that a repost hits the cache) and the lexicon
   weights go through a logistic regression trained on the exemplars when the scorer loads;
   the label is the most probable of threat, propaganda, reporting, neutral, and the score is
   the probability of ``threat`` (threat or incitement). The nearest exemplars come along as
   evidence, so an analyst sees which labelled sentences the text resembles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from watchfloor.text.classifier import Neighbour, ThreatClassifier, features
from watchfloor.text.embeddings import Embedder
from watchfloor.text.exemplars import LABELS, Exemplar, shipped_exemplars
from watchfloor.text.language import detect_language
from watchfloor.text.lexicon import Lexicon, LexiconEntry, LexiconHit, flags, label_weights
from watchfloor.text.lexicon import shipped_entries as shipped_lexicon
from watchfloor.text.normalise import core_text, fold

MAX_EMBEDDED_CHARS = 2000  # e5 reads 512 tokens; a long post's opening carries its message


def embedding_text(text: str) -> str:
    """The embedder's input (and cache key): the folded core of the text, its opening part."""
    return fold(core_text(text)[:MAX_EMBEDDED_CHARS])


@dataclass(frozen=True)
class ThreatResult:
    label: str
    score: float
    language: str
    stage: str  # lexicon: stopped at the first stage; embedding: went through both
    lexicon: list[LexiconHit] = field(default_factory=list)
    exemplars: list[Neighbour] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)

    def value(self) -> dict[str, Any]:
        return {"label": self.label, "score": self.score, "language": self.language}

    def evidence(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "lexicon": [h.as_dict() for h in self.lexicon],
            "exemplars": [n.as_dict() for n in self.exemplars],
            "probabilities": self.probabilities,
        }


def merge(shipped: list, analyst: list, disabled: set) -> list:
    """Shipped items, minus those an analyst disabled, replaced or extended by analyst items
    (matched on ``key``)."""
    own = {item.key: item for item in analyst}
    kept = [s for s in shipped if s.key not in disabled and s.key not in own]
    return kept + list(own.values())


class ThreatScorer:
    """The cascade. Cheap to build; the classifier trains on first need (embedding the exemplars,
    from the cache when they were seen before)."""

    def __init__(
        self,
        entries: list[LexiconEntry],
        exemplars: list[Exemplar],
        embedder: Embedder | None = None,
    ) -> None:
        self.lexicon = Lexicon(entries)
        self.exemplars = exemplars
        self.embedder = embedder or Embedder(None)
        self._classifier: ThreatClassifier | None = None

    @classmethod
    def shipped(cls, embedder: Embedder | None = None) -> ThreatScorer:
        return cls(shipped_lexicon(), shipped_exemplars(), embedder)

    @property
    def classifier(self) -> ThreatClassifier:
        if self._classifier is None:
            texts = [embedding_text(e.text) for e in self.exemplars]
            vectors = self.embedder.embed(texts)
            weights = [
                label_weights(self.lexicon.match(e.text, e.language)) for e in self.exemplars
            ]
            self._classifier = ThreatClassifier(self.exemplars, vectors, features(vectors, weights))
        return self._classifier

    def score(self, text: str, language: str | None = None) -> ThreatResult:
        return self.score_many([text], [language])[0]

    def score_many(self, texts: list[str], languages: list[str | None]) -> list[ThreatResult]:
        """Scores a batch; flagged texts are embedded together (one model call)."""
        langs = [
            lang or detect_language(t).language for t, lang in zip(texts, languages, strict=True)
        ]
        hits = [self.lexicon.match(t, lang) for t, lang in zip(texts, langs, strict=True)]
        flagged = [i for i, h in enumerate(hits) if flags(h)]
        results: list[ThreatResult | None] = [
            None if flags(h) else ThreatResult("neutral", 0.0, lang, "lexicon", h)
            for h, lang in zip(hits, langs, strict=True)
        ]
        if flagged:
            vectors = self.embedder.embed([embedding_text(texts[i]) for i in flagged])
            weights = [label_weights(hits[i]) for i in flagged]
            probs = self.classifier.probabilities(features(vectors, weights))
            for row, i in enumerate(flagged):
                results[i] = self._second_stage(langs[i], hits[i], vectors[row], probs[row])
        return [r for r in results if r is not None]

    def _second_stage(
        self, language: str, hits: list[LexiconHit], vector: np.ndarray, probs: np.ndarray
    ) -> ThreatResult:
        label = LABELS[int(np.argmax(probs))]
        return ThreatResult(
            label,
            round(float(probs[LABELS.index("threat")]), 4),
            language,
            "embedding",
            hits,
            self.classifier.neighbours(vector),
            {name: round(float(p), 4) for name, p in zip(LABELS, probs, strict=True)},
        )
