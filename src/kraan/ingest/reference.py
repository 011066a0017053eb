"""Reference tables: ROAZ regions, safety regions, municipalities and the (synthetic) locations.

Sources (SOURCES.md, sections 3, 5 and 7): ``corona_locator/gemeenten.csv`` (municipality ->
safety region, population ``Personen``), ``corona_locator/regiocodes.csv`` (safety region
names), ``geo/geography-simplified.topo.json`` (boundaries, for centroids), the 11 ROAZ
regions ``kraan/data/roaz_regions.csv`` and the municipality -> ROAZ table
``kraan/data/municipality_roaz.csv`` (RIVM's column, with its gaps corrected and stated;
:mod:`kraan.ingest.roaz_mapping`). A region is the set of its municipalities, so a safety
region can lie in two or three ROAZ regions; a region's population is the sum of its
municipalities' populations.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from kraan.domain.model import Location, Region
from kraan.ingest.roaz_mapping import MUNICIPALITY_ROAZ, load_municipality_roaz
from kraan.ingest.synthetic import generate_locations
from kraan.ingest.topology import load_topology, ring_coords
from kraan.settings import PACKAGE_DATA

ROAZ_TABLE = PACKAGE_DATA / "roaz_regions.csv"
MUNICIPALITIES = Path("corona_locator/gemeenten.csv")
REGION_CODES = Path("corona_locator/regiocodes.csv")
TOPOLOGY = Path("geo/geography-simplified.topo.json")

#: gemeenten.csv placeholders: GM0000 "(niet gedefinieerd)" and the three municipalities of
#: 2022/2023 whose ``Personen`` is 1 (SOURCES.md); their predecessors are still listed.
_PLACEHOLDER_CODE = "GM0000"
_PLACEHOLDER_POPULATION = 1


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str  # CBS code, GMxxxx
    name: str
    safety_region_code: str  # VR01..VR25
    population: int
    region_code: str = ""  # the ROAZ region (municipality_roaz.csv)


@dataclass(frozen=True, eq=False)
class Reference:
    """Everything the demo and the monitor need to place a location on the map and in a region."""

    regions: tuple[Region, ...]
    safety_regions: dict[str, str]  # code -> name
    municipalities: tuple[Municipality, ...]
    locations: tuple[Location, ...]
    centroids: dict[str, tuple[float, float]] = field(default_factory=dict)  # code -> (lat, lon)

    def region(self, code: str) -> Region:
        for region in self.regions:
            if region.code == code:
                return region
        raise KeyError(code)


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file, skipping ``#`` comment lines (the project's own tables carry one)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = [line for line in handle if not line.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


def load_safety_regions(raw_dir: Path) -> dict[str, str]:
    rows = _read_csv(Path(raw_dir) / REGION_CODES)
    return {r["Code"]: r["Regio"] for r in rows if r["Type"] == "Veiligheidsregio"}


def load_municipalities(raw_dir: Path) -> tuple[Municipality, ...]:
    """Municipalities of 2021 with their safety region; placeholders dropped."""
    result = []
    for row in _read_csv(Path(raw_dir) / MUNICIPALITIES):
        population = int(row["Personen"] or 0)
        if row["Code"] == _PLACEHOLDER_CODE or population <= _PLACEHOLDER_POPULATION:
            continue
        result.append(
            Municipality(row["Code"], row["Naam"], row["Veiligheidsregio Code"], population)
        )
    return tuple(sorted(result, key=lambda m: m.code))


def load_roaz_table(path: Path = ROAZ_TABLE) -> list[dict[str, str]]:
    """The 11 ROAZ regions (``roaz_code``, ``roaz_name``), in the table's order."""
    rows = _read_csv(Path(path))
    codes = [r["roaz_code"] for r in rows]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValueError(f"{path}: ROAZ regions listed more than once: {', '.join(duplicates)}")
    return rows


