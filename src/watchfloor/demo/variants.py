"""Near-duplicate copies of the original images, as supporter channels re-circulate them."""

from __future__ import annotations

import random
from collections.abc import Callable

from PIL import Image

from watchfloor.demo import raster
from watchfloor.demo.images import ImageBank, jpeg_photo
from watchfloor.demo.model import Media
from watchfloor.demo.shapes import add_watermark

DEFAULT_QUALITY = 80


def _resize(img: Image.Image, rng: random.Random, _tag: str) -> Image.Image:
    return raster.resized(img, rng.uniform(0.55, 0.8))


def _crop(img: Image.Image, rng: random.Random, _tag: str) -> Image.Image:
    return raster.cropped(img, rng.uniform(0.03, 0.06))


def _watermark(img: Image.Image, _rng: random.Random, tag: str) -> Image.Image:
    return add_watermark(img, tag or "@relay", "tl", size=max(16, img.width // 40))


def _mirror(img: Image.Image, _rng: random.Random, _tag: str) -> Image.Image:
    return raster.mirrored(img)


RESHAPERS: dict[str, Callable[[Image.Image, random.Random, str], Image.Image]] = {
    "resize": _resize,
    "crop": _crop,
    "watermark": _watermark,
    "mirror": _mirror,
}


def _png_variant(key: str, img: Image.Image, rng: random.Random) -> Media:
    small = raster.resized(img, 0.4)
    return Media(
        "file",
        raster.encode_png(small),
        width=small.width,
        height=small.height,
        file_name=f"{key.replace('poster_', '')}_{rng.randrange(100, 999)}.png",
        mime_type="image/png",
        family=key,
        variant="png",
    )


def _jpeg_variant(key: str, img: Image.Image, kind: str, rng: random.Random, tag: str) -> Media:
    quality = DEFAULT_QUALITY
    if kind == "requality":
        quality = rng.randrange(45, 66)
    elif kind in RESHAPERS:
        img = RESHAPERS[kind](img, rng, tag)
    else:
        raise ValueError(f"unknown variant {kind!r}")
    return jpeg_photo(img, quality, family=key, variant=kind)


def make_variant(bank: ImageBank, key: str, kind: str, rng: random.Random, tag: str = "") -> Media:
    """A re-circulated copy: byte copy, re-encode, resize, crop, watermark, mirror or PNG.

    ``tag`` is the watermark text (the reposting channel's handle).
    """
    if kind == "copy":
        return bank.byte_copy(key)
    img = bank.image(key)
    if kind == "png":
        return _png_variant(key, img, rng)
    return _jpeg_variant(key, img, kind, rng, tag)
