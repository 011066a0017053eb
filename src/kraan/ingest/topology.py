"""TopoJSON decoding: the bundled boundaries as (lon, lat) rings.

TopoJSON stores each border once as a quantized, delta-encoded arc; a ring lists
arc indices and ``~i`` means arc ``i`` reversed (TopoJSON specification). Used by
the reference loader (centroids) and by the region map, which draws each ROAZ region
as the merge of its municipalities (:func:`merge_rings`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Ring = tuple[int, ...]
Polygon = tuple[Ring, ...]

SAFETY_REGIONS = "safetyregions"
MUNICIPALITIES = "municipalities"


@dataclass(frozen=True, slots=True)
class Feature:
    """One geometry of a TopoJSON object: its properties and polygons of arc rings."""

    properties: Mapping[str, Any]
    polygons: tuple[Polygon, ...]


@dataclass(frozen=True, slots=True)
class Topology:
    """Decoded arcs in (lon, lat) degrees, and the features of each object by name."""

    arcs: tuple[FloatArray, ...]
    objects: Mapping[str, tuple[Feature, ...]]

    def safety_regions(self) -> dict[str, Feature]:
        """Safety regions by code (VR01..VR25)."""
        return {f.properties["vrcode"]: f for f in self.objects[SAFETY_REGIONS]}

    def municipalities(self) -> dict[str, Feature]:
        """Municipalities by CBS code (GMxxxx, the 2021 division)."""
        return {f.properties["gemcode"]: f for f in self.objects.get(MUNICIPALITIES, ())}


def _decode_arcs(raw: Sequence[Sequence[Sequence[float]]], transform: Any) -> list[FloatArray]:
    """Undo delta encoding and quantization (a running sum, then scale and translate)."""
    arcs: list[FloatArray] = []
    scale = np.asarray(transform["scale"], dtype=np.float64) if transform else None
    translate = np.asarray(transform["translate"], dtype=np.float64) if transform else None
    for arc in raw:
        pts = np.asarray(arc, dtype=np.float64)[:, :2]
        if scale is not None and translate is not None:
            pts = np.cumsum(pts, axis=0) * scale + translate
        pts.flags.writeable = False  # shared through the cache
        arcs.append(pts)
    return arcs


def _feature(geometry: Mapping[str, Any]) -> Feature | None:
    """Polygon and MultiPolygon become a list of polygons; other types are skipped."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return None
    return Feature(
        properties=MappingProxyType(dict(geometry.get("properties", {}))),
        polygons=tuple(tuple(tuple(ring) for ring in poly) for poly in polygons),
    )


@lru_cache(maxsize=8)
def _load(path: Path) -> Topology:
    data = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(data["arcs"], data.get("transform"))
    objects: dict[str, tuple[Feature, ...]] = {}
    for name, obj in data["objects"].items():
        geometries = obj.get("geometries", [obj])
        objects[name] = tuple(f for g in geometries if (f := _feature(g)) is not None)
    return Topology(arcs=tuple(arcs), objects=MappingProxyType(objects))


def load_topology(path: Path) -> Topology:
    """Decoded topology, cached per resolved path: every map request reuses it."""
    return _load(Path(path).resolve())


def ring_coords(topology: Topology, ring: Ring) -> FloatArray:
    """(lon, lat) points of a ring; consecutive arcs share their joining point."""
    parts: list[FloatArray] = []
    for k, index in enumerate(ring):
        arc = topology.arcs[index] if index >= 0 else topology.arcs[~index][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts) if parts else np.empty((0, 2))


def _ends(topology: Topology, index: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Start and end point of an arc as used (``~i``: reversed), rounded to match exactly."""
    arc = topology.arcs[index if index >= 0 else ~index]
    first, last = arc[0], arc[-1]
    if index < 0:
        first, last = last, first
    return (round(float(first[0]), 9), round(float(first[1]), 9)), (
        round(float(last[0]), 9),
        round(float(last[1]), 9),
    )


def merge_rings(topology: Topology, features: Sequence[Feature]) -> list[Ring]:
    """The rings of the union of ``features`` (TopoJSON merge, as topojson-client's ``merge``).

    An arc used by two of the features is a border between them and is dropped; the arcs
    used once are the outline of the union, chained end to start into closed rings. Holes
    come out as rings of their own (draw with the even-odd rule). Orientation is kept.
    """
    rings = [ring for f in features for poly in f.polygons for ring in poly]
    uses = Counter(i if i >= 0 else ~i for ring in rings for i in ring)
    outline = [i for ring in rings for i in ring if uses[i if i >= 0 else ~i] == 1]
    leaving: dict[tuple[float, float], list[int]] = {}
    for index in outline:
        leaving.setdefault(_ends(topology, index)[0], []).append(index)
    used: set[int] = set()
    merged: list[Ring] = []
    for first in outline:
        if first in used:
            continue
        used.add(first)
        ring = [first]
        start, end = _ends(topology, first)
        while end != start:
            following = next((i for i in leaving.get(end, ()) if i not in used), None)
            if following is None:  # not closed (invalid topology): keep what there is
                break
            used.add(following)
            ring.append(following)
            end = _ends(topology, following)[1]
        merged.append(tuple(ring))
    return merged
