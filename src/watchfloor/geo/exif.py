"""Position, time and camera from an image's EXIF, read defensively.

EXIF comes from whoever made the file: every value may be missing, of the wrong type, a rational
with a zero denominator or out of range. ``read_exif_gps`` returns None when the image carries
no usable fix (no GPS block, a void fix, the 0/0 that cameras without a fix write) and raises
``ExifError`` with a code when the GPS block is there but malformed. Time and camera are extras:
a bad one is left out, never fatal.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base

MAX_TEXT = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


class ExifError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ExifGps:
    lat: float
    lon: float
    altitude: float | None = None
    taken_at: str | None = None  # ISO 8601; with an offset when the file says which
    camera: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"lat": self.lat, "lon": self.lon}
        extras = {"altitude": self.altitude, "taken_at": self.taken_at, "camera": self.camera}
        return out | {k: v for k, v in extras.items() if v is not None}


def read_exif_gps(im: Image.Image) -> ExifGps | None:
    try:
        with warnings.catch_warnings():
            # "Corrupt EXIF data" warnings: what could be read is judged below like the rest.
            warnings.simplefilter("ignore", UserWarning)
            exif = im.getexif()
            gps = dict(exif.get_ifd(IFD.GPSInfo))
            details = dict(exif.get_ifd(IFD.Exif))
            base = dict(exif)
    except Exception as exc:  # Pillow's EXIF parser fed hostile bytes raises almost anything
        raise ExifError("exif_unreadable", f"the EXIF block cannot be read ({exc})") from exc
    if GPS.GPSLatitude not in gps or GPS.GPSLongitude not in gps:
        return None
    if _text(gps.get(GPS.GPSStatus)) == "V":  # the receiver said the fix is void
        return None
    lat = _coordinate(gps, GPS.GPSLatitude, GPS.GPSLatitudeRef, "NS", 90)
    lon = _coordinate(gps, GPS.GPSLongitude, GPS.GPSLongitudeRef, "EW", 180)
    if lat == 0 and lon == 0:
        return None
    return ExifGps(
        round(lat, 6),
        round(lon, 6),
        _altitude(gps),
        _taken_at(details, gps),
        _camera(base),
    )


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
        raise ExifError("exif_gps_invalid", f"GPS value {value!r} is not a number") from exc
    if not math.isfinite(number):
        raise ExifError(
            "exif_gps_invalid", f"GPS value {value!r} is not finite (zero denominator?)"
        )
    return number


def _coordinate(gps: dict, tag: int, ref_tag: int, refs: str, limit: float) -> float:
    value = gps[tag]
    parts = list(value) if isinstance(value, (tuple, list)) else [value]
    if not 1 <= len(parts) <= 3:
        raise ExifError("exif_gps_invalid", f"GPS {GPS(tag).name} has {len(parts)} parts, not 3")
    numbers = [_number(p) for p in parts]
    if any(n < 0 for n in numbers) or any(n >= 60 for n in numbers[1:]):
        raise ExifError("exif_gps_invalid", f"GPS {GPS(tag).name} {numbers} is not degrees/min/s")
    degrees = sum(n / 60**i for i, n in enumerate(numbers))
    if degrees > limit:
        raise ExifError("exif_gps_invalid", f"GPS {GPS(tag).name} {degrees:.4f} is out of range")
    ref = _text(gps.get(ref_tag))
    if ref and ref[:1].upper() not in refs:
        raise ExifError("exif_gps_invalid", f"GPS {GPS(ref_tag).name} is {ref!r}, not {refs}")
    return -degrees if ref[:1].upper() == refs[1] else degrees


def _altitude(gps: dict) -> float | None:
    if GPS.GPSAltitude not in gps:
        return None
    try:
        metres = _number(gps[GPS.GPSAltitude])
    except ExifError:
        return None
    below = gps.get(GPS.GPSAltitudeRef) in (1, b"\x01")
    if not -12_000 <= metres <= 100_000:
        return None
    return round(-metres if below else metres, 1)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", value).strip()[:MAX_TEXT]


def _camera(base: dict) -> str | None:
    make, model = _text(base.get(Base.Make)), _text(base.get(Base.Model))
    if model.lower().startswith(make.lower()):
        make = ""
    camera = " ".join(p for p in (make, model) if p)
    return camera or None


def _taken_at(details: dict, gps: dict) -> str | None:
    local = _parse_exif_time(_text(details.get(Base.DateTimeOriginal)))
    if local is not None:
        offset = _OFFSET.match(_text(details.get(Base.OffsetTimeOriginal)))
        if offset:
            sign = -1 if offset.group(1) == "-" else 1
            delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3)))
            if delta < timedelta(hours=15):
                local = local.replace(tzinfo=timezone(sign * delta))
        return local.isoformat()
    return _gps_time(gps)


def _gps_time(gps: dict) -> str | None:
    """GPS date and time stamp, which are UTC."""
    day = _parse_exif_time(_text(gps.get(GPS.GPSDateStamp)) + " 00:00:00")
    stamp = gps.get(GPS.GPSTimeStamp)
    if day is None or not isinstance(stamp, (tuple, list)) or len(stamp) != 3:
        return None
    try:
        h, m, s = (_number(p) for p in stamp)
    except ExifError:
        return None
    if not (0 <= h < 24 and 0 <= m < 60 and 0 <= s < 61):
        return None
    moment = day + timedelta(hours=h, minutes=m, seconds=int(s))
    return moment.replace(tzinfo=UTC).isoformat()


def _parse_exif_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
