"""PDQ hashes of image files, on top of ``watchfloor.imaging``.

``mode="exact"`` decodes the whole image and runs the ``pdqhash`` package on it: bit-identical
to python-threatexchange (and so to HMA). Its peak memory is large: ``pdqhash`` builds float64
planes of the full image (measured: 24 bytes per pixel on top of the decoded RGB, so about
1.5 GB at the default 64 Mpx limit).

``mode="fast"`` decodes a reduced image (JPEG: libjpeg's DCT scaling at 1/2, 1/4 or 1/8; other
formats: a box average) whose shorter side is still at least ``FAST_REDUCE_TO`` pixels, and then
evaluates the same PDQ pipeline *as if on the full-resolution image*: PDQ's blur (two box passes
per axis, window = size/128) and decimation to 64x64 are linear, so they are applied as two
64-row matrices built for the original size and integrated over each reduced pixel's block, then
DCT, median threshold, quality metric and dihedral hashes as in ``pdqhash``'s C++. Running
``pdqhash`` itself on the reduced pixels is not good enough: its blur window is derived from the
reduced size, and that alone moved hashes by up to 18 bits at 1/2 scale and 36 bits at 1/4 on
real photos. Images too small to reduce go through ``pdqhash`` unchanged, so fast equals exact
for them; ``benchmarks/hashing.py`` measures speed and distance on real photos.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pdqhash

from watchfloor.imaging import DEFAULT_MAX_PIXELS, decode_rgb, load_rgb

__all__ = [
    "DIHEDRAL_NAMES",
    "FAST_REDUCE_TO",
    "MATCH_THRESHOLD",
    "QUALITY_THRESHOLD",
    "HashMode",
    "PdqResult",
    "hamming_distance",
    "pdq_hash_array",
    "pdq_hash_file",
]

HashMode = Literal["fast", "exact"]

QUALITY_THRESHOLD = 50  # python-threatexchange PdqSignal: hashes of lower quality are noise
MATCH_THRESHOLD = 31  # python-threatexchange PDQ_CONFIDENT_MATCH_THRESHOLD (distance <= 31)
FAST_REDUCE_TO = 256  # shorter side kept by mode="fast"; see benchmarks/hashing.py

# The order in which pdqhash.compute_dihedral returns them (the C++ argument order).
DIHEDRAL_NAMES = ("orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm")

_CACHED_UP_TO = 2048  # matrix columns: at most 1 MiB per cached matrix, 32 of them
_MIN_HASHABLE_DIM = 5  # pdqhash: smaller images hash to all zeros with quality 0
_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class PdqResult:
    hash: str  # 64 lowercase hex digits, most significant bit first (python-threatexchange)
    quality: int  # 0..100; below QUALITY_THRESHOLD the hash should not be used
    dihedral: dict[str, str]  # DIHEDRAL_NAMES -> hash of the rotated/flipped image
    mode: str  # "exact" or "fast"


def pdq_hash_file(
    path: str | os.PathLike[str],
    *,
    mode: HashMode = "fast",
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> PdqResult:
    """PDQ of the first frame of an image file; raises ``imaging.ImageRejected``."""
    if mode == "exact":
        return _pdqhash_result(load_rgb(path, max_pixels=max_pixels), "exact")
    if mode != "fast":
        raise ValueError(f"mode must be 'fast' or 'exact', not {mode!r}")
    return _fast_result(path, max_pixels, FAST_REDUCE_TO)


def pdq_hash_array(rgb: np.ndarray) -> PdqResult:
    """PDQ of an HxWx3 uint8 RGB array with ``pdqhash`` (python-threatexchange's computation)."""
    return _pdqhash_result(rgb, "exact")


def hamming_distance(hex_a: str, hex_b: str) -> int:
    return (_hash_int(hex_a) ^ _hash_int(hex_b)).bit_count()


def _hash_int(value: str) -> int:
    if not isinstance(value, str) or not _HEX_HASH.fullmatch(value):
        raise ValueError(f"not a PDQ hash (64 hex digits): {value!r}")
    return int(value, 16)


def _fast_result(path: str | os.PathLike[str], max_pixels: int, reduce_to: int) -> PdqResult:
    decoded = decode_rgb(path, max_pixels=max_pixels, reduce_to=reduce_to)
    if decoded.scale == 1:
        return _pdqhash_result(decoded.rgb, "fast")
    return _emulated_result(decoded.rgb, decoded.height, decoded.width, decoded.scale, "fast")


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an HxWx3 uint8 RGB array, got {rgb.dtype} {rgb.shape}")
    return np.ascontiguousarray(rgb)


def _pdqhash_result(rgb: np.ndarray, mode: str) -> PdqResult:
    vectors, quality = pdqhash.compute_dihedral(_check_rgb(rgb))
    hashes = [np.packbits(np.asarray(v, dtype=np.uint8)).tobytes().hex() for v in vectors]
    return PdqResult(hashes[0], int(quality), dict(zip(DIHEDRAL_NAMES, hashes, strict=True)), mode)


def _emulated_result(rgb: np.ndarray, height: int, width: int, scale: int, mode: str) -> PdqResult:
    """PDQ of the ``height`` x ``width`` original that ``rgb`` is a ``scale``-block average of."""
    rgb = _check_rgb(rgb)
    if height < _MIN_HASHABLE_DIM or width < _MIN_HASHABLE_DIM:
        zero = "0" * 64
        return PdqResult(zero, 0, dict.fromkeys(DIHEDRAL_NAMES, zero), mode)
    rows, cols = _blur_decimate(height, scale), _blur_decimate(width, scale)
    if rgb.shape[:2] != (rows.shape[1], cols.shape[1]):
        raise ValueError(f"{rgb.shape[:2]} is not {height}x{width} reduced by {scale}")
    luma = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    image64 = rows @ luma.astype(np.float64) @ cols.T
    dct = _DCT @ image64 @ _DCT.T
    hashes = {name: _bits_hex(transform(dct)) for name, transform in _DIHEDRAL.items()}
    return PdqResult(hashes["orig"], _quality(image64), hashes, mode)


def _blur_decimate(size: int, scale: int) -> np.ndarray:
    """PDQ's blur + decimation of one axis as a 64 x ceil(size/scale) matrix (read-only)."""
    if size <= _CACHED_UP_TO * scale:  # common sizes repeat; keep the cache small
        return _cached_blur_decimate(size, scale)
    return _build_blur_decimate(size, scale)


@functools.lru_cache(maxsize=32)
def _cached_blur_decimate(size: int, scale: int) -> np.ndarray:
    return _build_blur_decimate(size, scale)


def _build_blur_decimate(size: int, scale: int) -> np.ndarray:
    """Build the matrix (about 0.1 ms for a 1000-pixel axis).

    pdqhash blurs each axis of the ``size``-pixel image with the same box filter twice (window
    ``w = ceil-ish(size/128)``, shortened and renormalised at the edges) and keeps the pixels at
    ``int((i + 0.5) * size / 64)``. Row i of the result holds the weights of that composition,
    summed over each block of ``scale`` original pixels.
    """
    window = (size + 127) // 128
    before = window - (window + 2) // 2  # the box over k covers [k - before, k + window - before)
    centers = ((np.arange(64) + 0.5) * size / 64).astype(np.int64)
    base = centers - 2 * before  # leftmost pixel the two passes can reach
    # Pass 1 (seen from the kept pixel): taps k = base + before + j, each weighing 1/count.
    taps = base[:, None] + before + np.arange(window)[None, :]
    valid = (taps >= 0) & (taps < size)
    first = valid / valid.sum(axis=1, keepdims=True)
    # Pass 2: tap k spreads its weight evenly over [lo, hi), with offsets relative to base.
    lo = np.maximum(taps - before, 0) - base[:, None]
    hi = np.minimum(taps - before + window, size) - base[:, None]
    weight = np.where(valid, first / np.maximum(hi - lo, 1), 0.0)
    span = 2 * window
    row = np.arange(64)[:, None]
    steps = np.zeros((64, span + 1))
    np.add.at(steps, (np.broadcast_to(row, lo.shape), lo), weight)
    np.add.at(steps, (np.broadcast_to(row, hi.shape), hi), -weight)
    per_pixel = np.cumsum(steps[:, :span], axis=1)  # weight of pixel base + t
    pixel = base[:, None] + np.arange(span)[None, :]
    inside = (pixel >= 0) & (pixel < size)
    blocks = -(-size // scale)
    flat = (np.broadcast_to(row, pixel.shape) * blocks + pixel // scale)[inside]
    matrix = np.bincount(flat, weights=per_pixel[inside], minlength=64 * blocks)
    matrix = matrix.reshape(64, blocks)
    matrix.flags.writeable = False
    return matrix


def _dct_matrix() -> np.ndarray:
    i = np.arange(1, 17)[:, None]
    j = np.arange(64)[None, :]
    return np.sqrt(2.0 / 64) * np.cos((np.pi / 2 / 64) * i * (2 * j + 1))


_DCT = _dct_matrix()
_ODD = np.arange(16) % 2 == 1
_KEEP_ODD = np.where(_ODD, 1.0, -1.0)  # +1 on odd indices, -1 on even ones
_CHECKER = np.where((np.arange(16)[:, None] + np.arange(16)[None, :]) % 2 == 1, -1.0, 1.0)

# pdqhash's dct16OriginalTo*: sign flips and transposes of the 16x16 DCT.
_DIHEDRAL: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "orig": lambda a: a,
    "rot90": lambda a: (a * _KEEP_ODD[None, :]).T,
    "rot180": lambda a: a * _CHECKER,
    "rot270": lambda a: (a * _KEEP_ODD[:, None]).T,
    "flipx": lambda a: a * _KEEP_ODD[:, None],
    "flipy": lambda a: a * _KEEP_ODD[None, :],
    "flipp": lambda a: a.T,
    "flipm": lambda a: (a * _CHECKER).T,
}


def _bits_hex(dct16: np.ndarray) -> str:
    values = dct16.astype(np.float32).ravel()
    median = np.partition(values, 127)[127]  # Torben's median of 256 values: the 128th smallest
    bits = values > median  # bit k is coefficient k (row-major); k = 255 is printed first
    return np.packbits(bits[::-1]).tobytes().hex()


def _quality(image64: np.ndarray) -> int:
    pixels = image64.astype(np.float32)
    down = np.trunc((pixels[:-1, :] - pixels[1:, :]) * np.float32(100) / np.float32(255))
    across = np.trunc((pixels[:, :-1] - pixels[:, 1:]) * np.float32(100) / np.float32(255))
    gradient_sum = int(np.abs(down).sum(dtype=np.int64) + np.abs(across).sum(dtype=np.int64))
    return min(gradient_sum // 90, 100)
