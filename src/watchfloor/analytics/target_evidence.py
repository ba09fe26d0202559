"""What each signal kind says about places: the contract the targets read model reads.

- ``landmark`` (the landmark analyzer; media): a dict, or a list of dicts, ``{"landmark",
  "city", "country", "lat", "lon", "gallery_ids", "inliers", "score"}``. The analyst's landmark
  name is mapped onto the gazetteer (``Gazetteer.resolve_landmark``). Evidence kind ``visual``.
- ``exif_place`` (the exif analyzer; media): a dict ``{"key", "kind", "name", "city",
  "country", "lat", "lon", "distance_km"}``. Evidence kind ``exif``.
- ``place`` (any text analyzer, e.g. geoparsing; post or media): a dict, or a list of dicts,
  ``{"key", "kind", "name", "city", "country", "lat", "lon", "span"}`` with a gazetteer key
  (``landmark:<slug>``, ``city:<geonameid>``, ``country:<ISO2>``) and the matched text span;
  optional ``score`` (0..1, the place's own), ``matched`` (the words as written), ``mentions``.
  Evidence kind ``text`` when the subject is a post, ``ocr`` when it is a media item (text read
  in an image).

A value that does not follow the contract is skipped and counted, never fatal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from watchfloor.geo.gazetteer import Gazetteer
from watchfloor.geo.places import Place, valid_coordinates

SIGNAL_KINDS = ("landmark", "exif_place", "place")
PLACE_KINDS = ("landmark", "city", "country")


@dataclass(frozen=True)
class Evidence:
    place: Place
    kind: str  # visual, exif, text, ocr
    score: float | None
    detail: dict[str, Any]


class Malformed(ValueError):
    pass


def evidence_of(
    gazetteer: Gazetteer, kind: str, subject_type: str, value: Any, score: float | None
) -> list[Evidence]:
    """The places one signal stands for; raises Malformed when its value breaks the contract."""
    if kind == "landmark":
        return [_visual(gazetteer, v, score) for v in _items(value)]
    if kind == "exif_place":
        place = _place(value)
        return [Evidence(place, "exif", score, {"distance_km": value.get("distance_km")})]
    if kind == "place":
        evidence_kind = "text" if subject_type == "post" else "ocr"
        return [
            Evidence(_place(v), evidence_kind, _own_score(v, score), _text_detail(v))
            for v in _items(value)
        ]
    raise Malformed(f"signal kind {kind!r} is not target evidence")


def _items(value: Any) -> Iterator[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            raise Malformed(f"expected an object, got {type(item).__name__}")
        yield item


def _coordinate(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _own_score(value: dict[str, Any], signal_score: float | None) -> float | None:
    """A place's own score when the analyzer gives one per place, else the signal's."""
    own = _coordinate(value.get("score"))
    return own if own is not None and 0 <= own <= 1 else signal_score


def _text_detail(value: dict[str, Any]) -> dict[str, Any]:
    """The matched span, and the words as written and how often, when the analyzer says."""
    return {"span": value.get("span")} | {
        k: value[k] for k in ("matched", "mentions") if k in value
    }


def _visual(gazetteer: Gazetteer, value: dict[str, Any], score: float | None) -> Evidence:
    name = _text(value.get("landmark"))
    if name is None:
        raise Malformed("a landmark signal without a landmark name")
    lat, lon = _coordinate(value.get("lat")), _coordinate(value.get("lon"))
    if not valid_coordinates(lat, lon):
        lat = lon = None
    place = gazetteer.resolve_landmark(
        name, _text(value.get("city")), _text(value.get("country")), lat, lon
    )
    detail = {k: value[k] for k in ("landmark", "inliers", "gallery_ids", "score") if k in value}
    own = value.get("score")
    return Evidence(place, "visual", score if score is not None else _coordinate(own), detail)


def _place(value: Any) -> Place:
    if not isinstance(value, dict):
        raise Malformed(f"expected an object, got {type(value).__name__}")
    key, kind, name = _text(value.get("key")), value.get("kind"), _text(value.get("name"))
    if key is None or name is None or kind not in PLACE_KINDS:
        raise Malformed("a place needs a key, a name and a kind (landmark, city or country)")
    lat, lon = _coordinate(value.get("lat")), _coordinate(value.get("lon"))
    located = valid_coordinates(lat, lon)
    return Place(
        key,
        kind,
        name,
        _text(value.get("city")),
        _text(value.get("country")),
        lat if located else None,
        lon if located else None,
    )