def _centroid(rings: list[np.ndarray]) -> tuple[float, float]:
    """Area-weighted centroid of outer rings (planar lon/lat is fine at this scale)."""
    total_area, cx, cy = 0.0, 0.0, 0.0
    for ring in rings:
        x, y = ring[:, 0], ring[:, 1]
        x1, y1 = np.roll(x, -1), np.roll(y, -1)
        cross = x * y1 - x1 * y
        area = cross.sum() / 2
        if area == 0:
            continue
        total_area += area
        cx += ((x + x1) * cross).sum() / 6
        cy += ((y + y1) * cross).sum() / 6
    if total_area == 0:
        points = np.concatenate(rings)
        return float(points[:, 1].mean()), float(points[:, 0].mean())
    return float(cy / total_area), float(cx / total_area)


def topology_centroids(path: Path) -> dict[str, tuple[float, float]]:
    """(lat, lon) per ``gemcode`` and per ``vrcode`` from the dashboard's TopoJSON."""
    topology = load_topology(Path(path))
    result: dict[str, tuple[float, float]] = {}
    for obj_name, key in (("municipalities", "gemcode"), ("safetyregions", "vrcode")):
        for feature in topology.objects.get(obj_name, ()):
            code = feature.properties.get(key)
            if code:
                rings = [ring_coords(topology, polygon[0]) for polygon in feature.polygons]
                result[code] = _centroid(rings)
    return result


def build_regions(
    roaz_rows: list[dict[str, str]], municipalities: tuple[Municipality, ...]
) -> tuple[Region, ...]:
    """ROAZ regions in table order: their municipalities (``region_code``), the safety
    regions those lie in, and population = the sum of their municipalities."""
    regions = []
    for row in roaz_rows:
        members = [m for m in municipalities if m.region_code == row["roaz_code"]]
        regions.append(
            Region(
                row["roaz_code"],
                row["roaz_name"],
                tuple(sorted({m.safety_region_code for m in members})),
                sum(m.population for m in members),
                tuple(m.code for m in members),
            )
        )
    return tuple(regions)


def assign_regions(
    municipalities: tuple[Municipality, ...], roaz_rows: list[dict[str, str]], table: Path
) -> tuple[Municipality, ...]:
    """Each municipality with its ROAZ region; every municipality must be in the table once,
    and every region of the table must be one of the 11."""
    memberships = load_municipality_roaz(table)
    codes = {r["roaz_code"] for r in roaz_rows}
    missing = sorted(m.code for m in municipalities if m.code not in memberships)
    unknown = sorted({m.roaz_code for m in memberships.values()} - codes)
    if missing or unknown:
        raise ValueError(f"{table}: unmapped municipalities {missing}, unknown regions {unknown}")
    return tuple(replace(m, region_code=memberships[m.code].roaz_code) for m in municipalities)


def load_reference(
    raw_dir: Path,
    *,
    roaz_table: Path = ROAZ_TABLE,
    municipality_table: Path = MUNICIPALITY_ROAZ,
    seed: int = 2020,
) -> Reference:
    """Read the reference tables and generate the synthetic locations (deterministic)."""
    raw_dir = Path(raw_dir)
    safety_regions = load_safety_regions(raw_dir)
    roaz_rows = load_roaz_table(roaz_table)
    municipalities = assign_regions(load_municipalities(raw_dir), roaz_rows, municipality_table)
    regions = build_regions(roaz_rows, municipalities)
    shapes = topology_centroids(raw_dir / TOPOLOGY)
    centroids = {vr: shapes[vr] for vr in safety_regions if vr in shapes}
    for m in municipalities:
        # Municipalities missing from the 2021 boundaries fall back to their safety region.
        fallback = centroids.get(m.safety_region_code, (52.1, 5.3))
        centroids[m.code] = shapes.get(m.code, fallback)
    locations = generate_locations(regions, municipalities, centroids, seed=seed)
    return Reference(
        regions=regions,
        safety_regions=safety_regions,
        municipalities=municipalities,
        locations=locations,
        centroids=centroids,
    )
