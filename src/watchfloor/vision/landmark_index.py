"""The shortlist stage of landmark recognition: a bag of visual words over the enabled gallery,
kept under ``<workspace>/gallery/``.

A visual vocabulary tree (faiss k-means on a sample of the gallery's RootSIFT descriptors, two
levels, so that assigning millions of descriptors stays cheap) maps each descriptor to a word. Each gallery image becomes a tf-idf vector (square-rooted term
counts against burstiness, L2-normalised) in an inverted file: per word, the gallery rows that
hold it and their weights. A query scores every gallery image by walking only the posting lists
of its own words, and the best ``k`` go on to geometric verification; the work per query grows
with the posting lists it touches, not with a verification per gallery image.

Building and keeping the index in step with the gallery: ``landmark_build``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from watchfloor.faiss_threads import single_threaded_faiss
from watchfloor.matching.feature_cache import FeatureCache
from watchfloor.matching.index import expand_ranges
from watchfloor.matching.verify import Features, VerifyParams
from watchfloor.store.media_store import content_relpath
from watchfloor.vision.image_features import GALLERY_FEATURES

__all__ = [
    "GALLERY_DIRNAME",
    "GalleryIndex",
    "GalleryRef",
    "IndexParams",
    "Vocabulary",
    "build_postings",
    "gallery_directory",
    "index_descriptors",
    "open_gallery_index",
]

GALLERY_DIRNAME = "gallery"
FORMAT = "watchfloor-gallery-index-1"


@dataclass(frozen=True)
class IndexParams:
    # SIFT at 1024 px with no cap on the number of features: capping at 4,000 lost the
    # matches of wide-baseline pairs (St Paul's: 6 homography inliers capped, 40-52 uncapped)
    features: VerifyParams = GALLERY_FEATURES
    index_features: int = 4000  # descriptors per image that get words (evenly chosen)
    # the vocabulary is trained on sample_per_image descriptors of every image, at least
    # min_sample and at most max_sample: it grows with the gallery, so posting lists stay short
    sample_per_image: int = 50
    min_sample: int = 120_000
    max_sample: int = 1_000_000
    descriptors_per_word: int = 40
    min_words: int = 256
    max_words: int = 8192
    kmeans_iterations: int = 10

    @property
    def key(self) -> str:
        vocabulary = f"w{self.descriptors_per_word}-s{self.sample_per_image}-{self.min_sample}"
        return f"{FORMAT}-{self.features.features_key}-i{self.index_features}-{vocabulary}"

    def sample_per(self, images: int) -> int:
        """How many descriptors of each of ``images`` images train the vocabulary."""
        total = min(self.max_sample, max(self.min_sample, self.sample_per_image * images))
        return max(1, total // max(1, images))


def gallery_directory(workspace: str | Path) -> Path:
    return Path(workspace) / GALLERY_DIRNAME


class Vocabulary:
    """A two-level vocabulary tree (Nistér & Stewénius): ``branch`` coarse k-means centroids of
    RootSIFT, each split into ``branch`` fine ones, so assigning a descriptor costs 2 x branch
    distances instead of branch squared. A word is ``coarse * branch + fine``."""

    def __init__(self, coarse: np.ndarray, fine: np.ndarray) -> None:
        self.coarse = np.ascontiguousarray(coarse, dtype=np.float32)  # (branch, d)
        self.fine = np.ascontiguousarray(fine, dtype=np.float32)  # (branch, branch, d)
        self.branch = len(self.coarse)

    @classmethod
    def train(cls, sample: np.ndarray, params: IndexParams) -> Vocabulary:
        sample = np.ascontiguousarray(sample, dtype=np.float32).reshape(-1, 128)
        if len(sample) < 4:  # a gallery of (nearly) featureless images: one word
            return cls(np.zeros((1, 128), np.float32), np.zeros((1, 1, 128), np.float32))
        words = np.clip(
            len(sample) // params.descriptors_per_word, params.min_words, params.max_words
        )
        branch = max(2, min(int(np.sqrt(words)), len(sample) // 2))
        coarse = _kmeans(sample, branch, params.kmeans_iterations)
        cells = _nearest(coarse, sample)
        fine = np.full((branch, branch, sample.shape[1]), FAR, np.float32)
        for cell in range(branch):
            members = sample[cells == cell]
            k = min(branch, len(members))
            if k:
                fine[cell, :k] = (
                    members[:1] if k == 1 else _kmeans(members, k, params.kmeans_iterations)
                )
        return cls(coarse, fine)

    def __len__(self) -> int:
        return self.branch * self.branch

    def cells(self, descriptors: np.ndarray) -> np.ndarray:
        return _nearest(self.coarse, descriptors)

    def assign(self, descriptors: np.ndarray) -> np.ndarray:
        descriptors = np.ascontiguousarray(descriptors, dtype=np.float32)
        cells = self.cells(descriptors)
        words = np.zeros(len(descriptors), np.int32)
        for cell in np.unique(cells):
            rows = np.flatnonzero(cells == cell)
            words[rows] = cell * self.branch + _nearest(self.fine[cell], descriptors[rows])
        return words

    def save(self, folder: Path) -> None:
        np.save(folder / "coarse.npy", self.coarse)
        np.save(folder / "fine.npy", self.fine)

    @classmethod
    def load(cls, folder: Path) -> Vocabulary:
        return cls(np.load(folder / "coarse.npy"), np.load(folder / "fine.npy"))

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.coarse.tobytes() + self.fine.tobytes())
        return digest.hexdigest()[:16]


FAR = 1e6  # coordinates of the unused fine words of a sparse cell: never the nearest


def _kmeans(points: np.ndarray, k: int, iterations: int) -> np.ndarray:
    with single_threaded_faiss():
        return _train(points, k, iterations)


def _train(points: np.ndarray, k: int, iterations: int) -> np.ndarray:
    kmeans = faiss.Kmeans(
        points.shape[1], k, niter=iterations, seed=1234, verbose=False, min_points_per_centroid=1
    )
    kmeans.train(points)
    return kmeans.centroids


def _nearest(centroids: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid of each point (squared L2, one matrix product)."""
    if len(points) == 0:
        return np.zeros(0, np.int32)
    distances = (centroids * centroids).sum(axis=1) - 2.0 * (points @ centroids.T)
    return distances.argmin(axis=1).astype(np.int32)


