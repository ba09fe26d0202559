"""The exif analyzer: positions from real and generated JPEGs, and malformed or hostile EXIF."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL.ExifTags import GPS
from PIL.TiffImagePlugin import IFDRational

from tests.contracts.analyzer_contract import media_item
from tests.exif_images import dms, exif_with, generated_jpeg, gps_block, photo_with_exif
from tests.reference import LANDMARKS, need_path
from watchfloor.analyzers.base import AnalyzerRejected
from watchfloor.analyzers.exif import ExifAnalyzer
from watchfloor.geo.landmarks import data_version

TOWER_BRIDGE = (51.5055, -0.0754)


@pytest.fixture
def analyzer() -> ExifAnalyzer:
    return ExifAnalyzer()


def signals(analyzer: ExifAnalyzer, path: Path) -> dict[str, dict]:
    return {s.kind: s.value for s in analyzer.analyze(media_item(path, "image/jpeg"), {})}


def rejected(analyzer: ExifAnalyzer, path: Path) -> AnalyzerRejected:
    with pytest.raises(AnalyzerRejected) as info:
        analyzer.analyze(media_item(path, "image/jpeg"), {})
    return info.value


def test_a_real_photo_with_gps_is_placed_at_its_landmark(analyzer, tmp_path):
    source = need_path(LANDMARKS / "tower_bridge").iterdir().__next__()
    exif = exif_with(
        gps_block(*TOWER_BRIDGE, {GPS.GPSAltitude: IFDRational(12, 1)}),
        make="Stand-in",
        model="Camera 7",
        taken="2018:05:01 12:30:00",
        offset="+01:00",
    )
    out = signals(analyzer, photo_with_exif(source, tmp_path / "tb.jpg", exif))
    gps = out["exif_gps"]
    assert gps["lat"] == pytest.approx(51.5055, abs=1e-5)
    assert gps["lon"] == pytest.approx(-0.0754, abs=1e-5)
    assert gps["altitude"] == 12.0 and gps["camera"] == "Stand-in Camera 7"
    assert gps["taken_at"] == "2018-05-01T12:30:00+01:00"
    place = out["exif_place"]
    assert place["key"] == "landmark:tower-bridge" and place["kind"] == "landmark"
    assert place["distance_km"] < 0.01 and place["country"] == "GB"


def test_the_reference_photos_carry_no_gps(analyzer):
    for path in sorted(need_path(LANDMARKS / "british_museum").iterdir())[:3]:
        assert signals(analyzer, path) == {}


def test_southern_and_western_hemispheres_and_cities(analyzer, tmp_path):
    sydney = generated_jpeg(tmp_path / "s.jpg", exif_with(gps_block(-33.8688, 151.2093)))
    out = signals(analyzer, sydney)
    assert out["exif_gps"]["lat"] < 0 and out["exif_gps"]["lon"] > 0
    assert out["exif_place"]["kind"] == "city" and out["exif_place"]["name"] == "Sydney"
    golden = generated_jpeg(tmp_path / "g.jpg", exif_with(gps_block(37.8199, -122.4783)))
    assert signals(analyzer, golden)["exif_place"]["key"] == "landmark:golden-gate-bridge"


def test_a_fix_far_from_any_place_gives_only_the_position(analyzer, tmp_path):
    sea = generated_jpeg(tmp_path / "sea.jpg", exif_with(gps_block(45.0, -30.0)))
    assert set(signals(analyzer, sea)) == {"exif_gps"}


def test_no_fix_no_signal(analyzer, tmp_path):
    plain = generated_jpeg(tmp_path / "plain.jpg")
    camera_only = generated_jpeg(tmp_path / "cam.jpg", exif_with(make="Stand-in", model="C1"))
    void = generated_jpeg(
        tmp_path / "void.jpg", exif_with(gps_block(48.8584, 2.2945, {GPS.GPSStatus: "V"}))
    )
    null_island = generated_jpeg(tmp_path / "zero.jpg", exif_with(gps_block(0.0, 0.0)))
    half = {GPS.GPSLatitudeRef: "N", GPS.GPSLatitude: dms(48.85)}
    latitude_only = generated_jpeg(tmp_path / "half.jpg", exif_with(half))
    for path in (plain, camera_only, void, null_island, latitude_only):
        assert signals(analyzer, path) == {}, path.name


def test_gps_time_is_utc_when_there_is_no_local_time(analyzer, tmp_path):
    extra = {
        GPS.GPSDateStamp: "2018:02:03",
        GPS.GPSTimeStamp: (IFDRational(9, 1), IFDRational(5, 1), IFDRational(30, 1)),
        GPS.GPSAltitudeRef: b"\x01",
        GPS.GPSAltitude: IFDRational(5, 2),
    }
    path = generated_jpeg(tmp_path / "t.jpg", exif_with(gps_block(52.3731, 4.8926, extra)))
    gps = signals(analyzer, path)["exif_gps"]
    assert gps["taken_at"] == "2018-02-03T09:05:30+00:00" and gps["altitude"] == -2.5


def malformed_blocks() -> dict[str, dict]:
    zero = (IFDRational(48, 1), IFDRational(51, 1), IFDRational(30, 0))
    return {
        "zero_denominator": gps_block(48.8584, 2.2945) | {GPS.GPSLatitude: zero},
        "latitude_over_90": gps_block(48.8584, 2.2945) | {GPS.GPSLatitude: dms(95.5)},
        "longitude_over_180": gps_block(48.8584, 2.2945) | {GPS.GPSLongitude: dms(181.0)},
        "minutes_over_60": gps_block(48.8584, 2.2945)
        | {GPS.GPSLongitude: (IFDRational(2, 1), IFDRational(75, 1), IFDRational(0, 1))},
        "bad_reference": gps_block(48.8584, 2.2945) | {GPS.GPSLatitudeRef: "Q"},
    }


@pytest.mark.parametrize("case", sorted(malformed_blocks()))
def test_malformed_gps_is_rejected_with_a_code(analyzer, tmp_path, case):
    path = generated_jpeg(tmp_path / f"{case}.jpg", exif_with(malformed_blocks()[case]))
    error = rejected(analyzer, path)
    assert error.code == "exif_gps_invalid" and str(error)


def test_bad_extras_are_left_out_not_fatal(analyzer, tmp_path):
    extra = {GPS.GPSAltitude: IFDRational(3, 0), GPS.GPSDateStamp: "yesterday"}
    exif = exif_with(gps_block(50.8949, 4.3415, extra), taken="not a date", make="\x00\x01")
    gps = signals(analyzer, generated_jpeg(tmp_path / "x.jpg", exif))["exif_gps"]
    assert set(gps) == {"lat", "lon"}


def _with_app1(path: Path, payload: bytes) -> Path:
    """A valid JPEG with a hand-made APP1 (EXIF) segment right after the start marker."""
    data = generated_jpeg(path.with_suffix(".src.jpg")).read_bytes()
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    path.write_bytes(data[:2] + segment + data[2:])
    return path


def _text_latitude_exif() -> bytes:
    """EXIF whose GPS latitude is the text 'two' instead of three rationals (Pillow will not
    write that, so the TIFF structure is put together by hand, little-endian)."""
    gps_at, data_at = 26, 26 + 2 + 4 * 12 + 4

    def entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
        return struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\x00")

    ifd0 = struct.pack("<H", 1) + entry(0x8825, 4, 1, struct.pack("<I", gps_at)) + b"\0" * 4
    gps = struct.pack("<H", 4) + b"".join(
        (
            entry(1, 2, 2, b"N"),
            entry(2, 2, 4, b"two"),
            entry(3, 2, 2, b"E"),
            entry(4, 5, 3, struct.pack("<I", data_at)),
        )
    )
    rationals = struct.pack("<6I", 2, 1, 17, 1, 40, 1)
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd0 + gps + b"\0" * 4 + rationals


def test_text_where_a_number_belongs_is_rejected(analyzer, tmp_path):
    path = _with_app1(tmp_path / "text.jpg", _text_latitude_exif())
    assert rejected(analyzer, path).code == "exif_gps_invalid"


HOSTILE_EXIF = {
    "garbage": b"Exif\x00\x00" + bytes(range(256)) * 4,
    "ifd_offset_past_end": b"Exif\x00\x00II*\x00" + struct.pack("<I", 0x7FFFFFF0),
    "huge_entry_count": b"Exif\x00\x00MM\x00*\x00\x00\x00\x08" + b"\xff\xff" + b"\x00" * 64,
    "gps_pointer_loop": b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00"
    + struct.pack("<HHII", 0x8825, 4, 1, 8)
    + b"\x00\x00\x00\x00",
    "truncated": b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x05\x00\x25\x88",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_EXIF))
def test_hostile_exif_never_crashes(analyzer, tmp_path, case):
    path = _with_app1(tmp_path / f"{case}.jpg", HOSTILE_EXIF[case])
    try:
        out = analyzer.analyze(media_item(path, "image/jpeg"), {})
    except AnalyzerRejected as exc:
        assert exc.code in ("exif_unreadable", "exif_gps_invalid", "decode_error")
    else:
        assert out == []


def test_files_that_are_not_images_are_rejected(analyzer, tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "text.jpg"
    text.write_text("no picture here")
    assert rejected(analyzer, empty).code == "empty"
    assert rejected(analyzer, text).code == "not_an_image"


def test_only_formats_with_exif_are_accepted(analyzer, tmp_path):
    path = generated_jpeg(tmp_path / "a.jpg")
    assert analyzer.accepts(media_item(path, "image/jpeg"))
    assert analyzer.accepts(media_item(path))
    assert not analyzer.accepts(media_item(path, "video/mp4"))


def test_the_gazetteer_data_is_part_of_the_version(analyzer):
    assert analyzer.effective_version == f"1+{data_version()}"
