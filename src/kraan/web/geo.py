"""The region map: decode the bundled TopoJSON and draw it as plain SVG on the server.

No map library and no tiles (the dashboard runs offline). TopoJSON stores each
border once as a quantized, delta-encoded arc; a ring lists arc indices and ``~i``
means arc ``i`` reversed. A ROAZ region is drawn as the merge of its member
municipalities (or safety regions, for hand-made groupings): borders between members
are dropped (:func:`kraan.ingest.topology.merge_rings`), so a region's shape is its
outline.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from types import MappingProxyType

import numpy as np

from kraan.domain.model import Region
from kraan.ingest.topology import (
    SAFETY_REGIONS,
    Feature,
    FloatArray,
    Polygon,
    Ring,
    Topology,
    load_topology,
    merge_rings,
    ring_coords,
)

__all__ = [
    "SAFETY_REGIONS",
    "STATUS_COLOURS",
    "Feature",
    "Polygon",
    "Ring",
    "Topology",
    "feature_centroid",
    "load_topology",
    "region_groups",
    "region_map_svg",
    "region_outlines",
    "region_paths",
    "ring_coords",
    "safety_region_centroids",
]

#: Fill per regional status; kraan.css repeats these so the page can restyle them.
STATUS_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "normal": "#2e7d32",
        "under_pressure": "#f2a900",
        "no_critical_planned": "#c2410c",
        "no_acute": "#8b0000",
        "unknown": "#9aa5b1",
    }
)


@dataclass(frozen=True, slots=True)
class _Projection:
    """Equirectangular with x shrunk by cos(mean latitude), fitted into a box, y down."""

    k: float
    scale: float
    x0: float
    y0: float

    def __call__(self, lonlat: FloatArray) -> FloatArray:
        x = self.x0 + lonlat[:, 0] * self.k * self.scale
        y = self.y0 - lonlat[:, 1] * self.scale
        return np.column_stack((x, y))


def _fit(points: FloatArray, width: float, height: float, padding: float) -> _Projection:
    """Largest uniform scale that fits the points, centred in the box."""
    lon_min, lat_min = points.min(axis=0)
    lon_max, lat_max = points.max(axis=0)
    k = math.cos(math.radians((lat_min + lat_max) / 2))
    dx = max((lon_max - lon_min) * k, 1e-9)
    dy = max(lat_max - lat_min, 1e-9)
    scale = min((width - 2 * padding) / dx, (height - 2 * padding) / dy)
    x0 = (width - dx * scale) / 2 - lon_min * k * scale
    y0 = (height - dy * scale) / 2 + lat_max * scale
    return _Projection(k=k, scale=scale, x0=x0, y0=y0)


def _country_projection(
    topology: Topology, width: float, height: float, padding: float
) -> _Projection:
    """Fit all safety regions, so every map has the same scale whatever is drawn."""
    arcs = {
        abs(i if i >= 0 else ~i)
        for f in topology.objects[SAFETY_REGIONS]
        for poly in f.polygons
        for ring in poly
        for i in ring
    }
    return _fit(np.concatenate([topology.arcs[i] for i in sorted(arcs)]), width, height, padding)


def _points_d(xy: FloatArray, *, closed: bool) -> str:
    """Path data at 0.1 px, dropping points that round onto their predecessor."""
    r = np.round(xy, 1)
    keep = np.ones(len(r), dtype=bool)
    keep[1:] = np.any(r[1:] != r[:-1], axis=1)
    r = r[keep]
    if len(r) < (3 if closed else 2):
        return ""
    body = " ".join(f"{x:g},{y:g}" for x, y in r)
    return f"M{body}{' Z' if closed else ''}"


def region_groups(regions: Iterable[Region]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(code, members) per region for the map: its municipalities, or its safety regions
    where no municipalities are known (hand-made reference sets); hashable, for caches."""
    return tuple(
        (r.code, tuple(r.municipalities or r.safety_regions))
        for r in regions
        if r.municipalities or r.safety_regions
    )


def _members(topology: Topology, codes: Sequence[str]) -> list[Feature]:
    """Features by code: safety regions (VRxx) and municipalities (GMxxxx)."""
    features = {**topology.safety_regions(), **topology.municipalities()}
    unknown = [c for c in codes if c not in features]
    if unknown:
        raise ValueError(f"unknown safety region or municipality codes: {', '.join(unknown)}")
    return [features[c] for c in codes]


def region_paths(
    topology: Topology,
    groups: Mapping[str, Sequence[str]],
    *,
    width: int = 420,
    height: int = 500,
    padding: float = 6.0,
) -> dict[str, str]:
    """Path ``d`` per group: the closed rings of its members' merge (draw with evenodd)."""
    project = _country_projection(topology, width, height, padding)
    out: dict[str, str] = {}
    for code, members in groups.items():
        rings = (
            _points_d(project(ring_coords(topology, ring)), closed=True)
            for ring in merge_rings(topology, _members(topology, members))
        )
        out[code] = " ".join(d for d in rings if d)
    return out


