"""The `crops` analyzer: a crop-tolerant descriptor that finds reposts among real photos."""

from __future__ import annotations

import base64
import hashlib
import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.reference import LANDMARKS, need_path
from watchfloor.analyzers.base import AnalyzerOptions, AnalyzerRejected, MediaItem
from watchfloor.analyzers.crops import (
    DESCRIPTOR_DIM,
    MIN_CONTRAST,
    CropsAnalyzer,
    decode_descriptor,
    descriptor_from_rgb,
    dihedral_variants,
    encode_descriptor,
)
from watchfloor.demo.fonts import font
from watchfloor.pdq import hamming_distance, pdq_hash_array


def landmark_photos() -> list[Path]:
    return sorted(p for p in need_path(LANDMARKS).rglob("*.jpg"))


def repost(img: Image.Image, rng: random.Random) -> Image.Image:
    """A copy as a relay channel posts it: cropped up to 6 % a side, scaled by 0.5-0.85,
    captioned, then JPEG-encoded at quality 45-70."""
    w, h = img.size
    left, top, right, bottom = (rng.uniform(0, 0.06) for _ in range(4))
    img = img.crop(
        (round(left * w), round(top * h), round(w * (1 - right)), round(h * (1 - bottom)))
    )
    scale = rng.uniform(0.5, 0.85)
    img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    size = max(10, img.width // 30)
    ImageDraw.Draw(img).text(
        (rng.randrange(0, img.width // 3), img.height - 2 * size),
        "@relay_channel",
        font=font(size, bold=True),
        fill=(255, 255, 255),
        stroke_width=1,
        stroke_fill=(0, 0, 0),
    )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randrange(45, 71))
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def descriptor(img: Image.Image) -> np.ndarray:
    return descriptor_from_rgb(np.asarray(img.convert("RGB")))[0]


def media(path: Path, mime: str | None = "image/jpeg") -> MediaItem:
    data = path.read_bytes()
    return MediaItem(hashlib.sha256(data).hexdigest(), path, len(data), mime)


def test_value_is_a_compact_unit_descriptor(tmp_path):
    path = landmark_photos()[0]
    (out,) = CropsAnalyzer(AnalyzerOptions()).analyze(media(path), {})
    assert out.kind == "crop_descriptor"
    assert len(base64.b64decode(out.value["vector"])) == DESCRIPTOR_DIM
    vector = decode_descriptor(out.value["vector"])
    assert vector.shape == (DESCRIPTOR_DIM,) and np.isclose(np.linalg.norm(vector), 1.0)
    with Image.open(path) as img:
        assert out.value["aspect"] == pytest.approx(img.width / img.height, abs=1e-3)
    assert out.evidence["usable"] is True and out.value["contrast"] >= MIN_CONTRAST


def test_quantisation_keeps_the_direction():
    rng = np.random.default_rng(3)
    vector = rng.standard_normal(DESCRIPTOR_DIM).astype(np.float32)
    vector /= np.linalg.norm(vector)
    assert float(decode_descriptor(encode_descriptor(vector)) @ vector) > 0.999
    with pytest.raises(ValueError):
        decode_descriptor(base64.b64encode(b"\x01" * 10).decode())


def test_a_flat_image_is_not_usable(tmp_path):
    path = tmp_path / "grey.png"
    Image.new("RGB", (300, 200), (128, 128, 128)).save(path)
    (out,) = CropsAnalyzer(AnalyzerOptions()).analyze(media(path, "image/png"), {})
    assert out.evidence["usable"] is False


def test_reposts_are_nearest_to_their_original_where_pdq_is_not():
    """On the real landmark photos (several show the same building from other angles), a
    repost's most similar original is its own for every photo; PDQ puts most reposts past 31."""
    rng = random.Random(20181)
    photos = landmark_photos()
    originals = [Image.open(p).convert("RGB") for p in photos]
    gallery = np.stack([descriptor(img) for img in originals])
    hits, pdq_hits = 0, 0
    for i, img in enumerate(originals):
        copy = repost(img, rng)
        hits += int(np.argmax(gallery @ descriptor(copy)) == i)
        pdq_hits += (
            hamming_distance(
                pdq_hash_array(np.asarray(copy)).hash, pdq_hash_array(np.asarray(img)).hash
            )
            <= 31
        )
    assert hits == len(photos)
    assert pdq_hits < len(photos) / 2  # why this analyzer exists (STACK.md)


def test_turned_and_mirrored_copies_match_a_variant():
    img = Image.open(landmark_photos()[5]).convert("RGB")
    variants = dihedral_variants(descriptor(img))
    turned = {
        "rot90": img.transpose(Image.Transpose.ROTATE_90),
        "mirror": img.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        "rot180": img.transpose(Image.Transpose.ROTATE_180),
    }
    for name, copy in turned.items():
        similarities = {v: float(vec @ descriptor(copy)) for v, vec in variants.items()}
        assert similarities[name] > 0.95, (name, similarities)
        assert max(similarities, key=similarities.get) == name


def test_bad_input_is_rejected_with_a_reason(tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(AnalyzerRejected) as info:
        CropsAnalyzer(AnalyzerOptions()).analyze(media(path), {})
    assert info.value.code in ("decode_error", "truncated", "not_an_image")


def test_accepts_images_only(tmp_path):
    analyzer = CropsAnalyzer(AnalyzerOptions())
    item = media(landmark_photos()[0])
    assert analyzer.accepts(item)
    assert not analyzer.accepts(MediaItem(item.sha256, item.path, item.size, "application/pdf"))
