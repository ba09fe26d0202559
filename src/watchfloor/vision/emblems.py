"""Finding registered emblems (flags, logos) and watermarks in an image.

Each registered emblem becomes an ``EmblemModel``: SIFT keypoints (RootSIFT descriptors) pooled
from the reference at several sizes, so that an emblem at 15 % of a photo's width matches
features computed at about its own scale, plus a small grey thumbnail for the appearance check.

A query image is scaled to ``work_side`` and its SIFT features are computed once
(``QueryFeatures``; for an image at least that large they are the features the landmark
analyzer uses too, see ``vision.image_features``). For each emblem: ratio-test matches from the reference to the image,
one-to-one, a USAC_MAGSAC homography, then ``vision.emblem_checks`` decides whether it is a
detection (inliers, a sane polygon, the inliers' spread over the emblem, and the image region
warped back agreeing with the reference). A waving flag bends away from any one homography, so
a second fit allows a residual in proportion to the size the first fit found.

Watermarks are faint (alpha 0.35-0.6) and sit at fixed positions without perspective: when the
features do not find an emblem of kind ``watermark``, ``vision.watermarks`` searches the top and
bottom bands with a multi-scale template.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from watchfloor.matching.verify import (
    Features,
    features_of,
    magsac_homography,
    ratio_matches,
    root_sift,
    single_threaded_opencv,
    working_grey,
    working_rgb,
)
from watchfloor.vision.emblem_checks import CheckParams, Detection, check_candidate
from watchfloor.vision.image_features import SHARED_FEATURES
from watchfloor.vision.watermarks import (
    WatermarkHit,
    WatermarkParams,
    WatermarkTemplate,
    find_watermark,
    make_template,
)

__all__ = [
    "DetectParams",
    "EmblemModel",
    "QueryFeatures",
    "build_model",
    "detect_emblems",
    "query_features",
]

MODEL_VERSION = "1"


@dataclass(frozen=True)
class DetectParams:
    # the query image's long side (scaled up at most twice). An image that the shared features
    # (``image_features.SHARED_FEATURES``) bring to this size uses them: those of the landmark
    # analyzer too. Smaller ones are enlarged further than the landmark gallery's policy allows,
    # and get features of their own: with the shared features of 800 px photos (not enlarged),
    # the accuracy benchmark lost 1.1 points of emblem recall (waving at 15 %: 0.77) and found
    # one wrong emblem.
    work_side: int = 1024
    ref_sides: tuple[int, ...] = (512, 256, 128)  # reference sizes whose features are pooled
    ref_features: int = 1000  # per reference size
    thumb_side: int = 96  # long side of the appearance thumbnail
    ratio: float = 0.8
    ransac_px: float = 6.0  # at work_side
    bend: float = 0.04  # second fit: residual allowed, as a share of the polygon's diagonal
    min_first_inliers: int = 8  # of the first fit; the second must pass the checks
    checks: CheckParams = field(default_factory=CheckParams)
    watermarks: WatermarkParams = field(default_factory=WatermarkParams)

    @property
    def key(self) -> str:
        """What a model depends on (cached models are keyed by it)."""
        sides = "-".join(str(s) for s in self.ref_sides)
        wm = self.watermarks.template_width
        return f"m{MODEL_VERSION}-r{sides}-n{self.ref_features}-t{self.thumb_side}-w{wm}"


@dataclass(frozen=True)
class EmblemModel:
    emblem_id: int
    label: str
    kind: str
    width: int  # the reference frame: the reference scaled to the largest ref side
    height: int
    points: np.ndarray  # (n, 2) float32 in the reference frame
    descriptors: np.ndarray  # (n, 128) float32 RootSIFT
    thumb: np.ndarray  # grey float32, long side thumb_side
    template: WatermarkTemplate | None  # watermarks only

    @property
    def keypoints(self) -> int:
        return len(self.points)


@dataclass(frozen=True)
class QueryFeatures:
    width: int  # working image size
    height: int
    scale: float  # working pixels per original-image pixel
    points: np.ndarray
    descriptors: np.ndarray  # RootSIFT
    grey: np.ndarray  # uint8 working image


@functools.lru_cache(maxsize=8)
def _sift(n_features: int = 0, contrast: float = 0.04) -> cv2.SIFT:
    return cv2.SIFT_create(nfeatures=n_features, contrastThreshold=contrast)


def _resize(image: np.ndarray, long_side: float) -> tuple[np.ndarray, float]:
    h, w = image.shape[:2]
    scale = long_side / max(h, w)
    if abs(scale - 1) < 1e-3:
        return np.ascontiguousarray(image), 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, size, interpolation=interpolation), scale


def _grey(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def _sift_features(
    grey: np.ndarray, n_features: int = 0, contrast: float = 0.04
) -> tuple[np.ndarray, np.ndarray]:
    keypoints, descriptors = _sift(n_features, contrast).detectAndCompute(grey, None)
    points = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
    if descriptors is None:
        return points, np.zeros((0, 128), np.float32)
    return points, root_sift(descriptors)


def _pooled(grey: np.ndarray, params: DetectParams) -> tuple[np.ndarray, np.ndarray]:
    """Features of the reference at each of ``ref_sides``, in the largest one's frame."""
    base, _ = _resize(grey, params.ref_sides[0])
    points, descriptors = [], []
    for side in params.ref_sides:
        scaled, scale = _resize(base, side)
        p, d = _sift_features(scaled, params.ref_features)
        points.append(p / scale)
        descriptors.append(d)
    return np.concatenate(points), np.concatenate(descriptors)