def index_descriptors(features: Features, limit: int) -> np.ndarray:
    """At most ``limit`` RootSIFT rows, evenly spread over the image's keypoints."""
    rows = features.root_sift
    if len(rows) <= limit:
        return rows
    return rows[np.linspace(0, len(rows) - 1, limit).astype(np.int64)]


def _tf(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, counts = np.unique(words, return_counts=True)
    return unique, np.sqrt(counts.astype(np.float32))


def build_postings(word_lists: list[np.ndarray], vocabulary_size: int) -> dict[str, np.ndarray]:
    """The inverted file of the images' words: ``indptr`` (per word), ``images``, ``weights``
    (tf-idf, each image's vector of unit length) and ``idf``. Intermediates are dropped as soon
    as they are used: at 10,000 images the postings hold some 30 million entries."""
    per_image = [_tf(w) for w in word_lists]
    counts = [len(u) for u, _ in per_image]
    words = np.concatenate([u for u, _ in per_image] or [np.zeros(0, np.int32)])
    weights = np.concatenate([t for _, t in per_image] or [np.zeros(0, np.float32)])
    del per_image
    rows = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    df = np.bincount(words, minlength=vocabulary_size)
    idf = np.log(max(1, len(word_lists)) / np.maximum(df, 1)).astype(np.float32)
    weights *= idf[words]
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=len(counts)))
    weights /= np.maximum(norms[rows], 1e-12).astype(np.float32)
    order = np.argsort(words, kind="stable")
    del words
    indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
    return {"indptr": indptr, "images": rows[order], "weights": weights[order], "idf": idf}


