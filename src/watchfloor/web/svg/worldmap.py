"""The targets world map as server-rendered SVG: country outlines from the vendored Natural
Earth TopoJSON, Equal Earth projection, one focusable link per target, sized by its posts.

The outlines are decoded, projected and simplified once per process (`country_layer`, cached);
each render only adds the markers. Borders are simplified arc by arc, before rings are built,
so neighbouring countries keep exactly the same simplified border.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from watchfloor.web.assets import vendor
from watchfloor.web.svg.geometry import (
    X_MAX,
    Y_MAX,
    equal_earth,
    simplify,
    unwrap_ring,
    wrapped_copies,
)
from watchfloor.web.svg.markup import attrs, num, safe_href, svg_head, text
from watchfloor.web.svg.topojson import Feature, decode_arcs, features

WIDTH = 1000.0
SOUTH = -60.0  # below this only Antarctica and the Southern Ocean: cropped to save height
TOLERANCE = 0.35  # simplification, in viewBox units (a 1000-wide map: about a third of a pixel)
R_MIN, R_MAX = 3.0, 24.0  # marker radius for the fewest and the most posts
FIT_MIN_WIDTH = 160.0  # the closest a fitted map zooms: about a sixth of the world's width
FIT_MARGIN = 30.0  # around the outermost markers, in viewBox units of the fitted view
OCEAN, LAND, BORDER, MARKER = "#dfe8ef", "#c9cfc4", "#ffffff", "#b3261e"


@dataclass(frozen=True)
class Marker:
    label: str
    lat: float
    lon: float
    posts: int
    href: str
    key: str | None = None
    detail: str | None = None  # shown after the label in the tooltip: "Paris, FR"


@dataclass(frozen=True)
class Frame:
    """Unit Equal Earth coordinates to viewBox coordinates (north up, lat 90 at y = 0)."""

    width: float
    south: float

    @property
    def scale(self) -> float:
        return self.width / (2.0 * X_MAX)

    @property
    def height(self) -> float:
        return float(self.xy(np.array([0.0]), np.array([self.south]))[1][0])

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = equal_earth(lon, lat)
        return (x + X_MAX) * self.scale, (Y_MAX - y) * self.scale


@dataclass(frozen=True)
class CountryLayer:
    frame: Frame
    outline: str  # path data of the map's edge (ocean and clip)
    countries: str  # <path> elements, one per country
    count: int


def _path(points: np.ndarray) -> str:
    """A closed subpath at 0.1-unit precision: absolute move, then relative steps (exact,
    since the steps are taken between already-rounded integers)."""
    q = np.round(points * 10.0).astype(np.int64)
    steps = np.diff(q, axis=0)
    steps = steps[np.any(steps != 0, axis=1)]
    if len(steps) < 2:
        return ""
    moves = " ".join(f"{num(dx / 10)} {num(dy / 10)}" for dx, dy in steps[:-1].tolist())
    return f"M{num(q[0, 0] / 10)} {num(q[0, 1] / 10)}l{moves}z"


def _outline(frame: Frame) -> str:
    lats = np.linspace(90.0, frame.south, 60)
    west = np.column_stack(frame.xy(np.full_like(lats, -180.0), lats))
    east = np.column_stack(frame.xy(np.full_like(lats, 180.0), lats[::-1]))
    return _path(np.vstack([west, east, west[:1]]))


def _simplified_arcs(arcs: list[np.ndarray], frame: Frame, tolerance: float) -> list[np.ndarray]:
    out = []
    for arc in arcs:
        lon = np.unwrap(arc[:, 0], period=360.0)
        projected = np.column_stack(frame.xy(lon, arc[:, 1]))
        out.append(arc[simplify(projected, tolerance)])
    return out


def _country(feature: Feature, frame: Frame) -> str:
    parts = []
    for polygon in feature.polygons:
        for ring in polygon:
            for copy in wrapped_copies(unwrap_ring(ring)):
                parts.append(_path(np.column_stack(frame.xy(copy[:, 0], copy[:, 1]))))
    d = "".join(parts)
    if not d:
        return ""
    label = f"<title>{text(feature.name)}</title>" if feature.name else ""
    return f"<path{attrs(d=d, data_id=feature.id, data_name=feature.name)}>{label}</path>"


def _north_of(feature: Feature, south: float) -> bool:
    return any(ring[:, 1].max() > south for polygon in feature.polygons for ring in polygon)


@lru_cache(maxsize=8)
def country_layer(
    atlas: Path | None = None,
    width: float = WIDTH,
    south: float = SOUTH,
    tolerance: float = TOLERANCE,
) -> CountryLayer:
    """Countries of a world-atlas file (default: the vendored 110m one) as SVG paths; cached."""
    atlas = vendor().atlas("110m") if atlas is None else atlas
    topology = json.loads(Path(atlas).read_text(encoding="utf-8"))
    frame = Frame(width, south)
    arcs = _simplified_arcs(decode_arcs(topology), frame, tolerance)
    kept = [f for f in features(topology, "countries", arcs) if _north_of(f, south)]
    paths = [p for p in (_country(f, frame) for f in kept) if p]
    return CountryLayer(frame, _outline(frame), "".join(paths), len(paths))


def marker_radius(posts: int, most: int) -> float:
    """Radius grows with sqrt(posts), so a marker's area follows its posts; the smallest stays
    big enough to see and to click."""
    if most <= 0:
        return R_MIN
    return R_MIN + (R_MAX - R_MIN) * math.sqrt(max(posts, 0) / most)


def _plural(n: int) -> str:
    return f"{n} post" if n == 1 else f"{n} posts"


def _marker(m: Marker, x: float, y: float, r: float) -> str:
    named = f"{m.label} ({m.detail})" if m.detail else m.label
    label = f"{named}: {_plural(m.posts)}"
    link = attrs(
        href=safe_href(m.href),
        class_="wf-marker",
        aria_label=label,
        data_posts=m.posts,
        data_key=m.key,
    )
    circle = attrs(cx=x, cy=y, r=r)
    return f"<a{link}><title>{text(label)}</title><circle{circle}/></a>"


@dataclass(frozen=True)
class View:
    """The part of the map shown (viewBox units) and how much it is enlarged."""

    x: float
    y: float
    width: float
    height: float

    @property
    def origin(self) -> tuple[float, float]:
        return (self.x, self.y)


def fitted_view(frame: Frame, xs: np.ndarray, ys: np.ndarray) -> View:
    """The smallest view with the map's proportions that holds every marker with a margin,
    but never closer than FIT_MIN_WIDTH, and never beyond the map's edges."""
    world = View(0.0, 0.0, frame.width, frame.height)
    if len(xs) == 0:
        return world
    aspect = frame.height / frame.width
    width = max(float(xs.max() - xs.min()), float(ys.max() - ys.min()) / aspect)
    width = min(max(width * 1.15 + 2 * (FIT_MARGIN + R_MAX), FIT_MIN_WIDTH), frame.width)
    height = width * aspect
    cx, cy = float(xs.min() + xs.max()) / 2, float(ys.min() + ys.max()) / 2
    x = min(max(cx - width / 2, 0.0), frame.width - width)
    y = min(max(cy - height / 2, 0.0), frame.height - height)
    return View(x, y, width, height)


