"""Fuzzing image loading: mutated PNG/JPEG/GIF/WebP/BMP/TIFF bytes, corrupted PNG chunks with valid
CRCs, huge declared sizes, polyglots and JPEGs with hundreds of scans.

Property: ``probe_image`` and ``decode_rgb`` (full and reduced) either return a consistent result
or raise ``ImageRejected`` (which the analyzers turn into a quarantine entry with its code); no
other exception, no hang, and memory bounded by the configured pixel limit.
"""

from __future__ import annotations

import tempfile
import typing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.bounds import bounded
from tests.fuzz.image_seeds import (
    SEEDS,
    corrupted_png,
    declared_size_rewritten,
    many_scans_jpeg,
    polyglot,
)
from tests.fuzz.mutations import mutated
from watchfloor.imaging import ImageLimits, ImageRejected, RejectCode, decode_rgb, probe_image

# Pillow warns about corrupt EXIF and odd palettes on many mutated files: expected, not findings.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

LIMITS = ImageLimits(pixels=2_000_000, bytes=1_000_000, frames=100, jpeg_scans=50)
# A decode peaked at ~11 bytes a pixel (a progressive JPEG's coefficients, or the decoded mode,
# then its RGB copy and the array's), plus the libraries.
MEMORY_MIB = LIMITS.pixels * 12 // 2**20 + 64
CODES = set(typing.get_args(RejectCode))


def check_image(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="wf-fuzz-") as folder:
        path = Path(folder) / "image.jpg"  # the extension is ignored: content decides
        path.write_bytes(data)
        with bounded(MEMORY_MIB):
            for call in (_probe, _decode, _decode_reduced):
                try:
                    call(path)
                except ImageRejected as exc:
                    assert exc.code in CODES and exc.message, exc


def _probe(path: Path) -> None:
    info = probe_image(path, limits=LIMITS)
    assert info.width >= 1 and info.height >= 1 and info.width * info.height <= LIMITS.pixels
    assert 1 <= info.frames <= LIMITS.frames


def _decode(path: Path) -> None:
    decoded = decode_rgb(path, limits=LIMITS)
    assert decoded.rgb.shape == (decoded.height, decoded.width, 3)
    assert decoded.rgb.dtype.name == "uint8"


def _decode_reduced(path: Path) -> None:
    decoded = decode_rgb(path, limits=LIMITS, reduce_to=8)
    rows, cols = decoded.rgb.shape[:2]
    assert (rows, cols) == (-(-decoded.height // decoded.scale), -(-decoded.width // decoded.scale))


@given(mutated(SEEDS, most=6))
def test_mutated_images(data: bytes) -> None:
    check_image(data)


@given(corrupted_png())
def test_png_chunks(data: bytes) -> None:
    check_image(data)


@given(declared_size_rewritten())
def test_declared_sizes(data: bytes) -> None:
    check_image(data)


@given(polyglot() | many_scans_jpeg())
def test_polyglots_and_scans(data: bytes) -> None:
    check_image(data)


@given(st.binary(max_size=512))
def test_raw_bytes(data: bytes) -> None:
    check_image(data)
