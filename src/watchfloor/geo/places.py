"""A resolved place and great-circle distances."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np

PlaceKind = Literal["landmark", "city", "country"]
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    """A gazetteer entry (or a landmark known only from the gallery). ``key`` is stable:
    ``landmark:<slug>``, ``city:<geonameid>`` or ``country:<ISO2>``. ``country`` is an ISO code
    when it is known, else the analyst's text. ``distance_km`` is set by ``nearest``."""

    key: str
    kind: PlaceKind
    name: str
    city: str | None
    country: str | None
    lat: float | None
    lon: float | None
    distance_km: float | None = None

    def at_distance(self, km: float) -> Place:
        return replace(self, distance_km=round(km, 3))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def valid_coordinates(lat: float | None, lon: float | None) -> bool:
    if lat is None or lon is None:
        return False
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Distances from one point to many (degrees in, kilometres out)."""
    p1, p2 = math.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons) - math.radians(lon)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(haversine_km(lat1, lon1, np.array([lat2]), np.array([lon2]))[0])