def render_world_map(
    markers: Iterable[Marker],
    *,
    title: str = "Targets map",
    layer: CountryLayer | None = None,
    ids: str = "wf-map",
    fit: bool = True,
) -> str:
    """SVG markup of the world with one link per marker (largest drawn first, so smaller ones
    stay on top and clickable). `ids` prefixes element ids: give each map on a page its own.

    `fit` zooms to the markers (targets in one region otherwise overlap on a world map); marker
    sizes and line widths are divided by the zoom so they look the same at any zoom."""
    layer = country_layer() if layer is None else layer
    frame = layer.frame
    shown = sorted((m for m in markers if _placed(m)), key=lambda m: (-m.posts, m.label, m.href))
    most = max((m.posts for m in shown), default=0)
    xs, ys = frame.xy(np.array([m.lon for m in shown]), np.array([m.lat for m in shown]))
    view = fitted_view(frame, xs, ys) if fit else View(0.0, 0.0, frame.width, frame.height)
    shrink = view.width / frame.width
    total = sum(m.posts for m in shown)
    desc = (
        f"{len(shown)} targets, {_plural(total)}; marker area grows with the posts."
        if shown
        else "No targets to show."
    )
    clip = f"{ids}-clip"
    return "".join(
        [
            svg_head(
                view.width,
                view.height,
                title,
                desc,
                ids=ids,
                role="group",
                class_="wf-map",
                origin=view.origin,
            ),
            f"<defs><clipPath{attrs(id=clip)}><path{attrs(d=layer.outline)}/></clipPath></defs>",
            f"<path{attrs(class_='wf-ocean', d=layer.outline, fill=OCEAN)}/>",
            f"<g{attrs(class_='wf-countries', clip_path=f'url(#{clip})', aria_hidden='true', fill=LAND, stroke=BORDER, stroke_width=num(0.5 * shrink), fill_rule='evenodd')}>",
            layer.countries,
            "</g>",
            f"<g{attrs(class_='wf-markers', fill=MARKER, fill_opacity='0.6', stroke='#ffffff', stroke_width=num(shrink))}>",
            *(
                _marker(m, float(x), float(y), marker_radius(m.posts, most) * shrink)
                for m, x, y in zip(shown, xs, ys, strict=True)
            ),
            "</g></svg>",
        ]
    )


def _placed(m: Marker) -> bool:
    return (
        m.lat is not None
        and m.lon is not None
        and math.isfinite(m.lat)
        and math.isfinite(m.lon)
        and -90.0 <= m.lat <= 90.0
        and -180.0 <= m.lon <= 180.0
    )


def markers_from_targets(
    rows: Iterable[dict[str, Any]], href: Callable[[dict[str, Any]], str]
) -> list[Marker]:
    """Markers from `target_queries.list_targets` rows (key, name, city, country, lat, lon,
    posts); rows without coordinates are left out. `href(row)` gives each marker's link."""
    out = []
    for row in rows:
        if row.get("lat") is None or row.get("lon") is None:
            continue
        place = ", ".join(str(v) for v in (row.get("city"), row.get("country")) if v)
        out.append(
            Marker(
                label=str(row.get("name") or row["key"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                posts=int(row.get("posts") or 0),
                href=href(row),
                key=row.get("key"),
                detail=place or None,
            )
        )
    return out
