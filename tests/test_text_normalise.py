"""Arabic normalisation (one folding for search and matching), language of short texts."""

from __future__ import annotations

import pytest

from watchfloor.store.search import normalize_for_search, query_terms
from watchfloor.text.language import detect_language, language_from_hint
from watchfloor.text.lexicon import Lexicon, LexiconEntry
from watchfloor.text.normalise import core_text, fold, fold_mapped


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("أحمد", "احمد"),  # hamza above
        ("إسلام", "اسلام"),  # hamza below
        ("آمنة", "امنه"),  # madda, and ta marbuta
        ("ٱلدولة", "الدوله"),  # alef wasla
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("مؤتمر", "موتمر"),  # hamza on waw
        ("رئيس", "رييس"),  # hamza on yeh
        ("مُحَمَّدٌ", "محمد"),  # harakat, shadda, tanwin
        ("مـــدينـة", "مدينه"),  # tatweel
        ("ﻻ", "لا"),  # presentation form (NFKC)
    ],
)
def test_arabic_variants_fold_to_one_form(variant, plain):
    assert fold(variant) == plain
    assert fold_mapped(variant)[0] == plain


def test_search_and_matching_share_the_folding():
    text = "قالت الشرطةُ إنّ «نحن بينكم» كُتبت على جدار المحطّة"
    assert normalize_for_search(text).startswith(fold(text))
    assert query_terms("الشرطة") == ["شرطه"]


def test_spans_point_into_the_original_text():
    text = "Ils ont écrit « ATTENDEZ-NOUS » près de la Tour"
    lexicon = Lexicon([LexiconEntry("fr", "attendez-nous", "threat")])
    (hit,) = lexicon.match(text, "fr")
    assert text[hit.start : hit.end] == hit.text == "ATTENDEZ-NOUS"


def test_arabic_phrase_matches_with_clitics_diacritics_and_tatweel():
    lexicon = Lexicon([LexiconEntry("ar", "انتظرونا", "threat")])
    text = "قالوا: فَانْتَظِرُونــا يا أهل المدينة"
    (hit,) = lexicon.match(text, "ar")
    assert text[hit.start : hit.end] == "فَانْتَظِرُونــا"
    assert lexicon.match("انتظر قليلاً", "ar") == []


def test_decomposed_accents_keep_spans():
    text = "Me\u0301fiez-vous: nous sommes parmi vous"
    lexicon = Lexicon([LexiconEntry("fr", "nous sommes parmi vous", "threat")])
    (hit,) = lexicon.match(text, "fr")
    assert hit.text == "nous sommes parmi vous"


def test_core_text_drops_what_reposting_adds():
    assert core_text("Wait for us 🔻 https://t.me/relay @someone #news #paris") == "Wait for us"
    assert core_text("#Paris at night, lovely") == "#Paris at night, lovely"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Lovely evening near the old bridge with friends", "en"),
        ("Très belle soirée près du vieux pont avec des amis", "fr"),
        ("Schöner Abend an der alten Brücke mit Freunden", "de"),
        ("Heerlijke avond bij de oude brug met vrienden", "nl"),
        ("أمسية جميلة قرب الجسر القديم مع الأصدقاء", "ar"),
        ("Una tarde preciosa junto al puente viejo con amigos", "other"),
        ("یک شب زیبا کنار پل قدیمی با دوستان", "other"),  # Persian, Arabic script
        ("ok", "other"),
        ("https://t.me/somechannel @someone", "other"),
    ],
)
def test_language_of_short_texts(text, language):
    assert detect_language(text).language == language


def test_language_hints_from_ocr():
    assert language_from_hint("ara") == "ar"
    assert language_from_hint("nl") == "nl"
    assert language_from_hint("other") is None
    assert language_from_hint(None) is None
