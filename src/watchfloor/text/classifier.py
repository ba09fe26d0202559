"""The second stage: a small multinomial logistic regression over sentence embeddings and the
lexicon's label weights, trained when the scorer loads from the exemplars (no downloaded
weights), plus the nearest exemplars as evidence.

Deterministic: full-batch gradient descent from zeros, fixed steps. The matrices are small: on
a busy machine OpenBLAS's threads made training 25× slower than one thread, so BLAS runs on one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from watchfloor.text.exemplars import LABELS, Exemplar
from watchfloor.text.lexicon import ENTRY_LABELS

LEXICON_SCALE = 0.5  # one full-weight entry moves a feature as much as a large embedding shift
STEPS = 400
LEARNING_RATE = 0.5
L2 = 1e-3
NEIGHBOURS = 3
_blas: ThreadpoolController | None = None


def one_blas_thread():
    """Context manager: BLAS on one thread for the block."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def features(vectors: np.ndarray, weights: list[dict[str, float]]) -> np.ndarray:
    """Embedding and, per entry label, the summed lexicon weight (capped at 3)."""
    lex = np.array([[min(w[label], 3.0) for label in ENTRY_LABELS] for w in weights])
    return np.hstack([vectors, LEXICON_SCALE * lex.reshape(len(weights), len(ENTRY_LABELS))])


@dataclass
class Neighbour:
    exemplar: Exemplar
    similarity: float

    def as_dict(self) -> dict:
        e = self.exemplar
        return {
            "text": e.text,
            "label": e.label,
            "language": e.language,
            "similarity": round(self.similarity, 4),
            "source": e.source,
        }


class ThreatClassifier:
    def __init__(self, exemplars: list[Exemplar], vectors: np.ndarray, x: np.ndarray) -> None:
        self.exemplars = exemplars
        self.vectors = vectors
        y = np.array([LABELS.index(e.label) for e in exemplars])
        self.mean = x.mean(axis=0)
        self.scale = x.std(axis=0) + 1e-6
        with one_blas_thread():
            self.weights, self.bias = _train((x - self.mean) / self.scale, y, len(LABELS))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        with one_blas_thread():
            logits = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return _softmax(logits)

    def neighbours(self, vector: np.ndarray, k: int = NEIGHBOURS) -> list[Neighbour]:
        sims = np.einsum("ij,j->i", self.vectors, vector)
        order = np.argsort(-sims, kind="stable")[:k]
        return [Neighbour(self.exemplars[i], float(sims[i])) for i in order]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _train(x: np.ndarray, y: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    n, d = x.shape
    onehot = np.eye(classes)[y]
    # classes weighted by inverse frequency: analysts' additions must not tilt the balance
    counts = np.maximum(onehot.sum(axis=0), 1)
    sample_weight = (n / (classes * counts))[y][:, None]
    w, b = np.zeros((d, classes)), np.zeros(classes)
    for _ in range(STEPS):
        grad = (_softmax(x @ w + b) - onehot) * sample_weight / n
        w -= LEARNING_RATE * (x.T @ grad + L2 * w)
        b -= LEARNING_RATE * grad.sum(axis=0)
    return w, b
