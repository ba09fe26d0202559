"""A small TopoJSON decoder: quantised, delta-encoded arcs and the polygons built from them.

TopoJSON stores each shared border once, as an *arc*; a polygon ring is a list of arc indices
(`~i`, i.e. `-i - 1`, means arc `i` walked backwards). With a `transform` the arc positions are
integers, each one the difference from the previous position, scaled and translated back to
degrees. Keeping arcs separate lets a caller project and simplify every border once, so two
neighbouring countries still meet exactly after simplification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Ring = np.ndarray  # (n, 2) float64, closed: the last point equals the first
Polygon = list[Ring]  # exterior first, then holes


class TopologyError(ValueError):
    """The document is not a TopoJSON topology this decoder understands."""


@dataclass(frozen=True)
class Feature:
    id: str | None
    name: str | None
    polygons: list[Polygon]


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Every arc as an (n, 2) array of absolute coordinates (degrees for world-atlas)."""
    if topology.get("type") != "Topology" or not isinstance(topology.get("arcs"), list):
        raise TopologyError("not a TopoJSON Topology (type or arcs missing)")
    transform = topology.get("transform")
    if transform is None:
        return [_points(arc) for arc in topology["arcs"]]
    scale = np.asarray(transform["scale"], dtype=np.float64)
    translate = np.asarray(transform["translate"], dtype=np.float64)
    return [np.cumsum(_points(arc), axis=0) * scale + translate for arc in topology["arcs"]]


def _points(arc: Sequence[Sequence[float]]) -> np.ndarray:
    # Positions may carry extra dimensions (z, m): only x and y are kept.
    out = np.asarray([p[:2] for p in arc], dtype=np.float64)
    if out.ndim != 2 or out.shape[0] < 2:
        raise TopologyError("an arc needs at least two positions")
    return out


def ring(arcs: Sequence[np.ndarray], indices: Sequence[int]) -> Ring:
    """The ring walking the given arcs; each arc after the first starts where the last ended,
    so its first point is dropped."""
    parts = []
    for k, index in enumerate(indices):
        arc = arcs[~index][::-1] if index < 0 else arcs[index]
        parts.append(arc if k == 0 else arc[1:])
    if not parts:
        raise TopologyError("a ring needs at least one arc")
    return np.concatenate(parts)


def _polygons(geometry: dict[str, Any], arcs: Sequence[np.ndarray]) -> list[Polygon]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [[ring(arcs, r) for r in geometry["arcs"]]]
    if kind == "MultiPolygon":
        return [[ring(arcs, r) for r in polygon] for polygon in geometry["arcs"]]
    return []  # null geometries, points and lines have no area to draw


def features(
    topology: dict[str, Any], name: str, arcs: Sequence[np.ndarray] | None = None
) -> list[Feature]:
    """The polygons of every geometry in the named object (a GeometryCollection), built from
    `arcs` (default: the topology's own arcs decoded; pass projected or simplified ones)."""
    found = topology.get("objects", {}).get(name)
    if found is None:
        raise TopologyError(f"the topology has no object named {name!r}")
    arcs = decode_arcs(topology) if arcs is None else arcs
    geometries = found.get("geometries", [found])
    out = []
    for g in geometries:
        props = g.get("properties") or {}
        gid = g.get("id")
        out.append(
            Feature(None if gid is None else str(gid), props.get("name"), _polygons(g, arcs))
        )
    return out
