"""Procedural, benign images for the demo corpus (Pillow + numpy only).

Everything is drawn from primitives: gradients, polygons and text. The "emblem"
is an abstract hexagonal badge with a four-point star cut, invented for the demo.
All functions are deterministic for a given ``random.Random`` state.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps, features

from watchfloor.demo import texts

RGB = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
)
LATIN_FONTS = {False: ("DejaVuSans.ttf", "NotoSans-Regular.ttf"), True: ("DejaVuSans-Bold.ttf",)}
ARABIC_FONTS = ("NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "DejaVuSans.ttf")
HAS_RAQM = features.check_feature("raqm")

SKIES: tuple[tuple[RGB, RGB], ...] = (
    ((28, 32, 70), (236, 140, 84)),
    ((18, 40, 86), (120, 170, 210)),
    ((60, 30, 70), (240, 190, 120)),
    ((12, 18, 40), (70, 90, 140)),
    ((40, 70, 120), (200, 215, 230)),
)
SILHOUETTE: RGB = (16, 16, 22)
BADGE_FLAG: RGB = (22, 24, 30)
BADGE_MARK: RGB = (236, 232, 220)


# --------------------------------------------------------------------------- fonts


def _find_font(names: tuple[str, ...]) -> Path | None:
    for directory in FONT_DIRS:
        for name in names:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


@lru_cache(maxsize=64)
def font(size: int, *, bold: bool = False, arabic: bool = False) -> Font:
    """A TrueType font from the system if present, else Pillow's built-in default."""
    path = _find_font(ARABIC_FONTS if arabic else LATIN_FONTS[bold] + LATIN_FONTS[False])
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def is_rtl(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def _text_kwargs(text: str, fnt: Font) -> dict[str, str]:
    """Right-to-left shaping options, only when this font is laid out by libraqm."""
    engine = getattr(fnt, "layout_engine", None)
    if HAS_RAQM and engine == ImageFont.Layout.RAQM and is_rtl(text):
        return {"direction": "rtl", "language": "ar"}
    return {}


def text_size(draw: ImageDraw.ImageDraw, text: str, fnt: Font) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=fnt, **_text_kwargs(text, fnt))
    return int(right - left), int(bottom - top)


def draw_text_line(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    size: int,
    fill: RGB,
    *,
    bold: bool = False,
) -> None:
    rtl = is_rtl(text)
    fnt = font(size, bold=bold and not rtl, arabic=rtl)
    draw.text(xy, text, font=fnt, fill=fill, **_text_kwargs(text, fnt))


