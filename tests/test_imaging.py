"""Safe decoding: header-only probing, rejections with reasons, reference-exact full decode."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from tests.hostile_images import (
    EXPECTED_CODE,
    animation_frames,
    synthetic_rgb,
    write_all,
    write_streamed_png,
)
from tests.reference import LANDMARKS, REFERENCE, need_path
from watchfloor.imaging import (
    DEFAULT_MAX_PIXELS,
    ImageInfo,
    ImageRejected,
    decode_rgb,
    load_rgb,
    probe_image,
)

REJECTED = sorted(name for name, code in EXPECTED_CODE.items() if code)
DECODABLE = sorted(name for name, code in EXPECTED_CODE.items() if code is None)
TOO_BIG = sorted(name for name, code in EXPECTED_CODE.items() if code == "too_many_pixels")
BODY_CUT = ("truncated_jpeg", "truncated_png", "many_scans_jpeg")  # probing succeeds


def reference(relative: str) -> Path:
    return need_path(REFERENCE / relative)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make any pixel decoding fail loudly; the list records attempts."""
    Image.init()  # importing Pillow's plugins builds a few images: not what we watch for
    attempts: list[object] = []

    def refuse(self: Image.Image, *args: object, **kwargs: object) -> None:
        attempts.append(self)
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)
    return attempts


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("reg-test-input/dih/bridge-1-original.jpg", ("JPEG", "image/jpeg", 1600, 1004, 1, "RGB")),
        ("misc-images/c.png", ("PNG", "image/png", 1432, 812, 1, "RGBA")),
        ("python-threatexchange-resources/LA.png", ("PNG", "image/png", 256, 256, 1, "LA")),
        ("python-threatexchange-resources/I16.png", ("PNG", "image/png", 256, 256, 1, "I;16")),
    ],
)
def test_probe_reads_headers_only(relative: str, expected: tuple, no_decoding: list) -> None:
    assert probe_image(reference(relative)) == ImageInfo(*expected)
    assert no_decoding == []


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("png_as_jpg", ("PNG", "image/png", 640, 480, 1, "RGB")),
        ("animated_gif", ("GIF", "image/gif", 640, 480, 3, "P")),
        ("animated_webp", ("WEBP", "image/webp", 640, 480, 3, "RGBA")),
        ("cmyk_jpeg", ("JPEG", "image/jpeg", 640, 480, 1, "CMYK")),
        ("truncated_jpeg", ("JPEG", "image/jpeg", 640, 480, 1, "RGB")),
    ],
)
def test_probe_sniffs_content_not_extension(
    hostile: dict[str, Path], case: str, expected: tuple, no_decoding: list
) -> None:
    assert probe_image(hostile[case]) == ImageInfo(*expected)
    assert no_decoding == []


