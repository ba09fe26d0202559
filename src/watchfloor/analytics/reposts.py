"""Repost groups across the whole corpus, robust to crops, scaling, re-encoding and captions.

Two stages, so that no image is compared with every other one:

1. **Candidates** (``repost_index``): each image's ``crop_descriptor`` (``analyzers/crops.py``)
   goes into a faiss HNSW graph; a new image asks for its nearest neighbours, as it is and
   turned or mirrored.
2. **Verification** (``matching/verify.py``): SIFT/RootSIFT, ratio test, one-to-one matches, a
   MAGSAC homography with at least 12 inliers, and three tests that tell the same picture from
   another photo of the same scene (one similarity transform, mutual coverage, pixel agreement).

Verified pairs are joined with union-find; a group's id is the smallest SHA-256 among its media,
so the same corpus gives the same ids however often and in whatever order it was grouped.
``update_repost_groups`` is incremental: only media not grouped before query the index and are
verified; a group they join is rewritten only when its id changes. When the grouping version or
the descriptors' version changes, everything is regrouped. Local features are cached under
``<workspace>/reposts/features`` and the index under ``<workspace>/reposts``; both may be deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection

from watchfloor.analytics import repost_store as rs
from watchfloor.analytics.repost_index import Candidate, CandidateParams, DescriptorIndex
from watchfloor.analytics.repost_verify import PairVerifier, VerifySettings
from watchfloor.config import Settings
from watchfloor.matching.verify import PairCheck, VerifyParams
from watchfloor.pdq import hamming_distance
from watchfloor.store import Store

__all__ = ["VERSION", "RepostParams", "RepostReport", "UnionFind", "update_repost_groups"]

VERSION = "1"
CHUNK = 4096  # descriptors read and indexed at a time
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RepostParams:
    candidates: CandidateParams = field(default_factory=CandidateParams)
    verify: VerifyParams = field(default_factory=VerifyParams)


@dataclass
class RepostReport:
    media: int = 0  # media with a usable descriptor, after the run
    new: int = 0  # media grouped for the first time in this run
    rebuilt: bool = False  # everything was regrouped (a version changed)
    candidates: int = 0  # candidate pairs the index proposed
    verified: int = 0  # pairs checked with local features
    accepted: int = 0  # pairs found to be the same picture
    skipped: int = 0  # candidate pairs already joined through other pairs
    features_computed: int = 0  # images whose local features were not cached yet
    groups: int = 0  # repost groups (two or more media), after the run
    grouped_media: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.groups} groups ({self.grouped_media} images); {self.new} new images, "
            f"{self.verified} pairs verified, {self.accepted} accepted"
        )


class UnionFind:
    """Disjoint sets of SHA-256 values; a set's root is its smallest member."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def connected(self, a: str, b: str) -> bool:
        return self.find(a) == self.find(b)


def update_repost_groups(
    store: Store,
    settings: Settings,
    *,
    workers: int = 1,
    params: RepostParams | None = None,
    on_progress: ProgressCallback | None = None,
) -> RepostReport:
    """Group the media not grouped yet with the rest of the corpus; returns what it did."""
    grouping = _Grouping(store, settings, params or RepostParams(), workers, on_progress)
    return grouping.run()


