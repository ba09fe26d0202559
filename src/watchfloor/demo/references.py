"""Reference images an analyst would register for the demo: the outlet's stand-in badge and
watermark (emblems) and one gallery picture of each drawn landmark, with a gallery CSV in the
columns ``watchfloor gallery import`` reads.

The gallery pictures are the same silhouettes the posters show, drawn alone, larger or smaller
and under another sky: the landmark analyzer has to find them inside the busier posters.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from watchfloor.demo import texts
from watchfloor.demo.fonts import font, text_size
from watchfloor.demo.landmarks import LANDMARKS
from watchfloor.demo.palette import BADGE_FLAG, BADGE_MARK, SILHOUETTE
from watchfloor.demo.shapes import draw_badge, gradient

GALLERY_COLUMNS = ("file", "landmark", "city", "country", "lat", "lon", "width", "height")


@dataclass(frozen=True)
class GalleryPlace:
    city_key: str
    landmark: str
    city: str
    country: str
    lat: float
    lon: float


# Where the real places are (approximate, to ~4 decimals); the drawings only stand in for them.
GALLERY_PLACES = (
    GalleryPlace("london", "Tower Bridge", "London", "United Kingdom", 51.5055, -0.0754),
    GalleryPlace("paris", "Eiffel Tower", "Paris", "France", 48.8584, 2.2945),
    GalleryPlace("berlin", "Berlin Cathedral", "Berlin", "Germany", 52.5191, 13.4010),
    GalleryPlace("amsterdam", "Damrak", "Amsterdam", "Netherlands", 52.3745, 4.8966),
    GalleryPlace("brussels", "Atomium", "Brussels", "Belgium", 50.8949, 4.3415),
    GalleryPlace(
        "new_york", "Empire State Building", "New York City", "United States", 40.7484, -73.9857
    ),
)


@dataclass(frozen=True)
class EmblemReference:
    path: Path
    label: str
    kind: str


@dataclass(frozen=True)
class References:
    emblems: tuple[EmblemReference, ...]
    gallery_csv: Path


def write_references(out_dir: Path) -> References:
    """Draw the reference images under ``out_dir`` (deterministic) and say what they are."""
    out_dir.mkdir(parents=True, exist_ok=True)
    emblems = (
        EmblemReference(_save(_badge(), out_dir / "emblem-badge.png"), "Northwind badge", "flag"),
        EmblemReference(
            _save(_watermark(texts.OUTLET_WATERMARK), out_dir / "emblem-watermark.png"),
            f"{texts.OUTLET_WATERMARK} watermark",
            "watermark",
        ),
    )
    return References(emblems, _write_gallery(out_dir / "gallery"))


def _save(img: Image.Image, path: Path) -> Path:
    img.save(path, optimize=True)
    return path


def _badge(side: int = 360) -> Image.Image:
    img = Image.new("RGB", (side, side), BADGE_FLAG)
    draw_badge(ImageDraw.Draw(img), side / 2, side / 2, side * 0.4, BADGE_MARK, BADGE_FLAG)
    return img


def _watermark(text: str, size: int = 96) -> Image.Image:
    """The watermark as the posters carry it: white bold letters on a darkened box."""
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    fnt = font(size, bold=True)
    w, h = text_size(probe, text, fnt)
    img = Image.new("RGB", (w + size // 2, h + size // 2), (40, 40, 44))
    ImageDraw.Draw(img).text((size // 4, size // 8), text, font=fnt, fill=(245, 245, 245))
    return img


def _write_gallery(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for place in GALLERY_PLACES:
        img = _landmark_view(texts.CITY_BY_KEY[place.city_key].landmark)
        name = f"{place.city_key}.png"
        _save(img, folder / name)
        rows.append(
            (name, place.landmark, place.city, place.country, place.lat, place.lon, *img.size)
        )
    path = folder / "gallery.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(GALLERY_COLUMNS)
        writer.writerows(rows)
    return path


def _landmark_view(landmark: str, size: tuple[int, int] = (1000, 700)) -> Image.Image:
    """The silhouette alone under a pale daytime sky, larger than on the posters."""
    width, height = size
    sky = (200, 214, 230)
    img = gradient(size, (150, 180, 215), sky)
    d = ImageDraw.Draw(img)
    ground = int(height * 0.82)
    LANDMARKS[landmark](d, width // 2, ground, int(height * 0.62), SILHOUETTE, sky)
    d.rectangle((0, ground, width, height), fill=(70, 74, 70))
    return img