def build_model(
    emblem_id: int, label: str, kind: str, rgb: np.ndarray, params: DetectParams
) -> EmblemModel:
    """The model of one reference image (RGB pixels)."""
    with single_threaded_opencv():
        grey = _grey(rgb)
        base, _ = _resize(grey, params.ref_sides[0])
        points, descriptors = _pooled(grey, params)
        thumb, _ = _resize(base, params.thumb_side)
        template = make_template(grey, params.watermarks) if kind == "watermark" else None
    return EmblemModel(
        emblem_id,
        label,
        kind,
        base.shape[1],
        base.shape[0],
        points,
        descriptors,
        thumb.astype(np.float32),
        template,
    )


def query_features(
    rgb: np.ndarray,
    params: DetectParams,
    *,
    pixel_size: float = 1.0,
    shared: Callable[[Callable[[], Features]], Features] | None = None,
) -> QueryFeatures:
    """SIFT features of an image at ``work_side``. ``pixel_size``: original pixels per pixel of
    ``rgb`` (a reduced decode), so that polygons come out in the original image's pixels.

    An image that ``image_features.SHARED_FEATURES`` analyses at ``work_side`` (larger, or at
    most 5 % smaller) gets those features, which the landmark analyzer computes as well:
    ``shared`` is given the computation and may return them from the hand-off instead. A
    smaller image is enlarged (at most twice) so that a small emblem in it still has keypoints,
    and its features are this analyzer's own."""
    h, w = rgb.shape[:2]
    shared_side = SHARED_FEATURES.working_side(max(h, w) * pixel_size)
    if shared_side == params.work_side == SHARED_FEATURES.max_side:
        working = working_rgb(rgb, SHARED_FEATURES)
        features = (shared or _compute)(functools.partial(features_of, working, SHARED_FEATURES))
        grey = working_grey(working, SHARED_FEATURES)
        scale = features.width / w / pixel_size
        return QueryFeatures(
            features.width, features.height, scale, features.points, features.root_sift, grey
        )
    side = min(params.work_side, 2 * max(h, w))
    with single_threaded_opencv():
        grey, scale = _resize(_grey(rgb), side)
        points, descriptors = _sift_features(grey)
    return QueryFeatures(
        grey.shape[1], grey.shape[0], scale / pixel_size, points, descriptors, grey
    )


def _compute(compute: Callable[[], Features]) -> Features:
    return compute()


def detect_emblems(
    query: QueryFeatures, models: list[EmblemModel], params: DetectParams
) -> list[Detection]:
    """Accepted detections (at most one per emblem), best first, in original-image pixels."""
    found: list[Detection] = []
    with single_threaded_opencv():
        for model in models:
            detection = _detect(query, model, params)
            if detection is None and model.template is not None:
                hit = find_watermark(query.grey, model.template, params.watermarks)
                detection = _watermark_detection(query, model, hit) if hit else None
            if detection is not None:
                found.append(detection)
    return sorted(found, key=lambda d: (-d.score, d.emblem_id))


def _detect(query: QueryFeatures, model: EmblemModel, params: DetectParams) -> Detection | None:
    src, dst = ratio_matches(
        model.descriptors, model.points, query.descriptors, query.points, params.ratio
    )
    if len(src) < params.min_first_inliers:
        return None
    homography, inliers = magsac_homography(src, dst, params.ransac_px)
    if homography is None or inliers.sum() < params.min_first_inliers:
        return None
    homography, inliers = _bent_fit(model, homography, inliers, src, dst, params)
    return check_candidate(query, model, homography, src[inliers], dst[inliers], params.checks)


def _bent_fit(
    model: EmblemModel,
    homography: np.ndarray,
    inliers: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    params: DetectParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Refit allowing a residual in proportion to the emblem's size in the image (a waving
    flag); keep the refit only if it explains more matches."""
    corners = np.array([[0, 0], [model.width, model.height]], np.float32).reshape(-1, 1, 2)
    mapped = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    diagonal = float(np.linalg.norm(mapped[1] - mapped[0]))
    threshold = params.bend * diagonal
    if not np.isfinite(threshold) or threshold <= params.ransac_px:
        return homography, inliers
    refit, more = magsac_homography(src, dst, threshold)
    if refit is None or more.sum() <= inliers.sum():
        return homography, inliers
    return refit, more


def _watermark_detection(query: QueryFeatures, model: EmblemModel, hit: WatermarkHit) -> Detection:
    x, y, w, h = (v / query.scale for v in hit.box)
    polygon = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
    return Detection(
        model.emblem_id,
        model.label,
        model.kind,
        [[round(float(a), 1), round(float(b), 1)] for a, b in polygon],
        0,
        round(min(1.0, hit.score + 0.3), 3),
        round(min(1.0, w * query.scale / query.width), 3),
        0.0,
        round(hit.score, 3),
        "watermark template",
    )
