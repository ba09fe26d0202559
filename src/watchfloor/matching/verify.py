"""Local-feature verification: are two images the same picture (a repost), not just the same scene?

SIFT keypoints with RootSIFT descriptors, Lowe's ratio test (0.8), one-to-one matches and a
USAC_MAGSAC homography with at least 12 inliers: the recipe measured in STACK.md, where pairs of
photos of *different* landmarks never reached more than 9 inliers. That alone does not separate
reposts from other photos of the *same* scene: two tourists' photos of the British Museum's
façade share more than a hundred homography inliers, and two different pictures stamped with
the same caption match on the caption. A repost is the same pixels cropped, scaled, turned by
quarter turns or mirrored, and re-encoded, so six more tests must all hold:

- **rigid**: one similarity transform (rotation, uniform scale, translation) explains at least
  85 % of the homography inliers within ``rigid_px``;
- **residual**: and puts them, in the median, within ``max_residual_px`` of where they are
  (a repost: 0.06-0.38 px at 384 px; another photo of the scene: 0.5 px and more, because
  viewpoints differ by more than a similarity);
- **coverage**: each image covers at least half of the other one (an emblem or a photo inside
  a collage covers a small part of the larger image);
- **spread**: the inliers span at least a fifth of each image (a shared caption or logo does not);
- **ncc**: the two images, one warped onto the other by the homography, correlate at
  ``dense_side`` pixels over their overlap (people, clouds and light differ between photos);
- **colour**: and agree in colour (median chroma difference; skipped when either is grey, so a
  black-and-white copy still counts): copies of one design on another colour are apart.

Measured on the 81 real photos of ``../shared/data`` with three planted reposts each: of 2,592
pairs of different photos of the same landmark (reposts included; 1,168 with 12 inliers or
more), none passed; the few that failed a single test failed it clearly (residual 0.59 px and
more where reposts stay under 0.38; NCC 0.45 and less where reposts reach 0.55 and more). Of
438 repost pairs with 12 inliers or more, 436 passed (the other two joined their group through
other pairs); reposts differed in colour by 6.5 at most. See ``tests/test_reposts.py``.

Mirrored reposts: SIFT descriptors are not mirror-invariant, so the candidate stage says when a
pair looks mirrored and the features of the mirrored image are used (any flip is a mirror plus a
rotation, and SIFT handles rotations). ``feature_cache.FeatureCache`` keeps features by SHA-256.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, ParamSpec, TypeVar

import cv2
import numpy as np

from watchfloor.imaging import DEFAULT_MAX_PIXELS, DecodedImage, decode_rgb

__all__ = [
    "Features",
    "PairCheck",
    "VerifyParams",
    "decode_for",
    "extract_features",
    "features_of",
    "magsac_homography",
    "ncc",
    "ratio_matches",
    "root_sift",
    "single_threaded_opencv",
    "verify_pair",
    "working_grey",
    "working_rgb",
]

FEATURES_VERSION = "2"
GREY_CHROMA = 8.0  # |Cr - 128| + |Cb - 128| under which (for 90 % of pixels) an image is grey

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def single_threaded_opencv() -> Iterator[None]:
    """Run OpenCV on this thread only, so that it starts no thread pool here: a process forked
    while OpenCV's pool exists inherits the pool's locks, and its first OpenCV call can hang."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def _opencv_on_one_thread(function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with single_threaded_opencv():
            return function(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class VerifyParams:
    max_side: int = 384  # SIFT runs on the image scaled down to this long side
    n_features: int = 500
    ratio: float = 0.8  # Lowe's ratio test
    ransac_px: float = 3.0  # MAGSAC threshold at max_side (STACK.md: 8 px at 1024)
    min_inliers: int = 12  # STACK.md: wrong pairs never above 9 inliers
    rigid_px: float = 1.2  # the similarity's inlier threshold at max_side
    min_rigid: float = 0.85
    max_residual_px: float = 0.45
    min_coverage: float = 0.5
    min_spread: float = 0.2
    dense_side: int = 128  # long side of the thumbnail the dense checks compare
    min_ncc: float = 0.6
    max_colour: float = 12.0  # median |Cr| + |Cb| difference (reposts: a few levels)
    # an image whose long side is at least this share (at most 1) of max_side, and less, is
    # enlarged to it (1: never enlarged)
    enlarge_from: float = 1.0

    @property
    def features_key(self) -> str:
        """What the cached features depend on."""
        key = f"v{FEATURES_VERSION}-s{self.max_side}-n{self.n_features}-d{self.dense_side}"
        return key if self.enlarge_from >= 1 else f"{key}-e{self.enlarge_from}"

    def working_side(self, long_side: float) -> float:
        """The long side an image of ``long_side`` pixels is analysed at."""
        return self.max_side if long_side >= self.enlarge_from * self.max_side else long_side


@dataclass(frozen=True)
class Features:
    points: np.ndarray  # (n, 2) float32 keypoint positions in the working image
    descriptors: np.ndarray  # (n, 128) uint8 SIFT descriptors
    width: int  # working image size
    height: int
    thumb: np.ndarray  # YCrCb uint8 image, long side dense_side

    @functools.cached_property
    def root_sift(self) -> np.ndarray:
        return root_sift(self.descriptors)


@dataclass(frozen=True)
class PairCheck:
    accepted: bool
    reason: str  # "same picture", or the first test that failed
    matches: int = 0  # ratio-test matches
    inliers: int = 0  # homography inliers
    rigid: float = 0.0
    residual: float = 0.0  # px at max_side
    coverage: float = 0.0
    spread: float = 0.0
    ncc: float = 0.0
    colour: float = 0.0  # median chroma difference (0 when either image is grey)

    def evidence(self) -> dict[str, Any]:
        return {
            k: round(float(v), 3) if isinstance(v, float) else v for k, v in asdict(self).items()
        }


def extract_features(
    path: str | os.PathLike[str],
    params: VerifyParams,
    *,
    mirrored: bool = False,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Features:
    """SIFT features of an image file (raises ``imaging.ImageRejected`` on bad input)."""
    rgb = working_rgb(decode_for(path, params, max_pixels).rgb, params)
    if mirrored:
        rgb = np.ascontiguousarray(rgb[:, ::-1])
    return features_of(rgb, params)


def decode_for(
    path: str | os.PathLike[str], params: VerifyParams, max_pixels: int = DEFAULT_MAX_PIXELS
) -> DecodedImage:
    """The image decoded as ``extract_features`` decodes it (a JPEG reduced by DCT scaling while
    its shorter side stays at least half of ``max_side``)."""
    return decode_rgb(path, max_pixels=max_pixels, reduce_to=max(1, params.max_side // 2))


def working_rgb(rgb: np.ndarray, params: VerifyParams) -> np.ndarray:
    """Decoded pixels shrunk to the working size: long side at most ``max_side`` (an image
    that ``working_grey`` enlarges is left as it is)."""
    with single_threaded_opencv():
        return _shrink(np.ascontiguousarray(rgb), params.max_side)


def working_grey(rgb: np.ndarray, params: VerifyParams) -> np.ndarray:
    """The grey levels SIFT runs on, from ``working_rgb``'s pixels: enlarged (bicubic, after
    the conversion to grey) when ``VerifyParams.working_side`` says so."""
    with single_threaded_opencv():
        grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
        height, width = grey.shape
        side = params.working_side(max(height, width))
        if side <= max(height, width):
            return grey
        scale = side / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        return cv2.resize(grey, size, interpolation=cv2.INTER_CUBIC)


@_opencv_on_one_thread
def features_of(rgb: np.ndarray, params: VerifyParams) -> Features:
    """SIFT features of an RGB image already shrunk to its working size (``working_rgb``)."""
    grey = working_grey(rgb, params)
    keypoints, descriptors = _sift(params.n_features).detectAndCompute(grey, None)
    points = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
    if descriptors is None:
        descriptors = np.zeros((0, 128), dtype=np.float32)
    height, width = grey.shape
    return Features(
        points,
        np.clip(np.rint(descriptors), 0, 255).astype(np.uint8),
        width,
        height,
        cv2.cvtColor(_shrink(rgb, params.dense_side), cv2.COLOR_RGB2YCrCb),
    )


@_opencv_on_one_thread
def verify_pair(a: Features, b: Features, params: VerifyParams) -> PairCheck:
    """Whether ``b`` is the same picture as ``a`` (cropped, scaled, re-encoded, captioned)."""
    src, dst = _matches(a, b, params.ratio)
    if len(src) < params.min_inliers:
        return PairCheck(False, "too few matches", len(src))
    homography, inliers = magsac_homography(src, dst, params.ransac_px)
    count = int(inliers.sum())
    if homography is None or count < params.min_inliers:
        return PairCheck(False, "too few inliers", len(src), count)
    rigid, residual = _similarity_fit(src[inliers], dst[inliers], params.rigid_px)
    check = PairCheck(
        False,
        "",
        len(src),
        count,
        rigid,
        residual,
        _coverage(homography, a, b),
        _spread(src[inliers], dst[inliers], a, b),
        *_dense(homography, a, b),
    )
    failure = _first_failure(params, check)
    return PairCheck(
        **(asdict(check) | {"accepted": failure is None, "reason": failure or "same picture"})
    )


def _first_failure(params: VerifyParams, c: PairCheck) -> str | None:
    if c.rigid < params.min_rigid:
        return "not one similarity transform (another view of the scene)"
    if c.residual > params.max_residual_px:
        return "similarity too loose (another view of the scene)"
    if c.coverage < params.min_coverage:
        return "overlap too small (a part of the other image)"
    if c.spread < params.min_spread:
        return "matches in a small region (a shared caption, logo or object)"
    if c.ncc < params.min_ncc:
        return "pixels disagree (another photo of the scene)"
    if c.colour > params.max_colour:
        return "colours disagree (another picture on the same design)"
    return None


@functools.lru_cache(maxsize=4)
def _sift(n_features: int) -> cv2.SIFT:
    return cv2.SIFT_create(nfeatures=n_features)


def _shrink(image: np.ndarray, long_side: int) -> np.ndarray:
    height, width = image.shape[:2]
    scale = long_side / max(height, width)
    if scale >= 1:
        return np.ascontiguousarray(image)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def root_sift(descriptors: np.ndarray) -> np.ndarray:
    """RootSIFT (Arandjelović & Zisserman): L1-normalise, square root; rows have unit L2 norm."""
    values = descriptors.astype(np.float32)
    values /= values.sum(axis=1, keepdims=True) + 1e-7
    return np.sqrt(values)


def _matches(a: Features, b: Features, ratio: float) -> tuple[np.ndarray, np.ndarray]:
    return ratio_matches(a.root_sift, a.points, b.root_sift, b.points, ratio)


def ratio_matches(
    a_root: np.ndarray, a_points: np.ndarray, b_root: np.ndarray, b_points: np.ndarray, ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ratio-test matches from a to b (RootSIFT rows, point positions), one-to-one (the closest
    wins a contested point of b): the matched points of a and of b.

    RootSIFT rows have unit length, so squared distances are ``2 - 2 * a @ b.T``: one matrix
    product instead of a brute-force matcher (ten times faster at 500 x 500 descriptors).
    """
    empty = np.zeros((0, 2), np.float32)
    if len(a_root) < 2 or len(b_root) < 2:
        return empty, empty
    first, best, second = _two_nearest(a_root, b_root)
    distance = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * np.stack([best, second], axis=1)))
    passed = np.flatnonzero(distance[:, 0] < ratio * distance[:, 1])
    if passed.size == 0:
        return empty, empty
    chosen = first[passed]
    # one-to-one: of the points of a that chose the same point of b, keep the closest
    by_target = np.lexsort((distance[passed, 0], chosen))
    keep = np.sort(by_target[np.r_[True, chosen[by_target][1:] != chosen[by_target][:-1]]])
    return a_points[passed[keep]].reshape(-1, 2), b_points[chosen[keep]].reshape(-1, 2)


_ROWS_PER_BLOCK = 1024


def _two_nearest(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row of a, the index of its most similar row of b, that similarity and the
    second highest. Computed a block of rows at a time: two photos with 10,000 keypoints each
    would otherwise need a 400 MB similarity matrix (and the block, still in the cache, is
    read back faster)."""
    first = np.empty(len(a), np.int64)
    best = np.empty(len(a), np.result_type(a, b))
    second = np.empty_like(best)
    b_t = np.ascontiguousarray(b.T)
    for start in range(0, len(a), _ROWS_PER_BLOCK):
        block = slice(start, start + _ROWS_PER_BLOCK)
        similarity = a[block] @ b_t
        rows = np.arange(len(similarity))
        nearest = similarity.argmax(axis=1)
        first[block], best[block] = nearest, similarity[rows, nearest]
        similarity[rows, nearest] = -np.inf
        second[block] = similarity.max(axis=1)
    return first, best, second


def magsac_homography(
    src: np.ndarray, dst: np.ndarray, threshold: float
) -> tuple[np.ndarray | None, np.ndarray]:
    cv2.setRNGSeed(0)  # MAGSAC samples at random: the same pair gives the same answer
    homography, mask = cv2.findHomography(
        src, dst, cv2.USAC_MAGSAC, threshold, maxIters=5000, confidence=0.999
    )
    if homography is None or mask is None:
        return None, np.zeros(len(src), dtype=bool)
    return homography, mask.ravel().astype(bool)


def _similarity_fit(src: np.ndarray, dst: np.ndarray, threshold: float) -> tuple[float, float]:
    """(share of the points one similarity explains within ``threshold``, median residual)."""
    cv2.setRNGSeed(0)
    model, mask = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=threshold, maxIters=5000
    )
    if model is None or mask is None:
        return 0.0, float("inf")
    residuals = np.linalg.norm(src @ model[:, :2].T + model[:, 2] - dst, axis=1)
    return float(mask.sum()) / len(src), float(np.median(residuals))


def _spread(src: np.ndarray, dst: np.ndarray, a: Features, b: Features) -> float:
    """The smaller of the shares of a and of b that the convex hull of the inliers covers."""
    hull_a = cv2.contourArea(cv2.convexHull(src.reshape(-1, 1, 2)))
    hull_b = cv2.contourArea(cv2.convexHull(dst.reshape(-1, 1, 2)))
    return min(hull_a / (a.width * a.height), hull_b / (b.width * b.height))


def _corners(width: int, height: int) -> np.ndarray:
    return np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)


def _covered(homography: np.ndarray, source: Features, target: Features) -> float:
    """Share of the target image that the source image, mapped by the homography, covers."""
    mapped = cv2.perspectiveTransform(
        _corners(source.width, source.height).reshape(-1, 1, 2), homography
    ).reshape(-1, 2)
    if not np.isfinite(mapped).all() or not cv2.isContourConvex(mapped.reshape(-1, 1, 2)):
        return 0.0
    target_area = float(target.width * target.height)
    area, _ = cv2.intersectConvexConvex(
        np.ascontiguousarray(mapped), _corners(target.width, target.height)
    )
    return min(1.0, max(0.0, float(area)) / target_area)


def _coverage(homography: np.ndarray, a: Features, b: Features) -> float:
    try:
        inverse = np.linalg.inv(homography)
    except np.linalg.LinAlgError:
        return 0.0
    return min(_covered(homography, a, b), _covered(inverse, b, a))


def _dense(homography: np.ndarray, a: Features, b: Features) -> tuple[float, float]:
    """(NCC of the grey levels, median colour difference) of a's thumbnail and b's warped onto
    it, over their (eroded) overlap. The colour difference is the median of |Cr| + |Cb| apart
    (0-510), and 0 when either image is (nearly) grey: a black-and-white copy is still a copy."""
    scale_a = a.thumb.shape[1] / a.width
    scale_b = b.thumb.shape[1] / b.width
    mapping = np.diag([scale_b, scale_b, 1.0]) @ homography @ np.diag([1 / scale_a, 1 / scale_a, 1])
    size = (a.thumb.shape[1], a.thumb.shape[0])
    warped = cv2.warpPerspective(
        b.thumb.astype(np.float32), mapping, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    )
    inside = cv2.warpPerspective(
        np.ones(b.thumb.shape[:2], np.uint8),
        mapping,
        size,
        flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
    )
    inside = cv2.erode(inside, np.ones((3, 3), np.uint8)).astype(bool)
    if inside.sum() < 64:
        return 0.0, 0.0
    x, y = a.thumb.astype(np.float32)[inside], warped[inside]
    return ncc(x[:, 0], y[:, 0]), _colour_difference(x[:, 1:], y[:, 1:])


def ncc(x: np.ndarray, y: np.ndarray) -> float:
    x, y = x - x.mean(), y - y.mean()
    denominator = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum()) / denominator if denominator > 0 else 0.0


def _colour_difference(x: np.ndarray, y: np.ndarray) -> float:
    """Median |Cr| + |Cb| difference of two sets of chroma pairs; 0 if either set is grey."""
    if min(_saturation(x), _saturation(y)) < GREY_CHROMA:
        return 0.0
    return float(np.median(np.abs(x - y).sum(axis=1)))


def _saturation(chroma: np.ndarray) -> float:
    return float(np.percentile(np.abs(chroma - 128.0).sum(axis=1), 90))
