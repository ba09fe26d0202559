"""JPEGs with EXIF GPS written by Pillow, well-formed or deliberately malformed, for tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational


def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Degrees, minutes and seconds as EXIF rationals (seconds to 1/1000)."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 1000)


def gps_block(lat: float, lon: float, extra: dict[int, Any] | None = None) -> dict[int, Any]:
    block: dict[int, Any] = {
        GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
        GPS.GPSLatitude: dms(lat),
        GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
        GPS.GPSLongitude: dms(lon),
    }
    block.update(extra or {})
    return block


def exif_with(
    gps: dict[int, Any] | None = None,
    *,
    make: str | None = None,
    model: str | None = None,
    taken: str | None = None,
    offset: str | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    if make:
        exif[Base.Make] = make
    if model:
        exif[Base.Model] = model
    if gps is not None:
        exif[IFD.GPSInfo] = gps
    details = {}
    if taken:
        details[Base.DateTimeOriginal] = taken
    if offset:
        details[Base.OffsetTimeOriginal] = offset
    if details:
        exif[IFD.Exif] = details
    return exif


def generated_jpeg(path: Path, exif: Image.Exif | None = None, seed: int = 0) -> Path:
    """A small picture of our own (a Mandelbrot crop), saved with the given EXIF."""
    box = (-2.0 + 0.1 * seed, -1.2, 1.0, 1.2)
    img = Image.effect_mandelbrot((320, 240), box, 40 + seed).convert("RGB")
    img.save(path, quality=90, **({"exif": exif} if exif is not None else {}))
    return path


def photo_with_exif(source: Path, path: Path, exif: Image.Exif) -> Path:
    """A real photo re-saved with the given EXIF (or copied as it is when exif is None)."""
    if exif is None:
        shutil.copyfile(source, path)
        return path
    with Image.open(source) as img:
        img.convert("RGB").save(path, quality=92, exif=exif)
    return path
