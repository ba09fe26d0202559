"""Writers of hostile and awkward image files, for decoding and pipeline tests.

Each ``write_*`` function writes one file into ``directory`` and returns its path;
``write_all(directory)`` writes every case and returns ``{case name: path}``. ``EXPECTED_CODE``
says what decoding each case must give: an ``ImageRejected.code``, or ``None`` when the file must
decode (and hash) normally. The pixels the decodable cases hold come from ``synthetic_rgb`` and
``animation_frames``, so tests can compute the expected hash without decoding the file.

The oversized PNGs are written as streams of compressed zero rows: the files are small, the
declared images are huge, and nothing the size of the image is ever built in memory.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SIZE = (640, 480)  # width, height of the synthetic photo-like images

EXPECTED_CODE: dict[str, str | None] = {
    "zero_byte": "empty",
    "text_as_jpg": "not_an_image",
    "eps_as_jpg": "not_an_image",
    "truncated_jpeg": "truncated",
    "truncated_jpeg_header": "truncated",
    "truncated_png": "truncated",
    "oversized_png": "too_many_pixels",
    "bomb_warning_png": "too_many_pixels",
    "bomb_png": "too_many_pixels",
    "huge_png": "too_many_pixels",
    "many_scans_jpeg": "too_many_scans",
    "many_frames_gif": "too_many_frames",
    "png_as_jpg": None,
    "animated_gif": None,
    "animated_webp": None,
    "cmyk_jpeg": None,
    "png16": None,
    "exif_rotated_jpeg": None,
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KiB window, no preset dictionary
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # a last, empty fixed-Huffman deflate block


def synthetic_rgb(width: int = SIZE[0], height: int = SIZE[1], seed: int = 0) -> np.ndarray:
    """A deterministic photo-like HxWx3 uint8 image: smooth colour field plus sharp shapes."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    image = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x0, x1 = sorted(rng.integers(0, width, size=2).tolist())
        y0, y1 = sorted(rng.integers(0, height, size=2).tolist())
        fill = tuple(int(v) for v in rng.integers(0, 256, size=3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x0, y0, x1, y1), fill=fill)
    return np.array(image)


def animation_frames() -> list[np.ndarray]:
    """Three clearly different greyscale frames (as RGB); the first is the one to hash."""
    frames = []
    for seed in (1, 2, 3):
        grey = Image.fromarray(synthetic_rgb(seed=seed)).convert("L")
        frames.append(np.repeat(np.asarray(grey)[:, :, None], 3, axis=2))
    return frames


def write_zero_byte(directory: Path) -> Path:
    path = directory / "zero_byte.jpg"
    path.write_bytes(b"")
    return path


def write_text_as_jpg(directory: Path) -> Path:
    path = directory / "text_as.jpg"
    path.write_text("This is not an image, whatever its name says.\n" * 20, encoding="utf-8")
    return path


def write_eps_as_jpg(directory: Path) -> Path:
    """PostScript that Pillow would hand to Ghostscript if EPS were allowed."""
    path = directory / "eps_as.jpg"
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 64 64\nshowpage\n%%EOF\n")
    return path


def write_png_as_jpg(directory: Path) -> Path:
    path = directory / "png_as.jpg"
    Image.fromarray(synthetic_rgb()).save(path, format="PNG")
    return path


def write_truncated_jpeg(directory: Path) -> Path:
    """Headers intact, entropy-coded data cut at 60 %: probing works, decoding must not."""
    return _cut(_jpeg_bytes(synthetic_rgb()), 0.6, directory / "truncated.jpg")


def write_truncated_jpeg_header(directory: Path) -> Path:
    """Cut inside the JPEG headers, before the frame is even described."""
    path = directory / "truncated_header.jpg"
    path.write_bytes(_jpeg_bytes(synthetic_rgb())[:300])
    return path


def write_truncated_png(directory: Path) -> Path:
    buffer = io.BytesIO()
    Image.fromarray(synthetic_rgb()).save(buffer, format="PNG", compress_level=1)
    return _cut(buffer.getvalue(), 0.6, directory / "truncated.png")


def write_oversized_png(directory: Path) -> Path:
    """9000x9000 = 81 Mpx: under Pillow's own limits, over the default 64 Mpx of imaging."""
    return write_streamed_png(directory / "oversized.png", 9000, 9000)


def write_bomb_warning_png(directory: Path) -> Path:
    """10000x10000 = 100 Mpx: Pillow only *warns* about this one (over 89.5 Mpx)."""
    return write_streamed_png(directory / "bomb_warning.png", 10_000, 10_000)


def write_bomb_png(directory: Path) -> Path:
    """20000x20000 zeros, ~400 KB on disk, 400 MB decoded."""
    return write_streamed_png(directory / "bomb.png", 20_000, 20_000)


def write_huge_png(directory: Path) -> Path:
    """30000x30000 zeros, under 1 MB on disk, 900 MB decoded."""
    return write_streamed_png(directory / "huge.png", 30_000, 30_000)


def write_animated_gif(directory: Path) -> Path:
    path = directory / "animated.gif"
    first, *rest = (Image.fromarray(frame[:, :, 0]) for frame in animation_frames())
    first.save(path, save_all=True, append_images=rest, duration=80, loop=0)
    return path


