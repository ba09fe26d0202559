"""Threat scoring: held-out accuracy per language, hard negatives, the cascade and its cache."""

from __future__ import annotations

import pytest

from watchfloor.text.embeddings import Embedder
from watchfloor.text.evaluation import cross_validate
from watchfloor.text.exemplars import LABELS, shipped_exemplars
from watchfloor.text.language import LANGUAGES
from watchfloor.text.lexicon import shipped_entries
from watchfloor.text.threat import ThreatScorer

# None of these sentences is an exemplar: the scorer has to generalise to them.
DIRECT_THREATS = {
    "en": "We are where you live. The station will be next, wait for us.",
    "fr": "Nous sommes là où vous vivez. La gare sera la prochaine, attendez-nous.",
    "de": "Wir sind dort, wo ihr lebt. Der Bahnhof ist der nächste, wartet auf uns.",
    "nl": "Wij zijn waar jullie wonen. Het station is de volgende, wacht op ons.",
    "ar": "نحن حيث تعيشون، والمحطة هي التالية، فانتظرونا.",
}
REPORTS_OF_THREATS = {
    "en": "The broadcaster reported that posters reading 'we are among you' appeared near the station.",
    "fr": "Selon la police, le message « attendez-nous » a été publié sous une photo de la gare.",
    "de": "Laut Ermittlern wurde der Satz „Wir sind dort, wo ihr lebt“ unter einem Foto des Bahnhofs gepostet.",
    "nl": "Volgens de politie werd de zin 'wacht op ons' onder een foto van het station geplaatst.",
    "ar": "قالت الشرطة إن عبارة «انتظرونا» نشرت تحت صورة للمحطة.",
}
BENIGN_SAME_WORDS = {
    "en": "Wait for us at the station, the train is ten minutes late!",
    "fr": "Attendez-nous devant la gare, le train a dix minutes de retard !",
    "de": "Wartet am Bahnhof auf uns, der Zug hat zehn Minuten Verspätung!",
    "nl": "Wacht op ons bij het station, de trein heeft tien minuten vertraging!",
    "ar": "انتظرونا عند المحطة، القطار متأخر عشر دقائق!",
}
BENIGN_SAME_PLACES = {
    "en": "The station has a lovely new bakery, the croissants are great.",
    "fr": "La gare a une nouvelle boulangerie, les croissants sont délicieux.",
    "de": "Der Bahnhof hat eine schöne neue Bäckerei, die Croissants sind toll.",
    "nl": "Het station heeft een leuke nieuwe bakkerij, de croissants zijn heerlijk.",
    "ar": "في المحطة مخبز جديد رائع، والكرواسون لذيذ.",
}


@pytest.fixture(scope="module")
def scorer() -> ThreatScorer:
    return ThreatScorer.shipped(Embedder(None))


@pytest.fixture(scope="module")
def held_out():
    return cross_validate(shipped_entries(), shipped_exemplars(), Embedder(None), seed=7)


def test_exemplar_set_is_large_balanced_and_has_hard_negatives():
    exemplars = shipped_exemplars()
    assert len(exemplars) >= 300
    for language in LANGUAGES:
        mine = [e for e in exemplars if e.language == language]
        assert len(mine) >= 50
        counts = [sum(e.label == label for e in mine) for label in LABELS]
        assert max(counts) - min(counts) <= 2
    hard = [e for e in exemplars if (e.note or "").startswith("hard negative")]
    assert len(hard) >= 100


def test_held_out_f1_overall_and_per_language(held_out):
    assert held_out.macro_f1() >= 0.9
    assert held_out.f1("threat") >= 0.88
    for language in LANGUAGES:
        subset = held_out.subset(language)
        assert subset.macro_f1() >= 0.85, language
        assert subset.f1("threat") >= 0.8, language


def test_reports_are_rarely_taken_for_threats(held_out):
    reporting = held_out.truth.count("reporting")
    assert held_out.confusion("reporting", "threat") <= 0.05 * reporting
    assert held_out.confusion("threat", "reporting") <= 0.05 * reporting


@pytest.mark.parametrize("language", LANGUAGES)
def test_direct_threat_is_a_threat_with_its_evidence(scorer, language):
    result = scorer.score(DIRECT_THREATS[language], language)
    assert result.label == "threat" and result.score >= 0.5
    assert result.stage == "embedding"
    assert any(h.label == "threat" for h in result.lexicon)
    assert result.exemplars and result.exemplars[0].exemplar.label == "threat"


@pytest.mark.parametrize("language", LANGUAGES)
def test_news_quoting_the_threat_is_not_a_threat(scorer, language):
    result = scorer.score(REPORTS_OF_THREATS[language], language)
    assert result.label == "reporting", result.probabilities
    assert result.score < 0.5


@pytest.mark.parametrize("language", LANGUAGES)
def test_benign_post_with_the_same_words_is_not_a_threat(scorer, language):
    result = scorer.score(BENIGN_SAME_WORDS[language], language)
    assert result.label != "threat", result.probabilities


@pytest.mark.parametrize("language", LANGUAGES)
def test_benign_post_about_the_same_place_stops_at_the_lexicon(language):
    embedder = Embedder(None)
    result = ThreatScorer.shipped(embedder).score(BENIGN_SAME_PLACES[language], language)
    assert (result.label, result.score, result.stage) == ("neutral", 0.0, "lexicon")
    assert embedder.computed == 0  # the classifier was not even trained


def test_repeated_texts_are_embedded_once_and_the_disk_cache_is_shared(tmp_path):
    first = Embedder(tmp_path / "text-cache")
    scorer = ThreatScorer.shipped(first)
    texts = [DIRECT_THREATS["en"], DIRECT_THREATS["en"] + " #news 🔻", DIRECT_THREATS["de"]]
    results = scorer.score_many(texts, ["en", "en", "de"])
    assert first.computed == 2  # a repost with a tag and an emoji is the same text
    assert results[0].score == results[1].score
    second = Embedder(tmp_path / "text-cache")
    again = ThreatScorer.shipped(second).score_many(texts, ["en", "en", "de"])
    assert second.computed == 0
    assert [r.value() for r in again] == [r.value() for r in results]


def test_other_languages_are_matched_against_every_lexicon(scorer):
    result = scorer.score("Wir sind unter euch. Wartet auf uns.", "other")
    assert result.stage == "embedding" and result.label == "threat"
