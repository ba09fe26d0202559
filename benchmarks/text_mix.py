"""A realistic mix of posts for benchmarks/text.py: mostly benign posts about the same places
the threats name, in the five languages, and reposted propaganda, threats and news.

Benign posts come from templates with slots (place, time, thing), so nearly every one is
distinct; 3 % of them come from a template that uses a word the lexicon flags in a benign sense
(a team that will attack from the first minute). The rest are non-neutral exemplars, as they are
or with what a relay adds, so that they repeat as reposted propaganda does.
"""

from __future__ import annotations

import random

from watchfloor.text.exemplars import shipped_exemplars

PLACES = {
    "en": [
        "the tower",
        "the cathedral",
        "the old bridge",
        "the stadium",
        "the Christmas market",
        "Paris",
        "Brussels",
        "Berlin",
        "Amsterdam",
        "the station",
    ],
    "fr": [
        "la tour",
        "la cathédrale",
        "le vieux pont",
        "le stade",
        "le marché de Noël",
        "Paris",
        "Bruxelles",
        "Berlin",
        "Amsterdam",
        "la gare",
    ],
    "de": [
        "dem Turm",
        "der Kathedrale",
        "der alten Brücke",
        "dem Stadion",
        "dem Weihnachtsmarkt",
        "Paris",
        "Brüssel",
        "Berlin",
        "Amsterdam",
        "dem Bahnhof",
    ],
    "nl": [
        "de toren",
        "de kathedraal",
        "de oude brug",
        "het stadion",
        "de kerstmarkt",
        "Parijs",
        "Brussel",
        "Berlijn",
        "Amsterdam",
        "het station",
    ],
    "ar": [
        "البرج",
        "الكاتدرائية",
        "الجسر القديم",
        "الملعب",
        "سوق عيد الميلاد",
        "باريس",
        "بروكسل",
        "برلين",
        "أمستردام",
        "المحطة",
    ],
}
TIMES = {
    "en": ["tonight", "this morning", "on Sunday", "next week", "at noon", "yesterday"],
    "fr": ["ce soir", "ce matin", "dimanche", "la semaine prochaine", "à midi", "hier"],
    "de": ["heute Abend", "heute Morgen", "am Sonntag", "nächste Woche", "mittags", "gestern"],
    "nl": ["vanavond", "vanochtend", "op zondag", "volgende week", "om twaalf uur", "gisteren"],
    "ar": ["الليلة", "هذا الصباح", "يوم الأحد", "الأسبوع المقبل", "عند الظهر", "أمس"],
}
THINGS = {
    "en": ["coffee", "photos", "music", "pastries", "friends", "the kids", "a picnic", "the view"],
    "fr": [
        "un café",
        "des photos",
        "la musique",
        "des pâtisseries",
        "des amis",
        "les enfants",
        "un pique-nique",
        "la vue",
    ],
    "de": [
        "Kaffee",
        "Fotos",
        "Musik",
        "Gebäck",
        "Freunde",
        "die Kinder",
        "ein Picknick",
        "die Aussicht",
    ],
    "nl": [
        "koffie",
        "foto's",
        "muziek",
        "gebak",
        "vrienden",
        "de kinderen",
        "een picknick",
        "het uitzicht",
    ],
    "ar": ["القهوة", "الصور", "الموسيقى", "الحلويات", "الأصدقاء", "الأطفال", "نزهة", "المنظر"],
}
# (template, uses a flagged word in a benign sense)
TEMPLATES = {
    "en": [
        ("Lovely walk near {place} {time}, bring {thing}!", False),
        ("Who is coming to {place} {time}? We have {thing}.", False),
        ("Traffic jam around {place} {time}, take the tram.", False),
        ("{place} looks beautiful {time}, so many {thing}.", False),
        ("Meet us at {place} {time} for {thing} and a chat.", False),
        ("New opening hours at {place} from {time}.", False),
        ("Best spot for {thing}: {place}, {time}.", False),
        ("Our team will attack from the first minute at {place} {time}!", True),
    ],
    "fr": [
        ("Belle balade près de {place} {time}, apportez {thing} !", False),
        ("Qui vient à {place} {time} ? On a {thing}.", False),
        ("Bouchons autour de {place} {time}, prenez le tram.", False),
        ("{place} est magnifique {time}, tellement de {thing}.", False),
        ("Rendez-vous à {place} {time} pour {thing} et discuter.", False),
        ("Nouveaux horaires à {place} à partir de {time}.", False),
        ("Le meilleur endroit pour {thing} : {place}, {time}.", False),
        ("Notre équipe va attaquer dès la première minute à {place} {time} !", True),
    ],
    "de": [
        ("Schöner Spaziergang bei {place} {time}, bringt {thing} mit!", False),
        ("Wer kommt {time} zu {place}? Wir haben {thing}.", False),
        ("Stau rund um {place} {time}, nehmt die Tram.", False),
        ("Bei {place} ist es {time} wunderschön, so viel {thing}.", False),
        ("Trefft uns {time} bei {place} für {thing}.", False),
        ("Neue Öffnungszeiten bei {place} ab {time}.", False),
        ("Der beste Ort für {thing}: bei {place}, {time}.", False),
        ("Unser Team wird {time} bei {place} von der ersten Minute an angreifen!", True),
    ],
    "nl": [
        ("Mooie wandeling bij {place} {time}, neem {thing} mee!", False),
        ("Wie komt er {time} naar {place}? Wij hebben {thing}.", False),
        ("File rond {place} {time}, neem de tram.", False),
        ("{place} is prachtig {time}, zoveel {thing}.", False),
        ("Zie ons {time} bij {place} voor {thing}.", False),
        ("Nieuwe openingstijden bij {place} vanaf {time}.", False),
        ("De beste plek voor {thing}: {place}, {time}.", False),
        ("Ons team gaat {time} bij {place} vanaf de eerste minuut aanvallen!", True),
    ],
    "ar": [
        ("نزهة جميلة قرب {place} {time}، أحضروا {thing}!", False),
        ("من سيأتي إلى {place} {time}؟ لدينا {thing}.", False),
        ("زحمة سير حول {place} {time}، استقلوا الترام.", False),
        ("{place} جميل جداً {time}، الكثير من {thing}.", False),
        ("نلتقي عند {place} {time} من أجل {thing}.", False),
        ("مواعيد عمل جديدة في {place} ابتداءً من {time}.", False),
        ("أفضل مكان لـ{thing}: {place}، {time}.", False),
        ("سيهاجم فريقنا من الدقيقة الأولى في {place} {time}!", True),
    ],
}
# Forwards keep the text; relays add a tag, an emoji, a link or their own signature line.
REPOST_SUFFIXES = ["", "", "", " #news", " 🔻", " https://t.me/+relay", "\n\nJoin the channel"]
FLAGGED_BENIGN_SHARE = 0.03  # posts from a template with a flagged word, among benign posts


def benign_post(rng: random.Random) -> str:
    lang = rng.choice(list(TEMPLATES))
    flagged = rng.random() < FLAGGED_BENIGN_SHARE
    template = rng.choice([t for t, f in TEMPLATES[lang] if f == flagged])
    post = template.format(
        place=rng.choice(PLACES[lang]), time=rng.choice(TIMES[lang]), thing=rng.choice(THINGS[lang])
    )
    return post[0].upper() + post[1:] + (f" #{rng.randrange(1000)}" if rng.random() < 0.5 else "")


def make_mix(posts: int, benign: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = [e.text for e in shipped_exemplars() if e.label != "neutral"]
    mix = []
    for _ in range(posts):
        if rng.random() < benign:
            mix.append(benign_post(rng))
        else:
            mix.append(rng.choice(pool) + rng.choice(REPOST_SUFFIXES))
    return mix
