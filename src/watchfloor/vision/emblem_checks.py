"""Is a homography from an emblem's reference into an image a real detection?

A candidate must have enough inliers, map the reference onto a convex, non-mirrored,
non-degenerate quadrilateral of plausible size and aspect, spread its inliers over a fair share
of the emblem (a shared letter or corner is not the emblem), and, warped back onto the
reference, look like it where the inliers are (normalised cross-correlation of grey levels at
thumbnail size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from watchfloor.matching.verify import ncc

if TYPE_CHECKING:
    from watchfloor.vision.emblems import EmblemModel, QueryFeatures

__all__ = ["CheckParams", "Detection", "check_candidate"]


@dataclass(frozen=True)
class CheckParams:
    """Three tiers: the usual one; strong geometric support (a waving flag bends away from one
    homography, so fewer of its inliers spread and its region lines up less well); and few
    inliers that agree very well with the reference (a small emblem in a busy photo). On the 45
    clean landmark photos no candidate reaches even 8 inliers; what the spread and NCC checks
    stop is one emblem's letters matching another's."""

    min_inliers: int = 12
    min_spread: float = 0.08  # the inliers' hull, as a share of the reference area
    min_ncc: float = 0.3
    strong_inliers: int = 30
    min_spread_strong: float = 0.03
    min_ncc_strong: float = 0.1
    confident_inliers: int = 10
    min_spread_confident: float = 0.1
    min_ncc_confident: float = 0.8
    min_width_fraction: float = 0.04  # of the image width
    max_side_ratio: float = 3.0  # opposite sides of the quadrilateral
    max_aspect_change: float = 2.5  # the quadrilateral's aspect against the reference's

    def accepts(self, inliers: int, spread: float, similarity: float) -> bool:
        if inliers >= self.strong_inliers:
            return spread >= self.min_spread_strong and similarity >= self.min_ncc_strong
        if inliers >= self.min_inliers:
            return spread >= self.min_spread and similarity >= self.min_ncc
        return (
            inliers >= self.confident_inliers
            and spread >= self.min_spread_confident
            and similarity >= self.min_ncc_confident
        )


@dataclass(frozen=True)
class Detection:
    emblem_id: int
    label: str
    kind: str
    polygon: list[list[float]]  # four corners in original-image pixels
    inliers: int
    score: float
    width_fraction: float
    spread: float
    ncc: float
    path: str  # "features" or "watermark template"

    def as_value(self) -> dict[str, Any]:
        return {
            "emblem_id": self.emblem_id,
            "label": self.label,
            "kind": self.kind,
            "polygon": self.polygon,
            "inliers": self.inliers,
            "score": self.score,
            "width_fraction": self.width_fraction,
        }

    def as_evidence(self) -> dict[str, Any]:
        return self.as_value() | {"spread": self.spread, "ncc": self.ncc, "path": self.path}


def _corners(width: float, height: float) -> np.ndarray:
    return np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)


def _signed_area(polygon: np.ndarray) -> float:
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _plausible_shape(polygon: np.ndarray, model: EmblemModel, params: CheckParams) -> bool:
    if not np.isfinite(polygon).all() or _signed_area(polygon) <= 0:
        return False  # degenerate or mirrored
    if not cv2.isContourConvex(polygon.reshape(-1, 1, 2).astype(np.float32)):
        return False
    sides = np.linalg.norm(polygon - np.roll(polygon, -1, axis=0), axis=1)
    if sides.min() <= 1:
        return False
    top, right, bottom, left = sides
    if max(top / bottom, bottom / top, left / right, right / left) > params.max_side_ratio:
        return False
    aspect = ((top + bottom) / (left + right)) / (model.width / model.height)
    return 1 / params.max_aspect_change <= aspect <= params.max_aspect_change


def _spread(src: np.ndarray, model: EmblemModel) -> float:
    hull = cv2.convexHull(src.reshape(-1, 1, 2).astype(np.float32))
    return float(cv2.contourArea(hull)) / (model.width * model.height)


def _appearance(
    query: QueryFeatures, model: EmblemModel, homography: np.ndarray, src: np.ndarray
) -> float:
    """NCC of the reference thumbnail and the image region warped back onto it, over the part
    of the emblem the inliers span (where the homography holds: a waving flag's other half
    may be bent away from it, an occluded part has no inliers)."""
    th, tw = model.thumb.shape
    to_ref = np.diag([model.width / tw, model.height / th, 1.0])
    mapping = homography @ to_ref  # thumbnail pixels -> working image pixels
    warped = cv2.warpPerspective(
        query.grey.astype(np.float32),
        mapping,
        (tw, th),
        flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    hull = cv2.convexHull((src * [tw / model.width, th / model.height]).astype(np.int32))
    mask = np.zeros((th, tw), np.uint8)
    cv2.fillConvexPoly(mask, hull, 1)
    inside = cv2.dilate(mask, np.ones((5, 5), np.uint8)).astype(bool)
    if inside.sum() < 64:
        inside[:] = True
    blur = (3, 3)
    reference = cv2.GaussianBlur(model.thumb, blur, 0)[inside]
    return ncc(reference, cv2.GaussianBlur(warped, blur, 0)[inside])


def _score(inliers: int, spread: float, similarity: float) -> float:
    support = 1 - np.exp(-inliers / 20)
    return round(float(np.clip(support * (0.5 + 0.5 * similarity) + 0.1 * min(spread, 1), 0, 1)), 3)


def check_candidate(
    query: QueryFeatures,
    model: EmblemModel,
    homography: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    params: CheckParams,
) -> Detection | None:
    """The detection if the candidate passes every check, else None."""
    if len(src) < min(params.min_inliers, params.confident_inliers):
        return None
    polygon = cv2.perspectiveTransform(
        _corners(model.width, model.height).reshape(-1, 1, 2), homography
    ).reshape(-1, 2)
    if not _plausible_shape(polygon, model, params):
        return None
    width_fraction = float(np.ptp(np.clip(polygon[:, 0], 0, query.width))) / query.width
    if width_fraction < params.min_width_fraction:
        return None
    spread = _spread(src, model)
    similarity = _appearance(query, model, homography, src)
    if not params.accepts(len(src), spread, similarity):
        return None
    original = polygon / query.scale
    return Detection(
        model.emblem_id,
        model.label,
        model.kind,
        [[round(float(x), 1), round(float(y), 1)] for x, y in original],
        len(src),
        _score(len(src), spread, similarity),
        round(min(1.0, width_fraction), 3),
        round(spread, 3),
        round(similarity, 3),
        "features",
    )