def wrap(draw: ImageDraw.ImageDraw, text: str, fnt: Font, width: int) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if current and text_size(draw, trial, fnt)[0] > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def draw_centered_block(
    draw: ImageDraw.ImageDraw,
    lines: list[tuple[str, int, bool]],
    box: tuple[int, int, int, int],
    fill: RGB,
) -> None:
    """Draw (text, size, bold) lines wrapped and centred inside ``box``."""
    x0, y0, x1, _ = box
    y = y0
    for text, size, is_bold in lines:
        rtl = is_rtl(text)
        fnt = font(size, bold=is_bold and not rtl, arabic=rtl)
        for line in wrap(draw, text, fnt, x1 - x0):
            w, _ = text_size(draw, line, fnt)
            draw.text(
                (x0 + (x1 - x0 - w) // 2, y), line, font=fnt, fill=fill, **_text_kwargs(line, fnt)
            )
            y += int(size * 1.25)
        y += size // 3


# --------------------------------------------------------------------------- primitives


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    a = np.array(top, dtype=np.float32)[None, None, :]
    b = np.array(bottom, dtype=np.float32)[None, None, :]
    rows = (a * (1 - t) + b * t).astype(np.uint8)
    return Image.fromarray(np.repeat(rows, width, axis=1), "RGB")


def regular_polygon(cx: float, cy: float, r: float, n: int, rot: float = 0.0) -> list[tuple]:
    return [
        (cx + r * math.cos(rot + 2 * math.pi * k / n), cy + r * math.sin(rot + 2 * math.pi * k / n))
        for k in range(n)
    ]


def star(cx: float, cy: float, outer: float, inner: float, points: int) -> list[tuple]:
    out = []
    for k in range(points * 2):
        r = outer if k % 2 == 0 else inner
        a = -math.pi / 2 + math.pi * k / points
        out.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return out


def draw_badge(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fg: RGB, bg: RGB) -> None:
    """The fictional outlet badge: hexagon, four-point star cut, centre dot, thin ring."""
    draw.polygon(regular_polygon(cx, cy, r, 6, math.pi / 6), fill=fg)
    draw.polygon(star(cx, cy, r * 0.72, r * 0.22, 4), fill=bg)
    dot = r * 0.14
    draw.ellipse((cx - dot, cy - dot, cx + dot, cy + dot), fill=fg)
    ring = r * 1.12
    draw.ellipse(
        (cx - ring, cy - ring, cx + ring, cy + ring), outline=fg, width=max(2, int(r / 14))
    )


def add_watermark(
    img: Image.Image, text: str, corner: str = "br", *, size: int = 0, alpha: int = 170
) -> Image.Image:
    """Return a copy with a small semi-transparent text watermark in a corner."""
    base = img.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = size or max(14, base.width // 32)
    fnt = font(size, bold=True)
    w, h = text_size(draw, text, fnt)
    pad = max(8, base.width // 80)
    x = pad if "l" in corner else base.width - w - pad * 2
    y = pad if "t" in corner else base.height - h - pad * 2
    draw.rectangle((x - 4, y - 2, x + w + 6, y + h + 8), fill=(0, 0, 0, alpha // 2))
    draw.text((x, y), text, font=fnt, fill=(255, 255, 255, alpha))
    return Image.alpha_composite(base, layer).convert("RGB")


# --------------------------------------------------------------------------- landmarks


def _tower(d: ImageDraw.ImageDraw, cx: int, ground: int, h: int, c: RGB, sky: RGB) -> None:
    half = h * 0.30
    top = ground - h
    d.polygon([(cx - half, ground), (cx - 6, top), (cx + 6, top), (cx + half, ground)], fill=c)
    d.pieslice(
        (cx - half * 0.55, ground - h * 0.2, cx + half * 0.55, ground + h * 0.2), 180, 360, fill=sky
    )
    for frac in (0.32, 0.6):
        y = ground - h * frac
        w = half * (1 - frac) + 10
        d.rectangle((cx - w, y - 5, cx + w, y + 5), fill=c)
    d.line((cx, top, cx, top - h * 0.08), fill=c, width=4)


def _bridge(d: ImageDraw.ImageDraw, cx: int, ground: int, h: int, c: RGB, sky: RGB) -> None:
    gap = h * 0.75
    deck = ground - h * 0.28
    for tx in (cx - gap / 2, cx + gap / 2):
        w = h * 0.16
        d.rectangle((tx - w / 2, ground - h * 0.85, tx + w / 2, ground), fill=c)
        d.polygon(
            [
                (tx - w / 2 - 4, ground - h * 0.85),
                (tx, ground - h),
                (tx + w / 2 + 4, ground - h * 0.85),
            ],
            fill=c,
        )
        d.rectangle((tx - w / 5, ground - h * 0.55, tx + w / 5, ground - h * 0.38), fill=sky)
    d.rectangle((cx - gap / 2, ground - h * 0.72, cx + gap / 2, ground - h * 0.66), fill=c)
    d.rectangle((cx - h * 1.3, deck, cx + h * 1.3, deck + 10), fill=c)
    for side in (-1, 1):
        tower_x = cx + side * gap / 2
        end_x = cx + side * h * 1.3
        d.line((tower_x, ground - h * 0.8, end_x, deck), fill=c, width=4)


def _dome(d: ImageDraw.ImageDraw, cx: int, ground: int, h: int, c: RGB, sky: RGB) -> None:
    w = h * 1.5
    body_top = ground - h * 0.5
    d.rectangle((cx - w / 2, body_top, cx + w / 2, ground), fill=c)
    d.polygon(
        [(cx - w / 2 - 10, body_top), (cx, body_top - h * 0.12), (cx + w / 2 + 10, body_top)],
        fill=c,
    )
    for k in range(7):
        x = cx - w * 0.36 + k * w * 0.12
        d.rectangle((x - 5, body_top + h * 0.12, x + 5, ground - 8), fill=sky)
    r = h * 0.32
    d.pieslice((cx - r, body_top - h * 0.12 - r, cx + r, body_top - h * 0.12 + r), 180, 360, fill=c)
    d.line((cx, body_top - h * 0.12 - r, cx, ground - h), fill=c, width=5)


def _gables(d: ImageDraw.ImageDraw, cx: int, ground: int, h: int, c: RGB, sky: RGB) -> None:
    width = h * 0.34
    start = cx - width * 3
    for k in range(6):
        x0 = start + k * width
        top = ground - h * (0.62 + 0.12 * ((k * 7) % 3))
        d.rectangle((x0 + 2, top, x0 + width - 2, ground), fill=c)
        d.polygon(
            [(x0 + 2, top), (x0 + width / 2, top - width * 0.55), (x0 + width - 2, top)], fill=c
        )
        for row in range(3):
            wy = top + 18 + row * (ground - top - 30) / 3
            d.rectangle((x0 + width * 0.3, wy, x0 + width * 0.7, wy + 14), fill=sky)


def _spheres(d: ImageDraw.ImageDraw, cx: int, ground: int, h: int, c: RGB, sky: RGB) -> None:
    s = h * 0.3
    centre = (cx, ground - h * 0.55)
    nodes = [centre] + [
        (centre[0] + s * dx * 0.95, centre[1] + s * dy * 0.95)
        for dx, dy in ((-1, -1), (1, -1), (-1, 1), (1, 1), (0, -1.6), (0, 1.6), (-1.6, 0), (1.6, 0))
    ]
    for x, y in nodes[1:]:
        d.line((centre[0], centre[1], x, y), fill=c, width=8)
    for (x0, y0), (x1, y1) in zip(nodes[1:5], nodes[2:5] + nodes[1:2], strict=True):
        d.line((x0, y0, x1, y1), fill=c, width=6)
    r = s * 0.28
    for x, y in nodes:
        d.ellipse((x - r, y - r, x + r, y + r), fill=c)
    d.line((centre[0], centre[1] + s * 1.6, centre[0], ground), fill=c, width=10)


def _skyline(d: ImageDraw.ImageDraw, cx: int, ground: int, h: int, c: RGB, sky: RGB) -> None:
    heights = (0.45, 0.7, 0.55, 1.0, 0.62, 0.8, 0.5, 0.66)
    width = h * 0.22
    start = cx - width * len(heights) / 2
    for k, frac in enumerate(heights):
        x0 = start + k * width
        top = ground - h * frac * 0.85
        d.rectangle((x0 + 3, top, x0 + width - 3, ground), fill=c)
        if frac == 1.0:
            d.polygon(
                [(x0 + 3, top), (x0 + width / 2, top - h * 0.12), (x0 + width - 3, top)], fill=c
            )
            d.line((x0 + width / 2, top - h * 0.12, x0 + width / 2, top - h * 0.2), fill=c, width=3)
        for wy in range(int(top) + 14, ground - 10, 22):
            d.rectangle((x0 + width * 0.3, wy, x0 + width * 0.42, wy + 8), fill=sky)
            d.rectangle((x0 + width * 0.58, wy, x0 + width * 0.7, wy + 8), fill=sky)


LANDMARKS: dict[str, Callable[..., None]] = {
    "tower": _tower,
    "bridge": _bridge,
    "dome": _dome,
    "gables": _gables,
    "spheres": _spheres,
    "skyline": _skyline,
}


def draw_figure_with_flag(d: ImageDraw.ImageDraw, x: int, ground: int, h: int, c: RGB) -> None:
    """A plain human silhouette holding a pole with the fictional badge flag."""
    head = h * 0.09
    d.ellipse((x - head, ground - h, x + head, ground - h + head * 2), fill=c)
    shoulders = ground - h + head * 2.2
    d.polygon(
        [
            (x - h * 0.13, shoulders),
            (x + h * 0.13, shoulders),
            (x + h * 0.09, ground - h * 0.45),
            (x - h * 0.09, ground - h * 0.45),
        ],
        fill=c,
    )
    d.polygon(
        [
            (x - h * 0.09, ground - h * 0.46),
            (x - h * 0.02, ground - h * 0.46),
            (x - h * 0.05, ground),
            (x - h * 0.12, ground),
        ],
        fill=c,
    )
    d.polygon(
        [
            (x + h * 0.02, ground - h * 0.46),
            (x + h * 0.09, ground - h * 0.46),
            (x + h * 0.12, ground),
            (x + h * 0.05, ground),
        ],
        fill=c,
    )
    pole_x = x + h * 0.3
    d.line(
        (x + h * 0.1, shoulders + h * 0.05, pole_x, ground - h * 0.95),
        fill=c,
        width=max(4, h // 28),
    )
    d.line((pole_x, ground - h * 0.35, pole_x, ground - h * 1.35), fill=c, width=max(3, h // 40))
    fw, fh = h * 0.62, h * 0.4
    flag = (pole_x, ground - h * 1.35, pole_x + fw, ground - h * 1.35 + fh)
    d.rectangle(flag, fill=BADGE_FLAG)
    draw_badge(d, pole_x + fw / 2, flag[1] + fh / 2, fh * 0.32, BADGE_MARK, BADGE_FLAG)


# --------------------------------------------------------------------------- scenes


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
    top, bottom = SKIES[rng.randrange(len(SKIES))]
    img = gradient(size, top, bottom)
    d = ImageDraw.Draw(img)
    ground = int(height * (0.70 + rng.random() * 0.04))
    sun = rng.uniform(0.55, 0.85) * width, rng.uniform(0.15, 0.35) * height
    r = height * 0.06
    d.ellipse((sun[0] - r, sun[1] - r, sun[0] + r, sun[1] + r), fill=(250, 226, 170))
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
    top, bottom = SKIES[rng.randrange(len(SKIES))]
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
    top, bottom = SKIES[rng.randrange(len(SKIES))]
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
    img = gradient(size, SKIES[rng.randrange(len(SKIES))][1], (250, 246, 236))
    d = ImageDraw.Draw(img)
    for _ in range(rng.randrange(6, 14)):
        r = rng.uniform(20, 120)
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        colour = tuple(rng.randrange(60, 230) for _ in range(3))
        d.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=rng.randrange(3, 12))
    return img


def quote_card(rng: random.Random, line: str, size: tuple[int, int] = (720, 405)) -> Image.Image:
    top, bottom = SKIES[rng.randrange(len(SKIES))]
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


# --------------------------------------------------------------------------- variants / codecs


def encode_jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality, subsampling=2, optimize=False)
    return buf.getvalue()


def encode_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def decode(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as img:
        return img.convert("RGB")


def resized(img: Image.Image, factor: float) -> Image.Image:
    size = (max(16, round(img.width * factor)), max(16, round(img.height * factor)))
    return img.resize(size, Image.Resampling.LANCZOS)


def cropped(img: Image.Image, frac: float) -> Image.Image:
    dx, dy = round(img.width * frac), round(img.height * frac)
    return img.crop((dx, dy, img.width - dx, img.height - dy))


def mirrored(img: Image.Image) -> Image.Image:
    return ImageOps.mirror(img)


def thumbnail(img: Image.Image, width: int = 260) -> Image.Image:
    return resized(img, width / img.width)


def truncated(data: bytes, keep: float = 0.4) -> bytes:
    """The first part of an encoded image: a download cut off mid-file."""
    return data[: max(64, int(len(data) * keep))]