def write_animated_webp(directory: Path) -> Path:
    path = directory / "animated.webp"
    first, *rest = (Image.fromarray(frame) for frame in animation_frames())
    first.save(path, save_all=True, append_images=rest, duration=80, loop=0, lossless=True)
    return path


def write_cmyk_jpeg(directory: Path) -> Path:
    path = directory / "cmyk.jpg"
    Image.fromarray(synthetic_rgb()).convert("CMYK").save(path, format="JPEG", quality=95)
    return path


def write_png16(directory: Path) -> Path:
    """16-bit RGB PNG whose high (and low) bytes are ``synthetic_rgb()``."""
    rgb = synthetic_rgb()
    wide = rgb.astype(">u2") * 257
    raw = b"".join(b"\x00" + row.tobytes() for row in wide)
    height, width = rgb.shape[:2]
    path = directory / "png16.png"
    with path.open("wb") as f:
        f.write(_PNG_SIGNATURE + _ihdr(width, height, bit_depth=16, colour_type=2))
        f.write(_chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b""))
    return path


def write_exif_rotated_jpeg(directory: Path) -> Path:
    """Stored 640x480 with EXIF orientation 6 ("rotate 90° to display")."""
    path = directory / "exif_rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(synthetic_rgb()).save(path, format="JPEG", quality=95, exif=exif.tobytes())
    return path


def write_many_scans_jpeg(directory: Path) -> Path:
    """A progressive JPEG whose last scan is repeated 150 times (the limit is 40): 0.1 MB on
    disk, and every extra scan makes the decoder walk the whole image again."""
    buffer = io.BytesIO()
    Image.fromarray(synthetic_rgb()).save(buffer, format="JPEG", quality=90, progressive=True)
    data = buffer.getvalue()
    last_scan = data[data.rindex(b"\xff\xda") : -2]
    path = directory / "many_scans.jpg"
    path.write_bytes(data[:-2] + last_scan * 150 + b"\xff\xd9")
    return path


def write_many_frames_gif(directory: Path) -> Path:
    """10,001 copies of a tiny frame (the limit is 10,000), 0.2 MB: Pillow's own frame count
    would walk every one of them."""
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, format="GIF")
    data = buffer.getvalue()
    flags = data[10]
    header_end = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)  # + global palette
    path = directory / "many_frames.gif"
    path.write_bytes(data[:header_end] + data[header_end:-1] * 10_001 + b";")
    return path


WRITERS: dict[str, Callable[[Path], Path]] = {
    "zero_byte": write_zero_byte,
    "text_as_jpg": write_text_as_jpg,
    "eps_as_jpg": write_eps_as_jpg,
    "truncated_jpeg": write_truncated_jpeg,
    "truncated_jpeg_header": write_truncated_jpeg_header,
    "truncated_png": write_truncated_png,
    "oversized_png": write_oversized_png,
    "bomb_warning_png": write_bomb_warning_png,
    "bomb_png": write_bomb_png,
    "huge_png": write_huge_png,
    "many_scans_jpeg": write_many_scans_jpeg,
    "many_frames_gif": write_many_frames_gif,
    "png_as_jpg": write_png_as_jpg,
    "animated_gif": write_animated_gif,
    "animated_webp": write_animated_webp,
    "cmyk_jpeg": write_cmyk_jpeg,
    "png16": write_png16,
    "exif_rotated_jpeg": write_exif_rotated_jpeg,
}


def write_all(directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return {name: write(directory) for name, write in WRITERS.items()}


def write_streamed_png(path: Path, width: int, height: int, *, block: int = 1 << 20) -> Path:
    """A valid all-black 8-bit greyscale PNG, compressed ``block`` zero bytes at a time.

    Every raw byte is zero (filter type 0, black pixels), so one compressed block, ended with a
    full flush so that it refers to nothing before it, can be repeated as often as needed; the
    Adler-32 of n zero bytes is ``(n mod 65521) << 16 | 1``.
    """
    raw_size = height * (width + 1)
    repeated = _deflate_zeros(block)
    with path.open("wb") as f:
        f.write(_PNG_SIGNATURE + _ihdr(width, height, bit_depth=8, colour_type=0))
        f.write(_chunk(b"IDAT", _ZLIB_HEADER))
        for _ in range(raw_size // block):
            f.write(_chunk(b"IDAT", repeated))
        adler = (raw_size % 65521) << 16 | 1
        tail = _deflate_zeros(raw_size % block) + _FINAL_EMPTY_BLOCK + struct.pack(">I", adler)
        f.write(_chunk(b"IDAT", tail) + _chunk(b"IEND", b""))
    return path


def _deflate_zeros(count: int) -> bytes:
    if count == 0:
        return b""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(bytes(count)) + compressor.flush(zlib.Z_FULL_FLUSH)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _ihdr(width: int, height: int, *, bit_depth: int, colour_type: int) -> bytes:
    return _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))


def _jpeg_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _cut(data: bytes, keep: float, path: Path) -> Path:
    path.write_bytes(data[: int(len(data) * keep)])
    return path
