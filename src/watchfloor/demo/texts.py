"""Synthetic, obviously fictional message texts for the demo corpus.

Every "threat-like" or propaganda-like line carries a visible stand-in marker
(``[stand-in ...]``, ``[نص بديل]``, ...). The outlet ("Northwind Media Office"),
its badge and all channel names are invented. Real city names are used only as
*targets named in captions*, which is what the landmark analytics look for.

A text is a tuple of :class:`Part` objects, mirroring Telegram Desktop's
``text_entities``: plain runs plus entities (hashtag, mention, link, ...).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from watchfloor.demo.randomness import pick

# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class Part:
    """One run of message text: ``kind`` is a tdesktop entity type (``plain``, ``bold``...)."""

    kind: str
    text: str
    href: str | None = None


Text = tuple[Part, ...]


def plain(text: str) -> Part:
    return Part("plain", text)


def bold(text: str) -> Part:
    return Part("bold", text)


def italic(text: str) -> Part:
    return Part("italic", text)


def hashtag(tag: str) -> Part:
    return Part("hashtag", tag if tag.startswith("#") else f"#{tag}")


def mention(username: str) -> Part:
    return Part("mention", username if username.startswith("@") else f"@{username}")


def link(url: str) -> Part:
    return Part("link", url)


def text_link(text: str, href: str) -> Part:
    return Part("text_link", text, href)


def normalize(parts: tuple[Part, ...] | list[Part]) -> Text:
    """Merge adjacent plain runs and drop empty ones, as tdesktop does."""
    out: list[Part] = []
    for part in parts:
        if not part.text:
            continue
        if part.kind == "plain" and out and out[-1].kind == "plain":
            out[-1] = plain(out[-1].text + part.text)
        else:
            out.append(part)
    return tuple(out)


def flat(text: Text) -> str:
    return "".join(part.text for part in text)


# --------------------------------------------------------------------------- names

OUTLET_NAME = "Northwind Media Office"
OUTLET_USERNAME = "northwind_demo_office"
OUTLET_WATERMARK = "NWMO"

JOIN_LINKS = (
    "https://t.me/+XyZ123",
    "t.me/joinchat/AbCdEf123",
    "https://t.me/joinchat/DemoRelay456",
    "https://t.me/+QrSt789demo",
)

CAMPAIGN_TAGS = ("#NorthwindDemo", "#LanternCampaign", "#حملة_تجريبية", "#فوانيس_الشمال")
LANGS = ("en", "ar", "fr", "de", "nl")


@dataclass(frozen=True)
class City:
    key: str
    landmark: str
    names: dict[str, str]
    tag_ar: str

    def name(self, lang: str) -> str:
        return self.names[lang]


CITIES: tuple[City, ...] = (
    City(
        "london",
        "bridge",
        {"en": "London", "fr": "Londres", "de": "London", "nl": "Londen", "ar": "لندن"},
        "#لندن",
    ),
    City(
        "paris",
        "tower",
        {"en": "Paris", "fr": "Paris", "de": "Paris", "nl": "Parijs", "ar": "باريس"},
        "#باريس",
    ),
    City(
        "berlin",
        "dome",
        {"en": "Berlin", "fr": "Berlin", "de": "Berlin", "nl": "Berlijn", "ar": "برلين"},
        "#برلين",
    ),
    City(
        "amsterdam",
        "gables",
        {
            "en": "Amsterdam",
            "fr": "Amsterdam",
            "de": "Amsterdam",
            "nl": "Amsterdam",
            "ar": "أمستردام",
        },
        "#أمستردام",
    ),
    City(
        "brussels",
        "spheres",
        {"en": "Brussels", "fr": "Bruxelles", "de": "Brüssel", "nl": "Brussel", "ar": "بروكسل"},
        "#بروكسل",
    ),
    City(
        "new_york",
        "skyline",
        {"en": "New York", "fr": "New York", "de": "New York", "nl": "New York", "ar": "نيويورك"},
        "#نيويورك",
    ),
)
CITY_BY_KEY = {city.key: city for city in CITIES}

# --------------------------------------------------------------------------- phrases

THREAT_STANDIN = {
    "en": "[stand-in threat phrase] the lanterns will fall on {city}",
    "fr": "[phrase de menace fictive] les lanternes tomberont sur {city}",
    "de": "[fiktiver Drohsatz] die Laternen werden auf {city} fallen",
    "nl": "[fictieve dreigzin] de lantaarns zullen op {city} vallen",
    "ar": "[نص بديل] الفوانيس ستسقط على {city}",
}

OUTLET_STATEMENT = {
    "en": "[stand-in statement] Bulletin {n} from the Northwind Media Office. Follow the lanterns.",
    "ar": "[نص بديل] النشرة رقم {n} من مكتب نورثويند الإعلامي. اتبعوا الفوانيس.",
    "fr": "[déclaration fictive] Bulletin {n} du Northwind Media Office.",
    "de": "[Platzhaltererklärung] Bulletin {n} des Northwind Media Office.",
    "nl": "[fictieve verklaring] Bulletin {n} van het Northwind Media Office.",
}

OUTLET_NOTE = {
    "en": "[stand-in statement] Office note {n}: the lanterns stay lit.",
    "ar": "[نص بديل] ملاحظة المكتب رقم {n}: الفوانيس تبقى مضاءة.",
    "fr": "[déclaration fictive] Note du bureau n° {n}.",
    "de": "[Platzhaltererklärung] Notiz des Büros Nr. {n}.",
    "nl": "[fictieve verklaring] Notitie van het bureau nr. {n}.",
}

RETURN_STATEMENT = {
    "en": "[stand-in statement] The Northwind Media Office is back. "
    "The lanterns were never put out.",
    "ar": "[نص بديل] عاد مكتب نورثويند الإعلامي. الفوانيس لم تنطفئ.",
}

SUPPORTER_LINES = {
    "en": (
        "[stand-in supporter text] Share before it disappears.",
        "[stand-in supporter text] New release from the office, spread it.",
        "[stand-in supporter text] Backup channel below, join before the ban.",
        "[stand-in supporter text] They cannot stop the lanterns.",
    ),
    "ar": (
        "[نص بديل] انشروا قبل الحذف.",
        "[نص بديل] إصدار جديد من المكتب، انشروه.",
        "[نص بديل] قناة احتياطية، انضموا قبل الحظر.",
    ),
    "fr": (
        "[texte fictif] Partagez avant la suppression.",
        "[texte fictif] Nouvelle publication du bureau, diffusez-la.",
    ),
    "de": (
        "[Platzhaltertext] Teilen, bevor es gelöscht wird.",
        "[Platzhaltertext] Neue Veröffentlichung des Büros, weiterverbreiten.",
    ),
    "nl": (
        "[fictieve tekst] Delen voordat het verdwijnt.",
        "[fictieve tekst] Nieuwe uitgave van het bureau, verspreid het.",
    ),
}

FILLER_LINES = {
    "en": (
        "Good morning everyone. [filler text]",
        "Slow day today, more tomorrow. [filler text]",
        "Reminder: read the pinned message. [filler text]",
        "Thanks for the support, friends. [filler text]",
        "Channel maintenance tonight. [filler text]",
    ),
    "ar": (
        "صباح الخير للجميع. [نص حشو]",
        "شكرا على الدعم. [نص حشو]",
        "اقرؤوا الرسالة المثبتة. [نص حشو]",
    ),
    "fr": ("Bonjour à tous. [texte de remplissage]", "Merci pour votre soutien. [texte]"),
    "de": ("Guten Morgen zusammen. [Fülltext]", "Danke für die Unterstützung. [Fülltext]"),
    "nl": ("Goedemorgen allemaal. [opvultekst]", "Bedankt voor de steun. [opvultekst]"),
}

NEWS_REPORTS = {
    "en": (
        'Monitoring groups report that a channel calling itself "Northwind Media Office" '
        "has resumed posting after a silence of about four months. [demo report]",
        "Images showing {city} landmarks next to a fictional badge are circulating on several "
        "channels. Police in {city} say they are aware of the posts. [demo report]",
        'Researchers flagged posts with the caption "{quote}"; analysts describe them as '
        "recycled material. [demo report]",
        "Analysis: how the same poster spread across supporter channels within days, often "
        "re-compressed or cropped. [demo report]",
    ),
    "fr": (
        "[reportage fictif] Des groupes de veille signalent que la chaîne « Northwind Media "
        "Office » publie à nouveau après quatre mois de silence.",
        "[reportage fictif] Des images montrant des monuments de {city} circulent sur "
        "plusieurs chaînes ; la police dit en avoir connaissance.",
    ),
    "de": (
        "[fiktiver Bericht] Beobachter melden, dass der Kanal „Northwind Media Office“ nach "
        "vier Monaten wieder aktiv ist.",
        "[fiktiver Bericht] Bilder mit Wahrzeichen aus {city} kursieren in mehreren Kanälen; "
        "die Polizei prüft die Beiträge.",
    ),
    "nl": (
        "[fictief bericht] Onderzoekers melden dat het kanaal Northwind Media Office na vier "
        "maanden stilte weer berichten plaatst.",
    ),
    "ar": (
        "[تقرير بديل] أفادت مجموعات رصد بأن قناة تسمي نفسها «مكتب نورثويند الإعلامي» عادت إلى "
        "النشر بعد توقف دام نحو أربعة أشهر.",
        "[تقرير بديل] صور تظهر معالم في {city} إلى جانب شارة خيالية تنتشر في عدة قنوات.",
    ),
}

NEWS_FILLER = (
    "Harbour traffic resumes after the weekend storm. [demo news]",
    "City council approves new cycling lanes along the river. [demo news]",
    "Weekly weather outlook: cold and dry, light wind from the north. [demo news]",
    "Library opening hours extended during the exam period. [demo news]",
    "Ferry timetable changes from Monday. [demo news]",
    "Regional rail works: expect delays on the coastal line. [demo news]",
    "Le port rouvre après la tempête. [actualité fictive]",
    "Neue Fahrradwege am Fluss beschlossen. [Demo-Nachricht]",
)

CHAT_LINES = (
    "anyone got the new poster? [demo chat]",
    "check the backup link [demo chat]",
    "this one was already posted in September [demo chat]",
    "هل من رابط جديد؟ [نص تجريبي]",
    "the office channel is quiet again [demo chat]",
    "reposted it with our tag [demo chat]",
    "admins, please pin the archive [demo chat]",
)

# --------------------------------------------------------------------------- builders


def threat_caption(city: City, lang: str) -> str:
    return THREAT_STANDIN[lang].format(city=city.name(lang))


def poster_caption(rng: random.Random, city: City, langs: tuple[str, ...]) -> Text:
    """Caption of an outlet landmark poster: stand-in phrase in several languages + tags."""
    parts: list[Part] = []
    for index, lang in enumerate(langs):
        line = threat_caption(city, lang)
        parts.append(bold(line) if index == 0 else plain(line))
        parts.append(plain("\n"))
    parts += [hashtag(CAMPAIGN_TAGS[2]), plain(" "), hashtag(city.tag_ar), plain(" ")]
    parts += [hashtag(f"#{city.name('en').replace(' ', '')}"), plain(" ")]
    parts.append(hashtag(pick(rng, CAMPAIGN_TAGS[:2])))
    return normalize(parts)


def outlet_statement(rng: random.Random, number: int, lang: str, *, note: bool = False) -> Text:
    template = (OUTLET_NOTE if note else OUTLET_STATEMENT)[lang]
    parts: list[Part] = [plain(template.format(n=number))]
    if rng.random() < 0.6:
        parts += [plain("\n"), hashtag(CAMPAIGN_TAGS[2]), plain(" "), hashtag(CAMPAIGN_TAGS[0])]
    if rng.random() < 0.4:
        parts += [plain("\n"), link(f"https://t.me/{OUTLET_USERNAME}")]
    return normalize(parts)


def return_statement() -> Text:
    return normalize(
        [
            bold(RETURN_STATEMENT["en"]),
            plain("\n" + RETURN_STATEMENT["ar"] + "\n"),
            hashtag(CAMPAIGN_TAGS[3]),
            plain(" "),
            hashtag(CAMPAIGN_TAGS[2]),
            plain("\n"),
            link(f"https://t.me/{OUTLET_USERNAME}"),
        ]
    )


def supporter_text(rng: random.Random, lang: str, *, with_link: bool = False) -> Text:
    parts: list[Part] = [plain(pick(rng, SUPPORTER_LINES[lang]))]
    roll = rng.random()
    if roll < 0.5:
        parts += [plain(" "), hashtag(pick(rng, CAMPAIGN_TAGS))]
    elif roll < 0.7:
        parts += [plain(" via "), mention(OUTLET_USERNAME)]
    if with_link:
        parts += [plain("\n"), link(pick(rng, JOIN_LINKS))]
    return normalize(parts)


def supporter_repost_caption(rng: random.Random, city: City, lang: str) -> Text:
    parts: list[Part] = [plain(threat_caption(city, lang)), plain("\n")]
    parts += [hashtag(city.tag_ar if lang == "ar" else f"#{city.name(lang).replace(' ', '')}")]
    parts += [plain(" "), hashtag(pick(rng, CAMPAIGN_TAGS))]
    return normalize(parts)


def filler_text(rng: random.Random, lang: str) -> Text:
    return normalize([plain(pick(rng, FILLER_LINES[lang]))])


def news_report(rng: random.Random, lang: str, city: City | None = None) -> Text:
    city = city or pick(rng, CITIES)
    quote = threat_caption(city, "en")
    body = pick(rng, NEWS_REPORTS[lang]).format(city=city.name(lang), quote=quote)
    parts: list[Part] = [bold("Harbour Desk | "), plain(body)]
    if rng.random() < 0.5:
        slug = f"{city.key}-{rng.randrange(1000, 9999)}"
        parts += [plain("\n"), text_link("Read more", f"https://example.org/news/{slug}")]
    if rng.random() < 0.3:
        parts += [plain(" "), hashtag("#HarbourDesk")]
    return normalize(parts)


def news_filler(rng: random.Random) -> Text:
    parts: list[Part] = [plain(pick(rng, NEWS_FILLER))]
    if rng.random() < 0.3:
        parts += [plain(" "), text_link("Details", "https://example.org/local")]
    return normalize(parts)


def chat_text(rng: random.Random) -> Text:
    parts: list[Part] = [plain(pick(rng, CHAT_LINES))]
    if rng.random() < 0.25:
        parts += [plain(" "), link(pick(rng, JOIN_LINKS))]
    elif rng.random() < 0.2:
        parts += [plain(" "), mention("lantern_relay_demo")]
    return normalize(parts)
