"""The candidate stage of repost grouping: nearest neighbours of crop descriptors in a faiss HNSW
graph (approximate, sub-linear search: no image is compared with every other one).

Each image is added once, as its ``crop_descriptor`` vector. A query asks for the neighbours of
the image's eight quarter-turn/mirror variants (``analyzers.crops.dihedral_variants``): the
``k`` nearest of the image as it is, and the ``k_turned`` nearest of each other variant when
they are at least ``min_turned_similarity`` alike. Neighbours whose shape (aspect ratio, turned
with the variant) differs by more than ``max_aspect_change`` are passed over: the descriptor
squeezes every image to a square, so a picture squashed to another shape can look alike without
being a crop of it (verification, which allows only a similarity transform, would refuse it
anyway and the pair would take the place of a real copy). The graph is saved beside a list of
the media it holds and reused by the next run when that list is still what the store says.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from watchfloor.analyzers.crops import DESCRIPTOR_DIM, dihedral_variants
from watchfloor.faiss_threads import single_threaded_faiss

__all__ = ["Candidate", "CandidateParams", "DescriptorIndex"]


@dataclass(frozen=True)
class CandidateParams:
    k: int = 10  # neighbours of the image as it is
    min_similarity: float = 0.4  # inner product of unit descriptors; reposts: median 0.97
    k_turned: int = 2  # neighbours of each rotated or mirrored variant
    min_turned_similarity: float = 0.9  # turned copies: 0.935 and more, measured
    max_aspect_change: float = 0.3  # |log(aspect ratio / other aspect ratio)|, 0.3: 35 %
    search_depth: int = 4  # neighbours fetched per neighbour kept, before the shape filter
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128


@dataclass(frozen=True)
class Candidate:
    query: str  # media SHA-256
    other: str
    similarity: float
    variant: str  # how the query image was turned to look like the other one

    @property
    def mirrored(self) -> bool:
        return self.variant.startswith("mirror")


class DescriptorIndex:
    def __init__(self, params: CandidateParams) -> None:
        self.params = params
        self.index = faiss.IndexHNSWFlat(DESCRIPTOR_DIM, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = params.ef_construction
        self.ids: list[str] = []
        self.log_aspects: list[float] = []

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, shas: list[str], vectors: np.ndarray, aspects: list[float]) -> None:
        if not shas:
            return
        with single_threaded_faiss():  # HNSW insertion: deterministic on one thread
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.ids.extend(shas)
        self.log_aspects.extend(math.log(a) for a in aspects)

    def candidates(self, sha: str, vector: np.ndarray, aspect: float) -> list[Candidate]:
        """Other images that may be the same picture as ``sha``, best first, one per image."""
        if not self.ids:
            return []
        p = self.params
        variants = dihedral_variants(vector)
        names = list(variants)
        depth = min(len(self.ids), p.search_depth * max(p.k, p.k_turned) + 1)
        self.index.hnsw.efSearch = max(p.ef_search, depth)
        sims, rows = self.index.search(np.stack([variants[n] for n in names]), depth)
        best: dict[str, Candidate] = {}
        for name, sim_row, id_row in zip(names, sims, rows, strict=True):
            for c in self._kept(sha, math.log(aspect), name, sim_row, id_row):
                if c.other not in best or c.similarity > best[c.other].similarity:
                    best[c.other] = c
        return sorted(best.values(), key=lambda c: (-c.similarity, c.other))

    def _kept(
        self, sha: str, log_aspect: float, variant: str, sims: np.ndarray, rows: np.ndarray
    ) -> Iterator[Candidate]:
        """The first neighbours of one variant that are alike enough and of a fitting shape."""
        p = self.params
        turned = variant != "orig"
        keep = p.k_turned if turned else p.k
        floor = p.min_turned_similarity if turned else p.min_similarity
        if variant.endswith(("rot90", "rot270")):
            log_aspect = -log_aspect  # a quarter turn swaps width and height
        kept = 0
        for similarity, row in zip(sims, rows, strict=True):
            if kept == keep or similarity < floor:
                return
            if row < 0 or self.ids[row] == sha:
                continue
            if abs(self.log_aspects[row] - log_aspect) <= p.max_aspect_change:
                kept += 1
                yield Candidate(sha, self.ids[row], float(similarity), variant)

    def save(self, folder: Path, key: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        graph, ids = _paths(folder, key)
        faiss.write_index(self.index, str(graph) + ".tmp")
        lines = (f"{sha} {la!r}" for sha, la in zip(self.ids, self.log_aspects, strict=True))
        ids.with_suffix(".tmp").write_text("\n".join(lines), encoding="ascii")
        os.replace(str(graph) + ".tmp", graph)
        os.replace(ids.with_suffix(".tmp"), ids)

    @classmethod
    def load(
        cls, folder: Path, key: str, params: CandidateParams, expected: set[str]
    ) -> DescriptorIndex | None:
        """The saved index if it holds exactly ``expected``; None when absent, stale or damaged."""
        graph, ids_path = _paths(folder, key)
        try:
            rows = [line.split(" ") for line in ids_path.read_text(encoding="ascii").split("\n")]
            ids = [row[0] for row in rows if row[0]]
            log_aspects = [float(row[1]) for row in rows if row[0]]
            if len(ids) != len(expected) or set(ids) != expected:
                return None
            index = faiss.read_index(str(graph))
        except (OSError, RuntimeError, UnicodeDecodeError, IndexError, ValueError):
            return None
        if index.ntotal != len(ids) or index.d != DESCRIPTOR_DIM:
            return None
        loaded = cls(params)
        loaded.index, loaded.ids, loaded.log_aspects = index, ids, log_aspects
        return loaded


def _paths(folder: Path, key: str) -> tuple[Path, Path]:
    return folder / f"descriptors-{key}.faiss", folder / f"descriptors-{key}.ids"
