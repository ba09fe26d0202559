"""Colours shared by the demo pictures."""

from __future__ import annotations

import random

RGB = tuple[int, int, int]

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


def random_sky(rng: random.Random) -> tuple[RGB, RGB]:
    """A (top, bottom) pair of gradient colours."""
    return SKIES[rng.randrange(len(SKIES))]