@dataclass(frozen=True)
class GalleryRef:
    """What a worker needs to open the index; pickles. ``name`` None: the gallery is empty."""

    root: str
    media_root: str
    name: str | None
    fingerprint: str
    params: IndexParams


class GalleryIndex:
    def __init__(self, ref: GalleryRef) -> None:
        assert ref.name is not None
        root = Path(ref.root)
        folder = root / ref.name
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.entries: list[dict[str, Any]] = meta["entries"]
        self._by_landmark: dict[str, list[int]] = {}
        for row, entry in enumerate(self.entries):
            self._by_landmark.setdefault(entry["landmark"], []).append(row)
        self.vocabulary = Vocabulary.load(root / meta["vocabulary"])
        arrays = {k: np.load(folder / f"{k}.npy", mmap_mode="r") for k in _POSTINGS}
        self.indptr, self.images = arrays["indptr"], arrays["images"]
        self.weights, self.idf = arrays["weights"], arrays["idf"]
        self.params = ref.params
        self.media_root = Path(ref.media_root)
        self.features = FeatureCache(root / "features", ref.params.features, memory_items=64)

    def __len__(self) -> int:
        return len(self.entries)

    def scores(self, features: Features) -> np.ndarray:
        """The tf-idf similarity of the query to every gallery row (0 for no shared word)."""
        return self.scores_of(index_descriptors(features, self.params.index_features))

    def scores_of(self, root_sift: np.ndarray) -> np.ndarray:
        scores = np.zeros(len(self.entries))
        words = self.vocabulary.assign(root_sift)
        if len(words) == 0 or not self.entries:
            return scores
        unique, tf = _tf(words)
        query = tf * self.idf[unique]
        query /= max(float(np.linalg.norm(query)), 1e-12)
        starts, ends = self.indptr[unique], self.indptr[unique + 1]
        positions = expand_ranges(starts, ends - starts)
        contributions = self.weights[positions] * np.repeat(query, ends - starts)
        return np.bincount(self.images[positions], contributions, minlength=len(self.entries))

    def shortlist(
        self,
        scores: np.ndarray,
        k: int,
        *,
        per_landmark: int = 3,
        exclude: frozenset[str] = frozenset(),
    ) -> list[int]:
        """The ``k`` gallery rows with the best ``scores``, best first, at most
        ``per_landmark`` of one landmark while other landmarks are left (then the rest, best
        first): a landmark with many photos cannot crowd the others out of verification."""
        chosen: list[int] = []
        spare: list[int] = []
        taken: Counter[str] = Counter()
        for row in np.argsort(-scores, kind="stable"):
            entry = self.entries[row]
            if scores[row] <= 0 or len(chosen) >= k:
                break
            if entry["sha256"] in exclude:
                continue
            if taken[entry["landmark"]] < per_landmark:
                chosen.append(int(row))
                taken[entry["landmark"]] += 1
            else:
                spare.append(int(row))
        return chosen + spare[: max(0, k - len(chosen))]

    def rows_of(self, landmark: str) -> list[int]:
        return self._by_landmark.get(landmark, [])

    def gallery_features(self, row: int) -> Features:
        return self.features.get(self.entries[row]["sha256"], self.media_path(row))

    def media_path(self, row: int) -> Path:
        sha256 = self.entries[row]["sha256"]
        return self.media_root / content_relpath(sha256)


_POSTINGS = ("indptr", "images", "weights", "idf")


@functools.lru_cache(maxsize=2)
def open_gallery_index(ref: GalleryRef) -> GalleryIndex:
    """Opened once per process and reference (the files of a reference never change)."""
    return GalleryIndex(ref)
