"""GPS position, time and camera from EXIF, and the gazetteer place the position is at.

Signals: ``exif_gps`` ``{"lat", "lon", "altitude"?, "taken_at"?, "camera"?}`` for an image with
a usable fix, and ``exif_place`` ``{"key", "kind", "name", "city", "country", "lat", "lon",
"distance_km"}`` when a landmark lies within 1 km or a city within 25 km. No fix: no signal.
A malformed GPS block (zero denominators, out-of-range values) is rejected with code
``exif_gps_invalid``; an unreadable EXIF block with ``exif_unreadable``. The gazetteer's data
version is part of the analyzer version, so a new landmark row places every image again.
"""

from __future__ import annotations

from typing import ClassVar

from watchfloor.analyzers.base import Analyzer, AnalyzerRejected, MediaItem, SignalOut
from watchfloor.geo.exif import ExifError, read_exif_gps
from watchfloor.geo.gazetteer import default_gazetteer
from watchfloor.geo.landmarks import data_version
from watchfloor.imaging import ImageRejected, open_image

# Formats whose EXIF Pillow reads; other media (video, documents) have no EXIF for us.
EXIF_MIMES = ("image/jpeg", "image/tiff", "image/png", "image/webp", "image/avif")


class ExifAnalyzer(Analyzer):
    name: ClassVar[str] = "exif"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("exif_gps", "exif_place")
    description: ClassVar[str] = (
        "EXIF GPS position, time and camera; the nearest gazetteer landmark (1 km) or city (25 km)"
    )

    @property
    def effective_version(self) -> str:
        return f"{self.version}+{data_version()}"

    def accepts(self, item: MediaItem) -> bool:
        return item.mime is None or item.mime in EXIF_MIMES

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        try:
            with open_image(item.path, max_pixels=self.options.max_image_pixels) as (im, _):
                fix = read_exif_gps(im)
        except ImageRejected as exc:
            raise AnalyzerRejected(exc.code, str(exc)) from exc
        except ExifError as exc:
            raise AnalyzerRejected(exc.code, str(exc)) from exc
        if fix is None:
            return []
        out = [SignalOut("exif_gps", fix.as_dict())]
        place = default_gazetteer().nearest(fix.lat, fix.lon)
        if place is not None:
            out.append(SignalOut("exif_place", place.as_dict()))
        return out
