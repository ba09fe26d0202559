"""Safe image decoding for hashing: hostile files are rejected with a reason, never decoded blindly.

Policies (the PDQ reference hashes depend on them, so banking and querying must share them):

- The format is sniffed from the content, never from the file extension, and only JPEG (and
  MPO), PNG, GIF, WebP, BMP, TIFF and AVIF are opened. Everything else Pillow could read (EPS
  runs Ghostscript, PSD, ICO, ...) is ``not_an_image``.
- The pixel limit is checked on the declared size, after reading the headers and before any
  pixel is decoded. Pillow's own decompression-bomb error or warning is a rejection as well, so
  the effective limit is the lower of ``max_pixels`` and Pillow's ``MAX_IMAGE_PIXELS``.
- Truncated files are rejected (``truncated``); ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never set.
- Full decoding follows python-threatexchange: Pillow decode, then ``convert("RGB")``. Alpha is
  dropped, not composited; palette, LA, CMYK and 16-bit images go through Pillow's conversions
  (16-bit greyscale is clipped to 255, not rescaled: that is what the reference hashes of
  ``I16.png`` assume). Animated GIF/WebP/PNG and multi-page TIFF: the first frame only.
- EXIF orientation is ignored: pixels are used as stored, like python-threatexchange and the
  C++ reference. A rotated re-post is caught by the dihedral hashes, not by rotating here.
- Pillow's decompression-bomb warning is turned into an error with ``warnings.catch_warnings``,
  which swaps the process-wide warning filters for the duration of an ``Image.open``.

Hostile files are bounded in time and memory by ``ImageLimits``, all checked before any pixel is
decoded: the file size (``too_large``; Pillow scans some formats byte by byte and reads WebP
whole), the declared pixels (``too_many_pixels``; a decode peaked at ~11 bytes a pixel), the
frame count (``too_many_frames``; counting stops at the limit, no frame is decoded to count it)
and, for JPEG, the number of scans (``too_many_scans``: every progressive scan walks the whole
image again, so a 40 KB file of a thousand empty scans took 4 s to decode at 4 Mpx).
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
from PIL import Image, UnidentifiedImageError

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_PIXELS",
    "DecodedImage",
    "ImageInfo",
    "ImageLimits",
    "ImageRejected",
    "RejectCode",
    "decode_rgb",
    "load_rgb",
    "open_image",
    "probe_image",
]

DEFAULT_MAX_PIXELS = 64_000_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_FRAMES = 10_000
DEFAULT_MAX_JPEG_SCANS = 40

T = TypeVar("T")

RejectCode = Literal[
    "empty",
    "not_an_image",
    "truncated",
    "too_large",
    "too_many_pixels",
    "too_many_frames",
    "too_many_scans",
    "decode_error",
]

_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF")
_SIGNATURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}
_PILLOW_BOMB = re.compile(r"\((\d+) pixels\) exceeds limit of (\d+) pixels")


class ImageRejected(Exception):
    """A file that is not decoded, with a machine-readable ``code`` and a human message."""

    def __init__(self, code: RejectCode, message: str) -> None:
        super().__init__(message)
        self.code: RejectCode = code
        self.message = message

    def __reduce__(self) -> tuple[type[ImageRejected], tuple[str, str]]:
        return (type(self), (self.code, self.message))

    def __repr__(self) -> str:
        return f"ImageRejected({self.code!r}, {self.message!r})"


@dataclass(frozen=True)
class ImageLimits:
    """What a file may declare before it is refused (see the module docstring)."""

    pixels: int = DEFAULT_MAX_PIXELS
    bytes: int = DEFAULT_MAX_BYTES
    frames: int = DEFAULT_MAX_FRAMES
    jpeg_scans: int = DEFAULT_MAX_JPEG_SCANS

    def __post_init__(self) -> None:
        for name in ("pixels", "bytes", "frames", "jpeg_scans"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"image limit {name} must be a positive whole number, not {value!r}"
                )


DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True)
class ImageInfo:
    format: str
    mime: str
    width: int
    height: int
    frames: int
    mode: str


@dataclass(frozen=True)
class DecodedImage:
    """RGB pixels plus what was declared: ``rgb`` is the image block-averaged by ``scale``.

    ``scale`` is 1 for a full decode; otherwise each pixel of ``rgb`` stands for a
    ``scale`` x ``scale`` block of the ``width`` x ``height`` original (the last row and column
    of blocks may be partial), so ``rgb`` has ``ceil(height / scale)`` rows.
    """

    rgb: np.ndarray
    width: int
    height: int
    scale: int
    info: ImageInfo


def probe_image(
    path: str | os.PathLike[str],
    *,
    max_pixels: int | None = None,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> ImageInfo:
    """Format, size, frame count and mode from the headers alone; raises ImageRejected.

    ``max_pixels``, when given, overrides ``limits.pixels`` (so do the functions below)."""
    with _open(Path(path), _limits(max_pixels, limits)) as (_, info):
        return info


@contextmanager
def open_image(
    path: str | os.PathLike[str],
    *,
    max_pixels: int | None = None,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> Iterator[tuple[Image.Image, ImageInfo]]:
    """The opened, not yet decoded, image with its header, after the checks of ``probe_image``:
    for reading metadata such as EXIF. Pillow calls on it still need guarding by the caller."""
    with _open(Path(path), _limits(max_pixels, limits)) as opened:
        yield opened


def load_rgb(
    path: str | os.PathLike[str],
    *,
    max_pixels: int | None = None,
    limits: ImageLimits = DEFAULT_LIMITS,
    reduce_to: int | None = None,
) -> np.ndarray:
    """HxWx3 uint8 RGB (read-only). ``reduce_to=None`` is the reference full decode.

    See ``decode_rgb`` for ``reduce_to``; the array alone does not say by how much it was reduced.
    """
    return decode_rgb(path, max_pixels=max_pixels, limits=limits, reduce_to=reduce_to).rgb


def decode_rgb(
    path: str | os.PathLike[str],
    *,
    max_pixels: int | None = None,
    limits: ImageLimits = DEFAULT_LIMITS,
    reduce_to: int | None = None,
) -> DecodedImage:
    """Decode the first frame to RGB, optionally reduced while keeping the shorter side >= N.

    With ``reduce_to=N`` a JPEG is decoded at 1/2, 1/4 or 1/8 scale by libjpeg's DCT scaling
    (``Image.draft``), the largest that keeps the shorter side at least N; other formats are
    decoded in full and then box-averaged by the largest integer factor that does the same.
    """
    if reduce_to is not None and reduce_to < 1:
        raise ValueError(f"reduce_to must be a positive number of pixels, not {reduce_to}")
    limits = _limits(max_pixels, limits)
    with _open(Path(path), limits) as (im, info):
        if info.format in ("JPEG", "MPO"):
            _check_jpeg_scans(Path(path), limits.jpeg_scans)
        scale = _guarded(lambda: _draft(im, reduce_to)) if reduce_to is not None else 1
        rgb = _guarded(lambda: _first_frame_rgb(im))
    if reduce_to is not None and scale == 1:
        scale = max(1, min(rgb.size) // reduce_to)
        if scale > 1:
            rgb = rgb.reduce(scale)
    return DecodedImage(np.asarray(rgb), info.width, info.height, scale, info)


def _limits(max_pixels: int | None, limits: ImageLimits) -> ImageLimits:
    return limits if max_pixels is None else replace(limits, pixels=max_pixels)


def _first_frame_rgb(im: Image.Image) -> Image.Image:
    im.load()
    return im if im.mode == "RGB" else im.convert("RGB")


@contextmanager
def _open(path: Path, limits: ImageLimits) -> Iterator[tuple[Image.Image, ImageInfo]]:
    _check_file(path, limits.bytes)
    with _guarded(lambda: _open_image(path)) as im:
        width, height = im.size
        if width * height > limits.pixels:
            raise ImageRejected(
                "too_many_pixels",
                f"image declares {width}x{height} = {width * height:,} pixels, "
                f"over the limit of {limits.pixels:,}",
            )
        if width < 1 or height < 1:
            raise ImageRejected("decode_error", f"image declares an empty size {width}x{height}")
        frames = _guarded(lambda: _frame_count(im, limits.frames))
        mime = _guarded(lambda: im.get_format_mimetype() or Image.MIME.get(im.format or "", ""))
        yield im, ImageInfo(im.format or "", mime, width, height, frames, im.mode)


def _check_file(path: Path, max_bytes: int) -> None:
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ImageRejected("not_an_image", "not a regular file")
    if st.st_size == 0:
        raise ImageRejected("empty", "the file is empty (0 bytes)")
    if st.st_size > max_bytes:
        raise ImageRejected(
            "too_large", f"the file has {st.st_size:,} bytes, over the limit of {max_bytes:,}"
        )


def _frame_count(im: Image.Image, max_frames: int) -> int:
    """Frames declared (WebP, APNG, MPO) or counted up to the limit (GIF, TIFF), never decoded."""
    if im.format == "GIF":
        count = _count_gif_frames(im, max_frames + 1)
    elif im.format == "TIFF":
        count = _count_tiff_frames(im, max_frames + 1)
    else:
        count = int(getattr(im, "n_frames", 1))
    if count > max_frames:
        raise ImageRejected(
            "too_many_frames", f"the image has more than {max_frames:,} frames, the limit"
        )
    return count


def _count_gif_frames(im: Image.Image, stop: int) -> int:
    # Pillow's n_frames walks every frame: with millions of tiny frames that takes seconds.
    # Its _seek(n, False) is the step n_frames itself takes (it skips the frame, decodes nothing).
    count = 1
    try:
        while count < stop:
            im._seek(count, False)  # type: ignore[attr-defined]
            count += 1
    except EOFError:
        pass
    im.seek(0)
    return count


def _count_tiff_frames(im: Image.Image, stop: int) -> int:
    count = 1
    try:
        while count < stop:
            im.seek(count)  # reads the next directory only; TIFF seeking decodes nothing
            count += 1
    except EOFError:
        pass
    im.seek(0)
    return count


def _check_jpeg_scans(path: Path, max_scans: int, chunk: int = 1 << 20) -> None:
    """Count SOS markers (FF DA). Entropy-coded data escapes every FF, so each one is a scan
    (or one of an embedded thumbnail's few): a cheap upper bound, read a chunk at a time."""
    scans, carry = 0, b""
    with path.open("rb") as f:
        while block := f.read(chunk):
            data = carry + block
            scans += data.count(b"\xff\xda")
            carry = data[-1:] if data.endswith(b"\xff") else b""
            if scans > max_scans:
                raise ImageRejected(
                    "too_many_scans",
                    f"the JPEG has more than {max_scans:,} scans, the limit (each one makes "
                    "the decoder walk the whole image again)",
                )


def _open_image(path: Path) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(path, formats=_allowed_formats())
        except UnidentifiedImageError:
            raise _unidentified(path) from None


def _allowed_formats() -> list[str]:
    Image.init()
    return [name for name in _FORMATS if name in Image.OPEN]


def _unidentified(path: Path) -> ImageRejected:
    with path.open("rb") as f:
        head = f.read(16)
    claimed = next((fmt for sig, fmt in _SIGNATURES.items() if head.startswith(sig)), None)
    if claimed is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        claimed = "WebP"
    if claimed is not None:
        return ImageRejected(
            "decode_error", f"starts like a {claimed} file but its header cannot be read"
        )
    return ImageRejected(
        "not_an_image", "not an image in a supported format (JPEG, PNG, GIF, WebP, BMP, TIFF, AVIF)"
    )


def _draft(im: Image.Image, reduce_to: int) -> int:
    """Let the JPEG decoder scale down while decoding; returns the scale it chose (1: none)."""
    original_width = im.size[0]
    configured = im.draft(None, (reduce_to, reduce_to))
    if configured is None:
        return 1
    _, box = configured  # the original image, in the coordinates of the scaled one
    return max(1, round(original_width / box[2]))


def _guarded(action: Callable[[], T]) -> T:
    """Run a Pillow call on untrusted bytes: whatever it raises becomes an ImageRejected."""
    try:
        return action()
    except ImageRejected:
        raise
    except Exception as exc:  # decoders fed hostile bytes raise almost anything
        raise _rejection(exc) from exc


def _rejection(exc: Exception) -> ImageRejected:
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return _bomb(exc)
    if isinstance(exc, EOFError) or (isinstance(exc, OSError) and "truncated" in str(exc).lower()):
        return ImageRejected("truncated", f"the image data ends too early ({exc})")
    if isinstance(exc, MemoryError):
        return ImageRejected("decode_error", "not enough memory to decode the image")
    return ImageRejected("decode_error", f"the image cannot be decoded: {exc}")


def _bomb(exc: Exception) -> ImageRejected:
    found = _PILLOW_BOMB.search(str(exc))
    if found is None:
        return ImageRejected(
            "too_many_pixels", f"Pillow refused a possible decompression bomb: {exc}"
        )
    pixels, limit = (int(g) for g in found.groups())
    return ImageRejected(
        "too_many_pixels",
        f"image declares {pixels:,} pixels, over Pillow's decompression-bomb limit of {limit:,}",
    )
