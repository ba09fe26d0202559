"""Whole demo pictures: landmark posters, statement cards, news images and fillers.

Everything is drawn from primitives (gradients, polygons, text); the "emblem" is an
abstract hexagonal badge with a four-point star cut, invented for the demo. Every
function is deterministic for a given ``random.Random`` state.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from watchfloor.demo import texts
from watchfloor.demo.fonts import draw_centered_block, draw_text_line
from watchfloor.demo.landmarks import LANDMARKS, draw_figure_with_flag
from watchfloor.demo.palette import BADGE_MARK, SILHOUETTE, random_sky
from watchfloor.demo.shapes import add_watermark, circle_bounds, draw_badge, gradient


def landmark_poster(
    rng: random.Random,
    city: texts.City,
    captions: list[str],
    size: tuple[int, int] = (960, 640),
    *,
    watermark: str = texts.OUTLET_WATERMARK,
) -> Image.Image:
    """Sky gradient, landmark silhouette, figure with badge flag, caption band, watermark."""
    width, height = size
    top, bottom = random_sky(rng)
    img = gradient(size, top, bottom)
    d = ImageDraw.Draw(img)
    ground = int(height * (0.70 + rng.random() * 0.04))
    sun = rng.uniform(0.55, 0.85) * width, rng.uniform(0.15, 0.35) * height
    r = height * 0.06
    d.ellipse(circle_bounds(*sun, r), fill=(250, 226, 170))
    sky_mid = tuple((a + b) // 2 for a, b in zip(top, bottom, strict=True))
    LANDMARKS[city.landmark](d, int(width * 0.62), ground, int(height * 0.48), SILHOUETTE, sky_mid)
    d.rectangle((0, ground, width, height), fill=(24, 22, 26))
    draw_figure_with_flag(d, int(width * 0.2), ground, int(height * 0.36), SILHOUETTE)
    band_top = ground + int(height * 0.03)
    lines = [(city.name("en").upper(), max(18, height // 16), True)]
    lines += [(caption, max(12, height // 34), False) for caption in captions]
    draw_centered_block(d, lines, (24, band_top, width - 24, height), (240, 236, 228))
    draw_badge(d, 44, 44, 24, (240, 236, 228), top)
    return add_watermark(img, watermark, "br") if watermark else img


def emblem_card(
    rng: random.Random, heading: str, lines: list[str], size: tuple[int, int] = (640, 640)
) -> Image.Image:
    """A statement card: dark gradient, big badge, heading and stand-in text lines."""
    top, bottom = random_sky(rng)
    img = gradient(size, (10, 12, 18), top)
    d = ImageDraw.Draw(img)
    w, h = size
    draw_badge(d, w / 2, h * 0.3, h * 0.16, BADGE_MARK, (10, 12, 18))
    block = [(heading, h // 18, True)] + [(line, h // 32, False) for line in lines]
    draw_centered_block(d, block, (40, int(h * 0.52), w - 40, h), (236, 232, 220))
    d.rectangle((0, h - 12, w, h), fill=bottom)
    return add_watermark(img, texts.OUTLET_WATERMARK, "br")


def bar_chart(rng: random.Random, title: str, size: tuple[int, int] = (800, 500)) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size, (248, 248, 244))
    d = ImageDraw.Draw(img)
    draw_text_line(d, (30, 20), title, h // 20, (30, 30, 40), bold=True)
    x0, y0, x1, y1 = 60, 90, w - 30, h - 50
    d.line((x0, y1, x1, y1), fill=(60, 60, 70), width=2)
    d.line((x0, y0, x0, y1), fill=(60, 60, 70), width=2)
    bars = 12
    step = (x1 - x0) / bars
    for k in range(bars):
        frac = 0.1 + 0.85 * rng.random() if k < bars - 3 else 0.85 + 0.1 * rng.random()
        bx = x0 + k * step + step * 0.18
        d.rectangle((bx, y1 - (y1 - y0) * frac, bx + step * 0.64, y1 - 1), fill=(52, 110, 160))
    draw_text_line(d, (x0, y1 + 12), "weeks (synthetic demo data)", h // 30, (90, 90, 100))
    return img


def press_room(rng: random.Random, label: str, size: tuple[int, int] = (800, 533)) -> Image.Image:
    w, h = size
    img = gradient(size, (30, 60, 110), (70, 110, 160))
    d = ImageDraw.Draw(img)
    for k in range(6):
        x = k * w / 5 + rng.uniform(-20, 20)
        d.rectangle((x, h * 0.1, x + w * 0.12, h * 0.55), outline=(200, 210, 230), width=2)
    d.polygon(
        [(w * 0.38, h * 0.6), (w * 0.62, h * 0.6), (w * 0.58, h), (w * 0.42, h)], fill=(40, 36, 34)
    )
    for k in range(3):
        mx = w * (0.45 + 0.05 * k)
        d.line((mx, h * 0.6, mx + rng.uniform(-8, 8), h * 0.5), fill=(20, 20, 20), width=4)
        d.ellipse((mx - 8, h * 0.48, mx + 8, h * 0.52), fill=(20, 20, 20))
    draw_text_line(d, (30, int(h * 0.03)), label, h // 16, (240, 240, 250), bold=True)
    return img


def harbour(rng: random.Random, size: tuple[int, int] = (720, 480)) -> Image.Image:
    w, h = size
    top, bottom = random_sky(rng)
    img = gradient(size, top, bottom)
    d = ImageDraw.Draw(img)
    water = int(h * rng.uniform(0.55, 0.7))
    d.rectangle((0, water, w, h), fill=(30, 60, 90))
    for _ in range(rng.randrange(2, 6)):
        x, y = rng.uniform(0, w - 120), rng.uniform(water + 10, h - 40)
        d.polygon([(x, y), (x + 110, y), (x + 90, y + 24), (x + 16, y + 24)], fill=(230, 230, 226))
        d.line((x + 55, y, x + 55, y - 60), fill=(60, 60, 60), width=3)
        d.polygon([(x + 57, y - 58), (x + 57, y - 6), (x + 95, y - 6)], fill=(250, 250, 245))
    for k in range(0, w, 40):
        d.line((k, water + 6, k + 20, water + 6), fill=(80, 120, 150), width=2)
    return img


def abstract_pattern(rng: random.Random, size: tuple[int, int] = (640, 640)) -> Image.Image:
    w, h = size
    img = gradient(size, random_sky(rng)[1], (250, 246, 236))
    d = ImageDraw.Draw(img)
    for _ in range(rng.randrange(6, 14)):
        r = rng.uniform(20, 120)
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        colour = tuple(rng.randrange(60, 230) for _ in range(3))
        d.ellipse(circle_bounds(x, y, r), outline=colour, width=rng.randrange(3, 12))
    return img


def quote_card(rng: random.Random, line: str, size: tuple[int, int] = (720, 405)) -> Image.Image:
    top, bottom = random_sky(rng)
    img = gradient(size, bottom, top)
    d = ImageDraw.Draw(img)
    draw_centered_block(
        d,
        [(line, size[1] // 14, False)],
        (40, size[1] // 3, size[0] - 40, size[1]),
        (250, 250, 250),
    )
    return img


def analysis_frame(
    poster: Image.Image, label: str, size: tuple[int, int] = (960, 640)
) -> Image.Image:
    """A news-style frame: the poster shrunk onto a grey panel with a reporting label."""
    img = Image.new("RGB", size, (214, 214, 210))
    d = ImageDraw.Draw(img)
    inner = poster.resize(
        (int(size[0] * 0.62), int(size[0] * 0.62 * poster.height / poster.width)),
        Image.Resampling.LANCZOS,
    )
    img.paste(inner, (30, 70))
    draw_text_line(d, (30, 20), label, 30, (30, 30, 36), bold=True)
    side = (int(size[0] * 0.62) + 60, 90, size[0] - 30, size[1] - 40)
    d.rectangle(side, fill=(244, 244, 240))
    draw_centered_block(
        d,
        [
            ("ANALYSIS", 26, True),
            ("Image circulating on supporter channels. Shown for reporting.", 18, False),
        ],
        (side[0] + 12, side[1] + 20, side[2] - 12, side[3]),
        (40, 40, 48),
    )
    return img
