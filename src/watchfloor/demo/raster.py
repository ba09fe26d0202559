"""Encoding, decoding and geometric transforms of raster images."""

from __future__ import annotations

import io

from PIL import Image, ImageOps


def encode_jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality, subsampling=2, optimize=False)
    return buf.getvalue()


def encode_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as img:
        return img.convert("RGB")


def resized(img: Image.Image, factor: float) -> Image.Image:
    size = (max(16, round(img.width * factor)), max(16, round(img.height * factor)))
    return img.resize(size, Image.Resampling.LANCZOS)


def cropped(img: Image.Image, frac: float) -> Image.Image:
    dx, dy = round(img.width * frac), round(img.height * frac)
    return img.crop((dx, dy, img.width - dx, img.height - dy))


def mirrored(img: Image.Image) -> Image.Image:
    return ImageOps.mirror(img)


def thumbnail(img: Image.Image, width: int = 260) -> Image.Image:
    return resized(img, width / img.width)


def truncated(data: bytes, keep: float = 0.4) -> bytes:
    """The first part of an encoded image: a download cut off mid-file."""
    return data[: max(64, int(len(data) * keep))]