@pytest.mark.parametrize("case", REJECTED)
def test_hostile_file_is_rejected_with_its_code(hostile: dict[str, Path], case: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        load_rgb(hostile[case])
    assert caught.value.code == EXPECTED_CODE[case]
    assert str(caught.value) == caught.value.message and len(caught.value.message) > 10
    with pytest.raises(ImageRejected) as reduced:
        load_rgb(hostile[case], reduce_to=64)
    assert reduced.value.code == EXPECTED_CODE[case]


@pytest.mark.parametrize("case", [name for name in REJECTED if name not in BODY_CUT])
def test_probe_rejects_what_its_headers_reveal(hostile: dict[str, Path], case: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        probe_image(hostile[case])
    assert caught.value.code == EXPECTED_CODE[case]


@pytest.mark.parametrize("case", TOO_BIG)
def test_pixel_limit_is_enforced_before_decoding(
    hostile: dict[str, Path], case: str, no_decoding: list
) -> None:
    for mode in (None, 256):
        with pytest.raises(ImageRejected) as caught:
            load_rgb(hostile[case], reduce_to=mode)
        assert caught.value.code == "too_many_pixels"
    assert no_decoding == []


def test_own_limit_names_the_declared_size(hostile: dict[str, Path]) -> None:
    with pytest.raises(ImageRejected) as caught:
        probe_image(hostile["oversized_png"])
    assert str(caught.value) == (
        "image declares 9000x9000 = 81,000,000 pixels, over the limit of 64,000,000"
    )
    assert probe_image(hostile["oversized_png"], max_pixels=81_000_000).width == 9000


def test_max_pixels_applies_to_ordinary_images() -> None:
    path = reference("reg-test-input/dih/bridge-1-original.jpg")
    with pytest.raises(ImageRejected, match=r"1600x1004 = 1,606,400 pixels.*1,000,000"):
        load_rgb(path, max_pixels=1_000_000)
    assert load_rgb(path, max_pixels=1_606_400).shape == (1004, 1600, 3)


def test_pillow_bomb_warning_is_a_rejection_even_under_a_higher_limit(
    hostile: dict[str, Path],
) -> None:
    filters_before = list(warnings.filters)
    with pytest.raises(ImageRejected) as caught:
        probe_image(hostile["bomb_warning_png"], max_pixels=10**9)
    assert caught.value.code == "too_many_pixels"
    assert "100,000,000 pixels" in str(caught.value)
    assert warnings.filters == filters_before


def _rss_growth_kib(path: Path, max_pixels: int) -> tuple[str | None, int]:
    # VmHWM is the peak RSS of this process image: unlike ru_maxrss it is not inherited from
    # the parent across fork and exec (under pytest-xdist the parent holds hundreds of MB).
    script = """
import json, sys
from watchfloor.imaging import ImageRejected, load_rgb
def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
before = peak_kib()
try:
    load_rgb(sys.argv[1], max_pixels=int(sys.argv[2]))
    code = None
except ImageRejected as exc:
    code = exc.code
after = peak_kib()
print(json.dumps({"code": code, "growth": after - before}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(max_pixels)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    return report["code"], report["growth"]


@pytest.mark.parametrize(
    ("case", "max_pixels"),
    [("oversized_png", DEFAULT_MAX_PIXELS), ("huge_png", 10**12), ("bomb_png", 10**12)],
)
def test_rejection_allocates_nothing_image_sized(
    hostile: dict[str, Path], case: str, max_pixels: int
) -> None:
    code, growth_kib = _rss_growth_kib(hostile[case], max_pixels)
    assert code == "too_many_pixels"
    assert growth_kib < 32 * 1024  # decoding would need >= 81 MB (oversized) to 900 MB (huge)


def test_rss_probe_does_see_a_real_decode(tmp_path: Path) -> None:
    """Control for the test above: a 7000x7000 decode (49 MB grey, 147 MB RGB) is visible,
    well clear of the 32 MB bound whatever the allocator kept from start-up."""
    path = write_streamed_png(tmp_path / "big.png", 7000, 7000)
    code, growth_kib = _rss_growth_kib(path, DEFAULT_MAX_PIXELS)
    assert code is None
    assert growth_kib > 32 * 1024


def test_truncated_files_do_not_flip_pillows_global(hostile: dict[str, Path]) -> None:
    for case in ("truncated_jpeg", "truncated_png"):
        with pytest.raises(ImageRejected):
            load_rgb(hostile[case])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_directories_and_other_non_files_are_not_images(tmp_path: Path) -> None:
    with pytest.raises(ImageRejected) as caught:
        probe_image(tmp_path)
    assert caught.value.code == "not_an_image"
    with pytest.raises(FileNotFoundError):
        probe_image(tmp_path / "missing.jpg")


def test_rejection_survives_pickling() -> None:
    original = ImageRejected("truncated", "the image data ends too early")
    copy = pickle.loads(pickle.dumps(original))
    assert (copy.code, str(copy), copy.message) == ("truncated", original.message, original.message)


@pytest.mark.parametrize(
    "relative",
    [
        "python-threatexchange-resources/LA.png",
        "python-threatexchange-resources/I16.png",
        "python-threatexchange-resources/rgb.jpeg",
        "misc-images/c.png",
        "misc-images/wee.jpg",
        "reg-test-input/pen-and-coaster.png",
        "reg-test-input/dih/bridge-2-rotate-90.jpg",
    ],
)
def test_full_decode_is_pillow_convert_rgb(relative: str) -> None:
    path = reference(relative)
    rgb = load_rgb(path)
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    with Image.open(path) as im:
        np.testing.assert_array_equal(rgb, np.asarray(im.convert("RGB")))


def test_first_frame_of_animations(hostile: dict[str, Path]) -> None:
    first = animation_frames()[0]
    for case in ("animated_gif", "animated_webp"):
        np.testing.assert_array_equal(load_rgb(hostile[case]), first)


def test_png16_keeps_the_high_byte(hostile: dict[str, Path]) -> None:
    np.testing.assert_array_equal(load_rgb(hostile["png16"]), synthetic_rgb())


def test_cmyk_jpeg_decodes_to_rgb(hostile: dict[str, Path]) -> None:
    rgb = load_rgb(hostile["cmyk_jpeg"]).astype(int)
    assert rgb.shape == (480, 640, 3)
    assert np.abs(rgb - synthetic_rgb()).mean() < 3


def test_exif_orientation_is_ignored(hostile: dict[str, Path]) -> None:
    with Image.open(hostile["exif_rotated_jpeg"]) as im:
        assert im.getexif()[0x0112] == 6
    assert load_rgb(hostile["exif_rotated_jpeg"]).shape == (480, 640, 3)  # as stored


@pytest.mark.parametrize(
    ("reduce_to", "shape", "scale"),
    [(None, (1004, 1600, 3), 1), (256, (502, 800, 3), 2), (128, (251, 400, 3), 4),
     (100, (126, 200, 3), 8), (600, (1004, 1600, 3), 1)],
)  # fmt: skip
def test_jpeg_is_scaled_by_the_decoder(reduce_to: int | None, shape: tuple, scale: int) -> None:
    decoded = decode_rgb(reference("reg-test-input/dih/bridge-1-original.jpg"), reduce_to=reduce_to)
    assert (decoded.rgb.shape, decoded.scale) == (shape, scale)
    assert (decoded.width, decoded.height) == (1600, 1004)


def test_reduced_jpeg_keeps_its_shorter_side() -> None:
    photos = sorted(LANDMARKS.rglob("*.jpg"))
    if not photos:
        reference("missing-landmarks")  # skips locally, fails in CI
    for path in photos:
        decoded = decode_rgb(path, reduce_to=256)
        assert min(decoded.rgb.shape[:2]) >= min(256, decoded.width, decoded.height)
        assert decoded.rgb.shape[:2] == (
            -(-decoded.height // decoded.scale),
            -(-decoded.width // decoded.scale),
        )


def test_other_formats_are_box_averaged() -> None:
    path = reference("reg-test-input/pen-and-coaster.png")
    decoded = decode_rgb(path, reduce_to=256)
    assert decoded.scale == 735 // 256
    with Image.open(path) as im:
        expected = np.asarray(im.convert("RGB").reduce(decoded.scale))
    np.testing.assert_array_equal(decoded.rgb, expected)


def test_small_images_are_not_reduced() -> None:
    path = reference("python-threatexchange-resources/rgb.jpeg")
    decoded = decode_rgb(path, reduce_to=256)
    assert decoded.scale == 1
    np.testing.assert_array_equal(decoded.rgb, load_rgb(path))


def test_reduce_to_must_be_positive() -> None:
    with pytest.raises(ValueError):
        load_rgb(reference("python-threatexchange-resources/rgb.jpeg"), reduce_to=0)


def test_streamed_png_writer_makes_valid_pngs(tmp_path: Path) -> None:
    path = write_streamed_png(tmp_path / "small.png", 300, 200, block=4096)
    with Image.open(path) as im:
        im.load()  # zlib checks the stream, including the Adler-32 at its end
        assert (im.size, im.mode) == ((300, 200), "L")
        assert not np.asarray(im).any()
