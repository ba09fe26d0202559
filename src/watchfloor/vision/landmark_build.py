"""Building the landmark gallery index under ``<workspace>/gallery/`` (see ``landmark_index``).

``sync_gallery_index(store, root)`` runs in the main process: nothing is done while the enabled
gallery is unchanged. Otherwise the vocabulary is kept unless the gallery has more than doubled
since it was trained, the words of images already indexed with it are reused, and only new
images are read (their SIFT features are cached by SHA-256 under ``features/``). Worker processes
open an index once, memory-mapped (``open_gallery_index``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from watchfloor.imaging import ImageRejected
from watchfloor.matching.feature_cache import FeatureCache
from watchfloor.matching.index_files import atomic_write, locked
from watchfloor.matching.verify import Features
from watchfloor.vision.gallery import GalleryEntry, gallery_fingerprint, list_entries
from watchfloor.vision.landmark_index import (
    FORMAT,
    GalleryRef,
    IndexParams,
    Vocabulary,
    build_postings,
    index_descriptors,
)

__all__ = ["KEEP_INDEXES", "sync_gallery_index", "write_index"]

KEEP_INDEXES = 2


def _entry_json(e: GalleryEntry) -> dict[str, Any]:
    return {"id": e.id, "sha256": e.sha256} | asdict(e.place)


def sync_gallery_index(store: Any, root: Path, params: IndexParams | None = None) -> GalleryRef:
    """Bring the index under ``root`` in step with the enabled gallery; returns its reference."""
    params = params or IndexParams()
    with store.connect() as conn:
        entries = list_entries(conn, enabled_only=True)
    fingerprint = hashlib.sha256(
        f"{params.key}:{gallery_fingerprint(entries)}".encode()
    ).hexdigest()[:16]
    media_root = str(store.media.root)
    if not entries:
        return GalleryRef(str(root), media_root, None, fingerprint, params)
    name = f"index-{fingerprint}"
    with locked(root):
        if not (root / name / "meta.json").exists():
            _build(root, name, entries, store.media.path_for, params)
            atomic_write(root / "CURRENT", name)
            _collect_garbage(root, name)
    return GalleryRef(str(root), media_root, name, fingerprint, params)


def _previous(root: Path) -> tuple[dict[str, Any], Path] | None:
    try:
        folder = root / (root / "CURRENT").read_text(encoding="utf-8").strip()
        return json.loads((folder / "meta.json").read_text(encoding="utf-8")), folder
    except (OSError, ValueError):
        return None


def _build(root: Path, name: str, entries: list[GalleryEntry], path_for, params: IndexParams):
    cache = FeatureCache(root / "features", params.features, memory_items=8)
    previous = _previous(root)
    vocabulary_name, vocabulary, known = _vocabulary(
        root, entries, cache, path_for, params, previous
    )
    words: list[np.ndarray] = []
    kept: list[GalleryEntry] = []
    for e in entries:
        held = known.get(e.sha256)
        if held is None and (features := _features(cache, e, path_for)) is not None:
            held = vocabulary.assign(index_descriptors(features, params.index_features))
        if held is not None:
            words.append(held)
            kept.append(e)
    trained_on = json.loads((root / vocabulary_name / "meta.json").read_text())["trained_on"]
    meta = {
        "format": FORMAT,
        "vocabulary": vocabulary_name,
        "trained_on": trained_on,
        "entries": [_entry_json(e) for e in kept],
        "unreadable": [e.id for e in entries if e not in kept],
    }
    write_index(root / name, words, len(vocabulary), meta)


def _features(cache: FeatureCache, entry: GalleryEntry, path_for) -> Features | None:
    """A gallery image's features; None if its bytes went missing or no longer decode (they
    were checked when it was added), so that one lost file does not stop recognition."""
    try:
        return cache.get(entry.sha256, path_for(entry.sha256))
    except (ImageRejected, OSError):
        return None


def _vocabulary(root, entries, cache, path_for, params, previous):
    """The vocabulary to index with, and the words of images already indexed with it."""
    if previous is not None:
        meta, folder = previous
        if len(entries) <= 2 * meta["trained_on"] and (root / meta["vocabulary"]).exists():
            words = np.load(folder / "words.npy")
            offsets = np.load(folder / "word_offsets.npy")
            known = {
                e["sha256"]: words[offsets[i] : offsets[i + 1]]
                for i, e in enumerate(meta["entries"])
            }
            return meta["vocabulary"], Vocabulary.load(root / meta["vocabulary"]), known
    sample = _training_sample(entries, cache, path_for, params)
    vocabulary = Vocabulary.train(sample, params)
    name = f"vocabulary-{vocabulary.fingerprint}"
    (root / name).mkdir(parents=True, exist_ok=True)
    vocabulary.save(root / name)
    atomic_write(root / name / "meta.json", json.dumps({"trained_on": len(entries)}))
    return name, vocabulary, {}


def _training_sample(entries, cache, path_for, params: IndexParams) -> np.ndarray:
    per_image = params.sample_per(len(entries))
    parts = [
        index_descriptors(f, per_image) for e in entries if (f := _features(cache, e, path_for))
    ]
    return np.concatenate(parts or [np.zeros((0, 128), np.float32)])


def write_index(folder: Path, words: list[np.ndarray], size: int, meta: dict[str, Any]) -> None:
    tmp = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.save(tmp / "words.npy", np.concatenate(words).astype(np.int32))
    np.save(tmp / "word_offsets.npy", np.concatenate(([0], np.cumsum([len(w) for w in words]))))
    for key, array in build_postings(words, size).items():
        np.save(tmp / f"{key}.npy", array)
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def _collect_garbage(root: Path, current: str) -> None:
    """Keeps the newest indexes and the vocabularies they use."""
    indexes = sorted(root.glob("index-*"), key=lambda p: p.stat().st_mtime_ns)
    keep = {p.name for p in indexes[-KEEP_INDEXES:]} | {current}
    for path in indexes:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    used = set()
    for name in keep:
        try:
            used.add(json.loads((root / name / "meta.json").read_text())["vocabulary"])
        except (OSError, ValueError, KeyError):
            continue
    for path in root.glob("vocabulary-*"):
        if path.name not in used:
            shutil.rmtree(path, ignore_errors=True)
