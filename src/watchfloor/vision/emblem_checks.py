"""Is a homography from an emblem's reference into an image a real detection?

A candidate must have enough inliers, map the reference onto a convex, non-mirrored,
non-degenerate quadrilateral of plausible size and aspect, spread its inliers over a fair share
of the emblem (a shared letter or corner is not the emblem), and, warped back onto the
reference, look like it (normalised cross-correlation of grey levels at thumbnail size).
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
    min_inliers: int = 12
    min_width_fraction: float = 0.04  # of the image width
    max_side_ratio: float = 3.0  # opposite sides of the quadrilateral
    max_aspect_change: float = 2.5  # the quadrilateral's aspect against the reference's
    min_spread: float = 0.08  # the inliers' hull, as a share of the reference area
    min_ncc: float = 0.3
    # A waving flag never lines up with one homography, so its NCC stays low however many
    # inliers it has; strong geometric support needs less appearance agreement.
    strong_inliers: int = 30
    min_ncc_strong: float = 0.1


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


def _appearance(query: QueryFeatures, model: EmblemModel, homography: np.ndarray) -> float:
    """NCC of the reference thumbnail and the image region warped back onto it."""
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
    blur = (3, 3)
    return ncc(
        cv2.GaussianBlur(model.thumb, blur, 0).ravel(), cv2.GaussianBlur(warped, blur, 0).ravel()
    )


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
    if len(src) < params.min_inliers:
        return None
    polygon = cv2.perspectiveTransform(
        _corners(model.width, model.height).reshape(-1, 1, 2), homography
    ).reshape(-1, 2)
    if not _plausible_shape(polygon, model, params):
        return None
    width_fraction = float(np.ptp(np.clip(polygon[:, 0], 0, query.width))) / query.width
    spread = _spread(src, model)
    if width_fraction < params.min_width_fraction or spread < params.min_spread:
        return None
    similarity = _appearance(query, model, homography)
    strong = len(src) >= params.strong_inliers
    if similarity < (params.min_ncc_strong if strong else params.min_ncc):
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