class _Grouping:
    """One run: read the state, find and verify candidates, write the groups that changed."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        params: RepostParams,
        workers: int,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.store, self.settings, self.params = store, settings, params
        self.workers, self.on_progress = workers, on_progress
        self.report = RepostReport()
        self.folder = settings.workspace / "reposts"
        self.uf = UnionFind()
        self.edges: dict[str, list[dict[str, Any]]] = {}
        self.infos: dict[str, rs.DescriptorInfo] = {}
        self.memberships: dict[str, rs.GroupMembership] = {}
        self.new: list[str] = []

    def run(self) -> RepostReport:
        started = time.monotonic()
        self._prepare()
        if self.new:
            index = self._index()
            self._verify(self._candidates(index))
            self._write()
            index.save(self.folder, self._index_key())
        self._summarise()
        self.report.seconds = round(time.monotonic() - started, 3)
        return self.report

    def _index_key(self) -> str:
        versions = sorted({info.input_key for info in self.infos.values()})
        return f"v{VERSION}-" + "-".join(v.replace(":", "") for v in versions)

    def _prepare(self) -> None:
        """Read the state; regroup from scratch when any grouped media is out of date."""
        with self.store.begin() as conn:
            self.infos = rs.descriptor_infos(conn)
            states = rs.processed_states(conn)
            if any(
                sha not in self.infos or state != (VERSION, self.infos[sha].input_key)
                for sha, state in states.items()
            ):
                rs.clear_groups(conn)
                states, self.report.rebuilt = {}, True
            self.memberships = rs.group_memberships(conn)
        self.new = sorted(sha for sha in self.infos if sha not in states)
        self.report.new = len(self.new)
        for sha, membership in self.memberships.items():
            self.uf.union(sha, membership.group)

    def _index(self) -> DescriptorIndex:
        """The saved index of the media grouped before, or one rebuilt from their descriptors."""
        new = set(self.new)
        old = sorted(sha for sha, i in self.infos.items() if i.usable and sha not in new)
        p = self.params.candidates
        index = DescriptorIndex.load(self.folder, self._index_key(), p, set(old))
        if index is None:
            index = DescriptorIndex(p)
            with self.store.connect() as conn:
                _add(index, rs.descriptor_vectors(conn, old))
        return index

    def _candidates(self, index: DescriptorIndex) -> list[Candidate]:
        """Add the new media to the index a chunk at a time, then ask it for each one's
        neighbours (two new copies in one chunk find each other from either side, in different
        chunks from the later one's side, as in a later run)."""
        usable = [sha for sha in self.new if self.infos[sha].usable]
        best: dict[tuple[str, str], Candidate] = {}
        for start in range(0, len(usable), CHUNK):
            with self.store.connect() as conn:
                rows = list(rs.descriptor_vectors(conn, usable[start : start + CHUNK]))
            _add(index, rows)
            for sha, vector, aspect in rows:
                for c in index.candidates(sha, vector, aspect):
                    key = (min(c.query, c.other), max(c.query, c.other))
                    if key not in best or c.similarity > best[key].similarity:
                        best[key] = c
        self.report.candidates = len(best)
        return sorted(best.values(), key=lambda c: (-c.similarity, c.query, c.other))

    def _verify(self, candidates: list[Candidate]) -> None:
        with self.store.connect() as conn:
            shas = (s for c in candidates for s in (c.query, c.other))
            paths = rs.media_paths(conn, self.store.media, shas)
        candidates = [c for c in candidates if c.query in paths and c.other in paths]
        settings = VerifySettings(
            self.params.verify,
            self.folder / "features",
            self.settings.max_image_pixels,
            self.workers,
        )
        accepted: list[tuple[Candidate, PairCheck]] = []
        verifier = PairVerifier(settings)
        for candidate, check in verifier.run(
            candidates, paths, self.uf.connected, self.on_progress
        ):
            self.report.verified += 1
            if check.accepted:
                self.uf.union(candidate.query, candidate.other)
                accepted.append((candidate, check))
        self.report.accepted = len(accepted)
        self.report.skipped = len(candidates) - self.report.verified
        self.report.features_computed = verifier.computed
        self._record_edges(accepted)

    def _record_edges(self, accepted: list[tuple[Candidate, PairCheck]]) -> None:
        with self.store.connect() as conn:
            hashes = rs.pdq_values(conn, (s for c, _ in accepted for s in (c.query, c.other)))
        for candidate, check in accepted:
            edge: dict[str, Any] = {
                "with": candidate.other,
                "similarity": round(candidate.similarity, 3),
                "variant": candidate.variant,
            }
            edge |= {k: v for k, v in check.evidence().items() if k not in ("accepted", "reason")}
            edge |= _pdq_distances(hashes.get(candidate.query), hashes.get(candidate.other))
            self.edges.setdefault(candidate.query, []).append(edge)

    def _write(self) -> None:
        group_of: dict[str, str] = {}
        for group in _components(self.uf, set(self.memberships) | set(self.new)):
            group_of |= dict.fromkeys(group, min(group))
        with self.store.begin() as conn:
            for sha in self.new:
                membership = None
                if sha in group_of:
                    evidence = {"verified": self.edges.get(sha, [])}
                    membership = rs.GroupMembership(group_of[sha], evidence)
                rs.record_membership(conn, VERSION, sha, self.infos[sha].input_key, membership)
            self._rewrite_moved(conn, group_of)

    def _rewrite_moved(self, conn: Connection, group_of: dict[str, str]) -> None:
        """Earlier members whose group id changed because their group merged with another."""
        for sha, old in self.memberships.items():
            group = group_of.get(sha, old.group)
            if group != old.group and sha in self.infos:
                membership = rs.GroupMembership(group, old.evidence)
                rs.record_membership(conn, VERSION, sha, self.infos[sha].input_key, membership)

    def _summarise(self) -> None:
        with self.store.connect() as conn:
            memberships = rs.group_memberships(conn)
        self.report.media = sum(info.usable for info in self.infos.values())
        self.report.grouped_media = len(memberships)
        self.report.groups = len({m.group for m in memberships.values()})


def _add(index: DescriptorIndex, rows: Iterable[tuple[str, np.ndarray, float]]) -> None:
    """Add (sha256, vector, aspect) rows a chunk at a time (memory stays bounded)."""
    batch: list[tuple[str, np.ndarray, float]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            _add_batch(index, batch)
            batch = []
    _add_batch(index, batch)


def _add_batch(index: DescriptorIndex, batch: list[tuple[str, np.ndarray, float]]) -> None:
    if batch:
        shas, vectors, aspects = zip(*batch, strict=True)
        index.add(list(shas), np.stack(vectors), list(aspects))


def _components(uf: UnionFind, members: Iterable[str]) -> list[list[str]]:
    """The groups of two or more among ``members``."""
    by_root: dict[str, list[str]] = {}
    for sha in sorted(members):
        by_root.setdefault(uf.find(sha), []).append(sha)
    return [group for group in by_root.values() if len(group) > 1]


def _pdq_distances(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, int]:
    """PDQ distance of the pair as they are, and the least over the other's 8 rotations/flips:
    evidence of what a PDQ match alone would have said."""
    if not a or not b or "pdq" not in a or "pdq" not in b:
        return {}
    mine = a["pdq"]["hash"]
    out = {"pdq_distance": hamming_distance(mine, b["pdq"]["hash"])}
    turned = (b.get("pdq_dihedral") or {}).values()
    if turned:
        out["pdq_distance_dihedral"] = min(hamming_distance(mine, h) for h in turned)
    return out
