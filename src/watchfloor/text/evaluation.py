"""Held-out evaluation of the threat cascade on the exemplars (used by benchmarks/text.py and
the tests).

Splits are by translation group (a sentence and its translations fall on the same side, since
the embedder maps translations close together) and stratified by label, with a seeded shuffle.
Every exemplar is scored by a scorer trained on the other folds, with the whole cascade: an
exemplar the lexicon does not flag is predicted neutral.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from watchfloor.text.embeddings import Embedder
from watchfloor.text.exemplars import LABELS, Exemplar
from watchfloor.text.lexicon import LexiconEntry
from watchfloor.text.threat import ThreatScorer


def group_folds(exemplars: list[Exemplar], folds: int, seed: int) -> list[list[Exemplar]]:
    """Exemplars in ``folds`` parts; groups whole, each label's groups dealt round-robin."""
    groups: dict[tuple[str, str], list[Exemplar]] = defaultdict(list)
    for e in exemplars:
        groups[(e.label, e.group or e.text)].append(e)
    rng = random.Random(seed)
    parts: list[list[Exemplar]] = [[] for _ in range(folds)]
    for label in LABELS:
        keys = sorted(k for k in groups if k[0] == label)
        rng.shuffle(keys)
        for i, key in enumerate(keys):
            parts[i % folds].extend(groups[key])
    return parts


@dataclass
class Predictions:
    truth: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)

    def subset(self, language: str) -> Predictions:
        keep = [i for i, lang in enumerate(self.languages) if lang == language]
        return Predictions(
            [self.truth[i] for i in keep],
            [self.predicted[i] for i in keep],
            [language] * len(keep),
            [self.stages[i] for i in keep],
        )

    def macro_f1(self) -> float:
        return sum(self.f1(label) for label in LABELS) / len(LABELS)

    def f1(self, label: str) -> float:
        """F1 of one label against the rest (``threat``: the binary threat-vs-rest F1)."""
        pairs = list(zip(self.truth, self.predicted, strict=True))
        tp = sum(t == label and p == label for t, p in pairs)
        fp = sum(t != label and p == label for t, p in pairs)
        fn = sum(t == label and p != label for t, p in pairs)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def confusion(self, truth: str, predicted: str) -> int:
        return sum(
            t == truth and p == predicted for t, p in zip(self.truth, self.predicted, strict=True)
        )


def cross_validate(
    entries: list[LexiconEntry],
    exemplars: list[Exemplar],
    embedder: Embedder,
    folds: int = 5,
    seed: int = 7,
) -> Predictions:
    parts = group_folds(exemplars, folds, seed)
    out = Predictions()
    for k, held_out in enumerate(parts):
        train = [e for j, part in enumerate(parts) if j != k for e in part]
        scorer = ThreatScorer(entries, train, embedder)
        results = scorer.score_many([e.text for e in held_out], [e.language for e in held_out])
        for e, r in zip(held_out, results, strict=True):
            out.truth.append(e.label)
            out.predicted.append(r.label)
            out.languages.append(e.language)
            out.stages.append(r.stage)
    return out