def region_outlines(
    topology: Topology,
    groups: Mapping[str, Sequence[str]],
    *,
    width: int = 420,
    height: int = 500,
    padding: float = 6.0,
) -> dict[str, str]:
    """Path ``d`` per group of only its outer border (drawn over the fills, wider): the
    merged rings, so borders between members never show."""
    return region_paths(topology, groups, width=width, height=height, padding=padding)


_CLASS_SAFE = re.compile(r"[^a-z0-9_-]+")


def _status_class(status: str) -> str:
    return _CLASS_SAFE.sub("-", status.lower()) or "unknown"


def region_map_svg(
    paths: Mapping[str, str],
    *,
    statuses: Mapping[str, str],
    labels: Mapping[str, str],
    links: Mapping[str, str],
    width: int = 420,
    height: int = 500,
    outlines: Mapping[str, str] | None = None,
    status_labels: Mapping[str, str] | None = None,
    title: str = "Regional status",
) -> str:
    """Clickable status map: each region links to its page and names its status."""
    names = status_labels or {}
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="region-map" role="group" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        '<g class="regions" stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">',
    ]
    for code, d in paths.items():
        status = statuses.get(code, "unknown")
        cls = _status_class(status)
        label = labels.get(code, code)
        tip = f"{label}: {names.get(status, status)}"
        fill = STATUS_COLOURS.get(cls, STATUS_COLOURS["unknown"])
        path = (
            f'<path class="status-{cls}" data-region="{escape(code)}" d="{d}" '
            f'fill="{fill}" fill-rule="evenodd"><title>{escape(tip)}</title></path>'
        )
        href = links.get(code)
        if href is None:
            out.append(path)
        else:
            out.append(f'<a href="{escape(href)}" aria-label="{escape(tip)}">{path}</a>')
    out.append("</g>")
    if outlines:
        out.append(
            '<g class="region-outlines" fill="none" stroke="#ffffff" stroke-width="2" '
            'stroke-linejoin="round" stroke-linecap="round" pointer-events="none">'
        )
        out.extend(f'<path data-outline="{escape(code)}" d="{d}"/>' for code, d in outlines.items())
        out.append("</g>")
    out.append(
        '<g class="region-labels" font-size="10" font-weight="700" fill="#1f2933" '
        'stroke="#ffffff" stroke-width="2.5" paint-order="stroke" text-anchor="middle" '
        'pointer-events="none" aria-hidden="true">'
    )
    for code, d in paths.items():
        centre = label_point(d)
        if centre is not None:
            out.append(
                f'<text x="{centre[0]:.1f}" y="{centre[1] + 3.5:.1f}" '
                f'data-label="{escape(code)}">{escape(code)}</text>'
            )
    out.append("</g></svg>")
    return "".join(out)


_PAIR = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def label_point(path_d: str) -> tuple[float, float] | None:
    """Where a region's name goes: the centre of its largest ring's bounding box,
    pulled towards the ring's mean vertex (stays inside for the convex-ish regions)."""
    best: list[tuple[float, float]] = []
    for ring in path_d.split("M")[1:]:
        points = [(float(x), float(y)) for x, y in _PAIR.findall(ring)]
        if len(points) > len(best):
            best = points
    if not best:
        return None
    xs, ys = [p[0] for p in best], [p[1] for p in best]
    box = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    mean = (sum(xs) / len(xs), sum(ys) / len(ys))
    return (box[0] + mean[0]) / 2, (box[1] + mean[1]) / 2


def _ring_centroid(xy: FloatArray) -> tuple[float, float, float]:
    """Shoelace area (absolute) and centroid of one closed ring."""
    x, y = xy[:, 0], xy[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    area = cross.sum() / 2
    if abs(area) < 1e-15:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x + xn) * cross).sum() / (6 * area)
    cy = ((y + yn) * cross).sum() / (6 * area)
    return abs(float(area)), float(cx), float(cy)


def feature_centroid(topology: Topology, feature: Feature) -> tuple[float, float]:
    """Area-weighted (lat, lon) centroid; holes subtract, islands add."""
    rings = [ring_coords(topology, r) for poly in feature.polygons for r in poly]
    lat0 = float(np.concatenate(rings)[:, 1].mean())
    k = math.cos(math.radians(lat0))
    total = sx = sy = 0.0
    for poly in feature.polygons:
        for j, ring in enumerate(poly):
            xy = ring_coords(topology, ring) * np.array([k, 1.0])
            area, cx, cy = _ring_centroid(xy)
            sign = 1.0 if j == 0 else -1.0  # first ring is the outer one
            total += sign * area
            sx += sign * area * cx
            sy += sign * area * cy
    if total <= 0:
        return lat0, float(np.concatenate(rings)[:, 0].mean())
    return sy / total, sx / total / k


def safety_region_centroids(topology: Topology) -> dict[str, tuple[float, float]]:
    """(lat, lon) per safety region, e.g. for distances between regions."""
    return {code: feature_centroid(topology, f) for code, f in topology.safety_regions().items()}
