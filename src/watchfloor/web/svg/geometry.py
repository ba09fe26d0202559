"""Map geometry: the Equal Earth projection, line simplification and antimeridian handling.

Equal Earth (Šavrič, Patterson & Jenny, 2018) is equal-area, so a country's drawn size is its
true size and markers are not read against inflated northern countries as on Web Mercator; it is
also a handful of closed-form polynomials (no iteration, vectorises in numpy), and its rounded
outline reads as a world map without the polar stretching of the equirectangular one.
"""

from __future__ import annotations

import numpy as np

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = np.sqrt(3.0) / 2.0
# Unit projection extents: x in [-X_MAX, X_MAX] (at the equator), y in [-Y_MAX, Y_MAX].
X_MAX = 2.0 * np.sqrt(3.0) * np.pi / (3.0 * A1)
Y_MAX = float((lambda t: t * (A1 + A2 * t * t + t**6 * (A3 + A4 * t * t)))(np.pi / 3.0))


def equal_earth(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Degrees to unit Equal Earth coordinates (y grows northwards). Longitudes beyond ±180
    are allowed and land beyond the outline (used to draw shapes that cross the antimeridian)."""
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    theta = np.arcsin(_M * np.sin(np.radians(np.asarray(lat, dtype=np.float64))))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        2.0
        * np.sqrt(3.0)
        * lam
        * np.cos(theta)
        / (3.0 * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    )
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker: a mask of the fewest points (first and last always kept) that stay
    within `tolerance` of the line. A closed line (first == last) is measured by the distance to
    that point."""
    n = len(points)
    keep = np.zeros(n, dtype=bool)
    keep[[0, -1]] = True
    if tolerance <= 0:
        keep[:] = True
    stack = [(0, n - 1)] if tolerance > 0 else []
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        far, dist = _farthest(points, i, j)
        if dist > tolerance:
            keep[far] = True
            stack += [(i, far), (far, j)]
    return keep


def _farthest(points: np.ndarray, i: int, j: int) -> tuple[int, float]:
    a, b = points[i], points[j]
    inner = points[i + 1 : j] - a
    ab = b - a
    length = float(np.hypot(*ab))
    if length == 0.0:
        d = np.hypot(inner[:, 0], inner[:, 1])
    else:
        d = np.abs(inner[:, 0] * ab[1] - inner[:, 1] * ab[0]) / length
    k = int(np.argmax(d))
    return i + 1 + k, float(d[k])


def unwrap_ring(ring: np.ndarray) -> np.ndarray:
    """A lon/lat ring made continuous in longitude (a step of more than 180° is taken the
    short way round). A ring that circles a pole (Antarctica) ends 360° from where it began:
    it is closed along the pole line so it encloses the polar cap, not the rest of the world."""
    lon = np.unwrap(ring[:, 0], period=360.0)
    out = np.column_stack([lon, ring[:, 1]])
    turn = lon[-1] - lon[0]
    if abs(turn) < 180.0:
        return out
    pole = 90.0 if ring[:, 1].mean() > 0 else -90.0
    cap = [[lon[-1], pole], [lon[0], pole], [lon[0], ring[0, 1]]]
    return np.vstack([out, cap])


def wrapped_copies(ring: np.ndarray) -> list[np.ndarray]:
    """The ring, plus copies shifted by 360° for the parts beyond ±180 (the map is clipped to
    its outline, so each copy shows the part that belongs on the other edge)."""
    copies = [ring]
    lo, hi = float(ring[:, 0].min()), float(ring[:, 0].max())
    if lo < -180.0:
        copies.append(ring + np.array([360.0, 0.0]))
    if hi > 180.0:
        copies.append(ring - np.array([360.0, 0.0]))
    return copies
