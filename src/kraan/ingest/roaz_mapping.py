"""The real municipality -> ROAZ mapping (issue 12), as data with its source.

``kraan/data/population_masterfile.csv`` is a copy of ``mzelst_population/
population_masterfile.csv`` (SOURCES.md section 7: CBS population per municipality and
age band, with the RIVM municipality -> ROAZ column). ``kraan/data/municipality_roaz.csv``
is derived from it, one row per municipality of 2021, with the corrections for the
source's gaps stated in its ``basis`` column: the 14 Twente municipalities and Eemsdelta
(missing) and Amsterdam (listed under two networks).

The reference loader (:mod:`kraan.ingest.reference`) places every municipality, and so
every location, in its ROAZ region by this table; :func:`safety_region_spans` shows the
safety regions that lie in more than one ROAZ region.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from kraan.settings import PACKAGE_DATA

MUNICIPALITY_ROAZ = PACKAGE_DATA / "municipality_roaz.csv"


@dataclass(frozen=True, slots=True)
class RoazMembership:
    municipality_code: str
    municipality_name: str
    safety_region_code: str
    roaz_code: str
    basis: str  # "source", or the correction / resolution and why

    @property
    def corrected(self) -> bool:
        return self.basis != "source"


def load_municipality_roaz(path: Path = MUNICIPALITY_ROAZ) -> dict[str, RoazMembership]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    result: dict[str, RoazMembership] = {}
    for row in csv.DictReader(lines):
        code = row["municipality_code"]
        if code in result:
            raise ValueError(f"{path}: municipality {code} mapped twice")
        result[code] = RoazMembership(code, row["municipality_name"], row["safety_region_code"],
                                      row["roaz_code"], row["basis"])  # fmt: skip
    return result


def safety_region_spans(
    memberships: dict[str, RoazMembership], population: dict[str, int]
) -> dict[str, dict[str, int]]:
    """Per safety region, the population in each ROAZ region (a safety region can span
    two or three)."""
    spans: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in memberships.values():
        spans[m.safety_region_code][m.roaz_code] += population.get(m.municipality_code, 0)
    return {vr: dict(parts) for vr, parts in spans.items()}
