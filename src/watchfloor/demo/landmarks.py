"""Landmark silhouettes and the flag-bearing figure drawn on the outlet's posters.

Each landmark function draws at centre ``cx`` on the ground line ``ground``, ``h``
pixels tall, in colour ``c``; ``sky`` is used to cut windows and arches.
"""

from __future__ import annotations

from collections.abc import Callable

from PIL import ImageDraw

from watchfloor.demo.palette import BADGE_FLAG, BADGE_MARK, RGB
from watchfloor.demo.shapes import circle_bounds, draw_badge


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
    for pillar_x in (cx - gap / 2, cx + gap / 2):
        w = h * 0.16
        d.rectangle((pillar_x - w / 2, ground - h * 0.85, pillar_x + w / 2, ground), fill=c)
        d.polygon(
            [
                (pillar_x - w / 2 - 4, ground - h * 0.85),
                (pillar_x, ground - h),
                (pillar_x + w / 2 + 4, ground - h * 0.85),
            ],
            fill=c,
        )
        d.rectangle(
            (pillar_x - w / 5, ground - h * 0.55, pillar_x + w / 5, ground - h * 0.38), fill=sky
        )
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
        d.ellipse(circle_bounds(x, y, r), fill=c)
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


LandmarkPainter = Callable[[ImageDraw.ImageDraw, int, int, int, RGB, RGB], None]

LANDMARKS: dict[str, LandmarkPainter] = {
    "tower": _tower,
    "bridge": _bridge,
    "dome": _dome,
    "gables": _gables,
    "spheres": _spheres,
    "skyline": _skyline,
}


def _draw_person(d: ImageDraw.ImageDraw, x: int, ground: int, h: int, c: RGB) -> float:
    """A plain human silhouette; returns the height of its shoulders."""
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
    return shoulders


def _draw_flag(
    d: ImageDraw.ImageDraw, x: int, shoulders: float, ground: int, h: int, c: RGB
) -> None:
    """The arm, the pole and the badge flag held by the figure standing at ``x``."""
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


def draw_figure_with_flag(d: ImageDraw.ImageDraw, x: int, ground: int, h: int, c: RGB) -> None:
    """A plain human silhouette holding a pole with the fictional badge flag."""
    shoulders = _draw_person(d, x, ground, h, c)
    _draw_flag(d, x, shoulders, ground, h, c)
