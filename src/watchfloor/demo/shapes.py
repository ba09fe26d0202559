"""Drawing primitives: gradients, polygons, the fictional outlet badge, watermarks."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from watchfloor.demo.fonts import font, text_size
from watchfloor.demo.palette import RGB

Point = tuple[float, float]


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    a = np.array(top, dtype=np.float32)[None, None, :]
    b = np.array(bottom, dtype=np.float32)[None, None, :]
    rows = (a * (1 - t) + b * t).astype(np.uint8)
    return Image.fromarray(np.repeat(rows, width, axis=1), "RGB")


def circle_bounds(cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
    """The bounding box that ``ImageDraw.ellipse`` takes for a circle."""
    return (cx - r, cy - r, cx + r, cy + r)


def regular_polygon(cx: float, cy: float, r: float, n: int, rot: float = 0.0) -> list[Point]:
    return [
        (cx + r * math.cos(rot + 2 * math.pi * k / n), cy + r * math.sin(rot + 2 * math.pi * k / n))
        for k in range(n)
    ]


def star(cx: float, cy: float, outer: float, inner: float, points: int) -> list[Point]:
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
    draw.ellipse(circle_bounds(cx, cy, r * 0.14), fill=fg)
    draw.ellipse(circle_bounds(cx, cy, r * 1.12), outline=fg, width=max(2, int(r / 14)))


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
