"""Which gallery landmark a photo shows: shortlist, geometric verification, then a decision that
prefers no answer to a wrong one.

1. **Shortlist**: the ``shortlist`` gallery images nearest to the query by bag of visual words
   (``landmark_index``), at most ``per_landmark`` of one landmark while others are left.
2. **Verification**: RootSIFT ratio-test matches (0.85) from the query to each shortlisted image,
   one-to-one, and a USAC_MAGSAC homography (8 px at 1024 px). A pair counts only when the
   homography is sane (no mirror image, not squashed flat: singular values of its linear part
   within ``max_anisotropy``) and holds at least ``pair_inliers`` inliers.
3. **Decision**: each landmark scores the inliers of its counted pairs, summed (several views of
   a landmark agreeing is stronger evidence than one). The best landmark is accepted when it
   reaches ``accept_inliers`` and beats the best *other* landmark ``margin`` times over. When
   the best landmark has some counted inliers but too few, up to ``expand`` more of its photos
   are verified first (a hard view often matches several photos of its place weakly).

Measured on the 45 photos of ``../shared/data/landmarks`` (SIFT on every photo at 1024 px, no
cap on the number of features), every pair of photos of *different* landmarks: none above 9
homography inliers, and those with 9 had degenerate homographies (determinant near 0 or
negative); pairs of the same landmark reached 10-900. Leave-one-out with this pipeline: 36 of 45
accepted correctly, none wrong; without the expansion step it was 34
(``benchmarks/landmark_accuracy.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

from watchfloor.matching.verify import (
    Features,
    VerifyParams,
    magsac_homography,
    ratio_matches,
    single_threaded_opencv,
)
from watchfloor.vision.image_features import SHARED_FEATURES
from watchfloor.vision.landmark_index import GalleryIndex

__all__ = ["Candidate", "RecogniseParams", "Recognition", "query_features", "recognise"]


@dataclass(frozen=True)
class RecogniseParams:
    shortlist: int = 20
    per_landmark: int = 3  # shortlisted photos of one landmark while others are left
    ratio: float = 0.85
    ransac_px: float = 8.0  # at the 1024 px working size
    pair_inliers: int = 9  # a verified pair counts from here
    accept_inliers: int = 12  # a landmark's summed inliers needed to accept it
    margin: float = 1.5  # over the best other landmark
    max_anisotropy: float = 30.0
    expand: int = 10  # more photos of a landmark verified when it is close to accepted
    confident_inliers: int = 80  # stop verifying once a landmark has this many
    score_scale: float = 30.0  # score = 1 - exp(-inliers / score_scale)

    @property
    def key(self) -> str:
        return (
            f"k{self.shortlist}-l{self.per_landmark}-r{self.ratio}-px{self.ransac_px}-p{self.pair_inliers}"
            f"-a{self.accept_inliers}-m{self.margin}-an{self.max_anisotropy}"
            f"-e{self.expand}-c{self.confident_inliers}"
        )


@dataclass(frozen=True)
class Candidate:
    """One verified shortlisted gallery image."""

    row: int
    landmark: str
    gallery_id: int
    inliers: int  # 0 when the homography failed the sanity checks
    similarity: float  # the shortlist score
    polygon: list[list[float]] | None  # query region of the inliers, working-image pixels

    def as_dict(self) -> dict[str, Any]:
        return {"landmark": self.landmark, "gallery_id": self.gallery_id, "inliers": self.inliers}


@dataclass(frozen=True)
class Recognition:
    accepted: bool
    landmark: str | None  # the best landmark, accepted or not
    inliers: int
    runner_up: str | None
    runner_up_inliers: int
    candidates: list[Candidate]

    def supporting(self) -> list[Candidate]:
        return [c for c in self.candidates if c.landmark == self.landmark and c.inliers > 0]


def query_features(gallery: VerifyParams) -> VerifyParams:
    """How a query's features are computed against a gallery made with ``gallery``: the same,
    except that an image just under the working size is brought to it, as the emblem analyzer
    does (``image_features.SHARED_FEATURES``), so that both take one computation."""
    return replace(gallery, enlarge_from=SHARED_FEATURES.enlarge_from)


def _sane(homography: np.ndarray, params: RecogniseParams) -> bool:
    """No mirror image and not squashed towards a line: a view of the same 3-D scene from
    another place is neither (the degenerate ones come from chance matches)."""
    if abs(homography[2, 2]) < 1e-12:
        return False
    linear = homography[:2, :2] / homography[2, 2]
    if np.linalg.det(linear) <= 0:
        return False
    high, low = np.linalg.svd(linear, compute_uv=False)
    return low > 0 and high / low <= params.max_anisotropy


def _verify(query: Features, gallery: Features, params: RecogniseParams):
    src, dst = ratio_matches(
        query.root_sift, query.points, gallery.root_sift, gallery.points, params.ratio
    )
    if len(src) < params.pair_inliers:
        return 0, None
    homography, inliers = magsac_homography(src, dst, params.ransac_px)
    count = int(inliers.sum())
    if homography is None or count < params.pair_inliers or not _sane(homography, params):
        return 0, None
    box = cv2.boxPoints(cv2.minAreaRect(src[inliers].reshape(-1, 1, 2)))
    return count, [[round(float(x), 1), round(float(y), 1)] for x, y in box]


def _totals(candidates: list[Candidate]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for c in candidates:
        totals[c.landmark] = totals.get(c.landmark, 0) + c.inliers
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


def recognise(
    query: Features,
    index: GalleryIndex,
    params: RecogniseParams | None = None,
    *,
    exclude: frozenset[str] = frozenset(),
) -> Recognition:
    """The landmark the query shows, if the evidence is strong. ``exclude``: gallery SHA-256s
    left out (a leave-one-out evaluation leaves out the query itself)."""
    params = params or RecogniseParams()
    scores = index.scores(query)
    rows = index.shortlist(
        scores, params.shortlist, per_landmark=params.per_landmark, exclude=exclude
    )
    candidates: list[Candidate] = []
    with single_threaded_opencv():
        for row in rows:
            candidates.append(_candidate(query, index, row, scores, params))
            if _totals(candidates)[0][1] >= params.confident_inliers:
                break
        _expand(query, index, candidates, scores, params, exclude)
    return _decide(candidates, params)


def _candidate(query, index: GalleryIndex, row: int, scores, params) -> Candidate:
    entry = index.entries[row]
    inliers, polygon = _verify(query, index.gallery_features(row), params)
    return Candidate(row, entry["landmark"], entry["id"], inliers, float(scores[row]), polygon)


def _expand(query, index: GalleryIndex, candidates: list[Candidate], scores, params, exclude):
    """When the best landmark has verified some inliers but too few, verify more of its photos
    (best scored first): a hard view often matches several photos of its place weakly."""
    best, total = _totals(candidates)[0] if candidates else (None, 0)
    if best is None or not 0 < total < params.accept_inliers:
        return
    seen = {c.row for c in candidates}
    more = [
        r
        for r in index.rows_of(best)
        if r not in seen and index.entries[r]["sha256"] not in exclude
    ]
    for row in sorted(more, key=lambda r: -scores[r])[: params.expand]:
        candidates.append(_candidate(query, index, row, scores, params))
        if _totals(candidates)[0][1] >= params.accept_inliers:
            return


def _decide(candidates: list[Candidate], params: RecogniseParams) -> Recognition:
    totals = [*_totals(candidates), (None, 0), (None, 0)]
    (best, inliers), (second, second_inliers) = totals[0], totals[1]
    accepted = (
        best is not None
        and inliers >= params.accept_inliers
        and inliers >= params.margin * second_inliers
    )
    return Recognition(accepted, best, inliers, second, second_inliers, candidates)


def score(inliers: int, params: RecogniseParams) -> float:
    return round(1.0 - math.exp(-inliers / params.score_scale), 4)
