"""System fonts and text layout (wrapping, centring, right-to-left shaping)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

from watchfloor.demo.palette import RGB

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
)
LATIN_FONTS = {False: ("DejaVuSans.ttf", "NotoSans-Regular.ttf"), True: ("DejaVuSans-Bold.ttf",)}
ARABIC_FONTS = ("NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "DejaVuSans.ttf")
HAS_RAQM = features.check_feature("raqm")


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


def font_for(text: str, size: int, *, bold: bool = False) -> Font:
    """An Arabic face (never bold) for right-to-left text, else a Latin one."""
    rtl = is_rtl(text)
    return font(size, bold=bold and not rtl, arabic=rtl)


def _shaping_options(text: str, fnt: Font) -> dict[str, str]:
    """Right-to-left shaping options, only when this font is laid out by libraqm."""
    engine = getattr(fnt, "layout_engine", None)
    if HAS_RAQM and engine == ImageFont.Layout.RAQM and is_rtl(text):
        return {"direction": "rtl", "language": "ar"}
    return {}


def text_size(draw: ImageDraw.ImageDraw, text: str, fnt: Font) -> tuple[int, int]:
    options = _shaping_options(text, fnt)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=fnt, **options)
    return int(right - left), int(bottom - top)


def _draw_shaped(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, fnt: Font, fill: RGB
) -> None:
    draw.text(xy, text, font=fnt, fill=fill, **_shaping_options(text, fnt))


def draw_text_line(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    size: int,
    fill: RGB,
    *,
    bold: bool = False,
) -> None:
    _draw_shaped(draw, xy, text, font_for(text, size, bold=bold), fill)


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
        fnt = font_for(text, size, bold=is_bold)
        for line in wrap(draw, text, fnt, x1 - x0):
            w, _ = text_size(draw, line, fnt)
            _draw_shaped(draw, (x0 + (x1 - x0 - w) // 2, y), line, fnt, fill)
            y += int(size * 1.25)
        y += size // 3
