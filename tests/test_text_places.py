"""Geoparsing: places named in text (five languages, Arabic script, hashtags), hard negatives,
and a post naming a place becoming a Target through `watchfloor analyze` (both databases)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.exports import message, single_chat, write_export
from watchfloor.analyzers.places import place_signal
from watchfloor.cli import main
from watchfloor.geo.gazetteer import default_gazetteer
from watchfloor.text.place_index import place_index_for
from watchfloor.text.places import Geoparser, words_of

PARIS, LONDON, BERLIN, HAGUE = "city:2988507", "city:2643743", "city:2950159", "city:2747373"
BRUSSELS, NICE, COLOGNE = "city:2800866", "city:2990440", "city:2886242"
EIFFEL, BIG_BEN, BRANDENBURG = (
    "landmark:eiffel-tower",
    "landmark:big-ben",
    "landmark:brandenburg-gate",
)


@pytest.fixture(scope="module")
def parser() -> Geoparser:
    return Geoparser(place_index_for(default_gazetteer()))


def keys(parser: Geoparser, text: str) -> list[str]:
    return [m.entry.place["key"] for m in parser.find(text)]


POSITIVES = [
    ("en", "They will strike the Eiffel Tower in Paris next week.", [EIFFEL, PARIS]),
    (
        "en",
        "St. Paul's Cathedral and Big Ben in London, England.",
        ["landmark:st-pauls-cathedral", BIG_BEN, LONDON, "country:GB"],
    ),
    ("fr", "Rendez-vous devant la tour Eiffel à Paris.", [EIFFEL, PARIS]),
    ("fr", "Attentat déjoué à Bruxelles et à Londres", [BRUSSELS, LONDON]),
    ("de", "Wir treffen uns am Brandenburger Tor in Berlin.", [BRANDENBURG, BERLIN]),
    (
        "de",
        "Der Kölner Dom in Köln und München.",
        ["landmark:cologne-cathedral", COLOGNE, "city:2867714"],
    ),
    ("nl", "We gaan naar Den Haag en Amsterdam.", [HAGUE, "city:2759794"]),
    ("nl", "Aanslag verijdeld in Keulen, niet in Parijs", [COLOGNE, PARIS]),
    ("ar", "الهجوم على برج إيفل في باريس", [EIFFEL, PARIS]),
    ("ar", "سنضرب بباريس و لندن قريبا", [PARIS, LONDON]),  # proclitic ب
    ("ar", "انتظرونا في برلين", [BERLIN]),
    ("ar", "ساعة بيغ بن في لندن", [BIG_BEN, LONDON]),
    ("ar", "سنضرب في الرياض وبالقدس", ["city:108410", "city:281184"]),  # with the article
    ("ar", "العراق والمغرب وسوريا ومصر", ["country:IQ", "country:MA", "country:SY", "country:EG"]),
    ("fr", "Le Maroc et la Syrie", ["country:MA", "country:SY"]),
    ("en", "Tonight in Nice, on the Promenade.", [NICE]),  # capitalised, not first in sentence
    ("en", "We travelled to Split in Croatia.", ["city:3190261", "country:HR"]),
    ("en", "paris and london tonight", [PARIS, LONDON]),  # well-known names, lower case
    (
        "en",
        "Israel Defense Forces said so. Attack in Washington DC.",
        ["country:IL", "city:4140963"],
    ),
]


@pytest.mark.parametrize(("language", "text", "expected"), POSITIVES)
def test_places_named_in_five_languages(parser, language, text, expected):
    assert keys(parser, text) == expected


HASHTAGS = [
    ("#Paris #باريس", [PARIS, PARIS]),
    ("#NewYork and #new_york", ["city:5128581", "city:5128581"]),
    ("#برج_ايفل", [EIFFEL]),
    ("#paris", [PARIS]),
    ("#Nice", [NICE]),
    ("#BigBen", [BIG_BEN]),
    ("#المدينة", ["city:109223"]),  # an ordinary word outside a hashtag: Medina within one
]


@pytest.mark.parametrize(("text", "expected"), HASHTAGS)
def test_hashtags_split_at_case_and_underscores(parser, text, expected):
    assert keys(parser, text) == expected


NEGATIVES = [
    "Nice to meet you all.",  # first word of a sentence
    "Split the bill, please.",
    "I was reading a good book.",
    "The mobile network is down.",
    "Paris Hilton visited the show yesterday.",  # a person
    "Michael Jordan played well.",
    "George Washington said so. The Washington Post reports.",
    "Das Essen war gut und die Halle war voll.",  # German nouns
    "Die Löwen und die Türen.",  # German nouns that are alternate city names
    "We had a nice day at the beach #nice",
    "المدينة جميلة في الليل",  # "the city", "the night" (Lille)
    "هذا خبر جديد عن الأمان في المدينة",  # "new", "safety" (Amman)
    "زرنا عين الماء مع جدة أحمد",  # "eye", "grandmother" (Jeddah)
    "NICE TO MEET YOU",  # capitals only: no case to go by
    "t.me/paris_news and @london_daily",  # links and mentions are not text
    "C'était une belle soirée, vraiment.",
    "Het was een mooie avond in de stad.",
    "Ik spreek Engels en Nederlands.",  # a language, not the Russian city
    "In der Mitte der Stadt, nach dem Essen.",
    "Hollywood stars gathered. Paradise lost.",
    "Die Kinder spielen im Garten, während die Eltern Kaffee trinken und Kuchen essen.",
    "De burgemeester opende de nieuwe bibliotheek met een toespraak over onderwijs.",
    "Le maire a inauguré la nouvelle bibliothèque avec un discours sur l'éducation.",
    "Breaking News: Police Say Suspect Arrested After Brief Chase Downtown",
    "فاز فريقنا بالمباراة واحتفل المشجعون حتى وقت متأخر من الليل",
    "يا أمة الإسلام انتظروا النصر القريب بإذن الله",
    "سلام عليكم ورحمة الله وبركاته، صباح الخير يا أصدقاء",
    "انتظرونا، فيوم الحساب لمدينتكم قريب.",  # ف + يوم, not الفيوم (Fayyum)
    "رياض صديقي منذ زمن",  # a first name: Riyadh is الرياض
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_hard_negatives_name_no_place(parser, text):
    assert keys(parser, text) == []


def test_spans_point_into_the_original_text(parser):
    text = "Wait for us in Bruxelles — #باريس"
    found = parser.find(text)
    assert [text[m.start : m.end] for m in found] == ["Bruxelles", "باريس"]
    value = found[0].as_dict()
    assert value["span"] == [15, 24] and value["matched"] == "Bruxelles"
    assert {"key", "kind", "name", "city", "country", "lat", "lon", "span"} <= set(value)


def test_longest_name_wins_and_landmarks_come_first(parser):
    assert keys(parser, "Notre-Dame de Paris") == ["landmark:notre-dame-de-paris"]
    assert keys(parser, "Brandenburger Tor") == [BRANDENBURG]
    assert keys(parser, "We love Jordan.") == ["country:JO"]


def test_words_keep_hashtags_apart(parser):
    words = words_of("Big #Ben")
    assert words[0].group != words[1].group and words[1].hashtag
    assert keys(parser, "Big #Ben") == []


def test_one_signal_lists_each_place_once():
    [signal] = place_signal("Paris, Paris and London. #Paris")
    assert signal.kind == "place" and [p["key"] for p in signal.value] == [PARIS, LONDON]
    assert signal.value[0]["mentions"] == 3 and signal.score == 0.8
    assert place_signal("nothing to see here") == []


def test_a_post_naming_a_place_becomes_a_target(store, settings, tmp_path):
    messages = [
        message(1, "Wait for us at the Eiffel Tower. #باريس"),
        message(2, "Lovely evening, nothing else"),
        message(3, "انتظرونا في لندن"),
    ]
    write_export(tmp_path / "export", single_chat(messages))
    store.close()
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url]
    run = CliRunner().invoke
    done = run(main, [*base, "ingest", str(tmp_path / "export")], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    args = [*base, "analyze", "--only", "places", "--only", "targets", "--workers", "1"]
    done = run(main, args, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    listed = run(main, [*base, "targets", "--json"], catch_exceptions=False)
    found = {t["key"]: t for t in json.loads(listed.stdout)}
    assert set(found) == {EIFFEL, PARIS, LONDON}
    assert found[EIFFEL]["evidence_kinds"] == ["text"] and found[EIFFEL]["city"] == "Paris"
    assert found[LONDON]["posts"] == 1 and found[LONDON]["country"] == "GB"
