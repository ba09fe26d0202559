"""The original images of the scenario (drawn once per seed) and benign filler photos."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from PIL import Image

from watchfloor.demo import raster, scenes, texts
from watchfloor.demo.model import Media
from watchfloor.demo.randomness import pick


@dataclass
class Asset:
    key: str
    jpeg: bytes
    size: tuple[int, int]
    city: str | None = None


@dataclass(frozen=True)
class PosterSpec:
    key: str
    city: str
    langs: tuple[str, ...]
    size: tuple[int, int]


POSTERS = (
    PosterSpec("poster_london_1", "london", ("en", "ar"), (800, 533)),
    PosterSpec("poster_paris_1", "paris", ("fr", "ar", "en"), (800, 533)),
    PosterSpec("poster_berlin", "berlin", ("de", "ar"), (880, 587)),
    PosterSpec("poster_amsterdam", "amsterdam", ("nl", "ar"), (800, 533)),
    PosterSpec("poster_brussels", "brussels", ("fr", "nl", "ar"), (880, 587)),
    PosterSpec("poster_new_york", "new_york", ("en", "ar"), (800, 533)),
    PosterSpec("poster_london_2", "london", ("en", "fr", "ar"), (1120, 630)),
)
POSTER_BY_KEY = {spec.key: spec for spec in POSTERS}


def jpeg_photo(img: Image.Image, quality: int, *, family: str | None, variant: str) -> Media:
    data = raster.encode_jpeg(img, quality)
    return Media("photo", data, width=img.width, height=img.height, family=family, variant=variant)


class ImageBank:
    """The scenario's original images, keyed by family name (``poster_berlin``...)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}/images")
        self.assets: dict[str, Asset] = {}
        self._draw_posters()
        self._draw_statement_cards()
        self._draw_news_images()

    def _draw_posters(self) -> None:
        for spec in POSTERS:
            city = texts.CITY_BY_KEY[spec.city]
            captions = [texts.threat_caption(city, lang) for lang in spec.langs]
            img = scenes.landmark_poster(self.rng, city, captions, spec.size)
            self._add(spec.key, img, 80, spec.city)

    def _draw_statement_cards(self) -> None:
        heading = texts.OUTLET_NAME.upper()
        for number in (1, 2, 3):
            lines = [texts.OUTLET_STATEMENT[lang].format(n=number) for lang in ("en", "ar")]
            self._add(f"card_{number}", scenes.emblem_card(self.rng, heading, lines), 72)
        lines = list(texts.RETURN_STATEMENT.values())
        self._add("card_return", scenes.emblem_card(self.rng, heading, lines), 72)

    def _draw_news_images(self) -> None:
        chart = scenes.bar_chart(self.rng, "Posts per week, monitored channels")
        self._add("news_chart_1", chart, 85)
        chart = scenes.bar_chart(self.rng, "Re-posted images per day (demo)")
        self._add("news_chart_2", chart, 85)
        self._add("news_press", scenes.press_room(self.rng, "HARBOUR DESK  |  BRIEFING"), 78)
        frame = scenes.analysis_frame(self.image("poster_paris_1"), "Harbour Desk | Verification")
        self._add("news_frame_paris", frame, 80)

    def _add(self, key: str, img: Image.Image, quality: int, city: str | None = None) -> None:
        self.assets[key] = Asset(key, raster.encode_jpeg(img, quality), img.size, city)

    def image(self, key: str) -> Image.Image:
        return raster.decode(self.assets[key].jpeg)

    def original(self, key: str) -> Media:
        asset = self.assets[key]
        w, h = asset.size
        return Media("photo", asset.jpeg, width=w, height=h, family=key, variant="original")

    def byte_copy(self, key: str) -> Media:
        """The original's exact bytes, posted again as a copy."""
        return replace(self.original(key), variant="copy")


def filler_photo(rng: random.Random, kind: str = "") -> Media:
    """A benign, unique picture (harbour, pattern or quote card)."""
    kind = kind or pick(rng, ("harbour", "pattern", "quote"))
    if kind == "harbour":
        img = scenes.harbour(rng)
    elif kind == "pattern":
        img = scenes.abstract_pattern(rng)
    else:
        img = scenes.quote_card(rng, pick(rng, texts.FILLER_LINES["en"]))
    return jpeg_photo(img, rng.randrange(62, 80), family=None, variant="unique")
