"""Plain data of the care chain: places, care levels and capacity reports.

Names follow the LCPS / DIVI / SANER vocabulary (domain.md, "Reporting practice"):
*staffed* beds are opened beds with staff and equipment; *ontlabeld* patients were
admitted with COVID but are no longer infectious.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class CareLevel(StrEnum):
    IC = "ic"
    WARD = "ward"  # nursing ward ("kliniek")
    ELV_VVT = "elv_vvt"  # short-stay primary care (ELV) and elderly / nursing care (VVT)
    HFNO = "hfno"  # ward beds able to give high-flow nasal oxygen (module 4A)
    PACU = "pacu"  # temporary recovery-room IC expansion (module 5)


#: The levels the national and regional picture is built from.
MONITORED_LEVELS: tuple[CareLevel, ...] = (CareLevel.IC, CareLevel.WARD, CareLevel.ELV_VVT)


class LevelStatus(StrEnum):
    """DIVI status per care level."""

    AVAILABLE = "available"
    LIMITED = "limited"
    NOT_AVAILABLE = "not_available"


class Restriction(StrEnum):
    """DIVI restriction reasons."""

    STAFF = "staff"
    ROOMS = "rooms"
    EQUIPMENT = "equipment"
    CONSUMABLES = "consumables"


class Provenance(StrEnum):
    """How a figure came about (act-now's provenance flags)."""

    ACTUAL = "actual"
    IMPUTED = "imputed"  # e.g. LCPS weekend imputation
    ESTIMATED = "estimated"
    SYNTHETIC = "synthetic"  # generated for the demo; not a real location's figure


class LocationKind(StrEnum):
    HOSPITAL = "hospital"
    VVT = "vvt"  # nursing / elderly care provider with ELV beds
    ZBC = "zbc"  # independent treatment centre
    ABROAD = "abroad"  # cross-border partner (Germany): NL patients treated abroad


@dataclass(frozen=True, slots=True)
class Region:
    """An acute-care (ROAZ) region: a set of municipalities. ``safety_regions`` are the
    safety regions it overlaps; one can lie in two or three ROAZ regions."""

    code: str
    name: str
    safety_regions: tuple[str, ...]
    population: int = 0
    municipalities: tuple[str, ...] = ()  # CBS codes (GMxxxx)


@dataclass(frozen=True, slots=True)
class Location:
    code: str
    name: str
    kind: LocationKind
    region_code: str
    safety_region_code: str
    municipality_code: str
    lat: float
    lon: float
    planned_beds: dict[CareLevel, int] = field(default_factory=dict)
    synthetic: bool = True


@dataclass(frozen=True, slots=True)
class LevelReport:
    """One care level of one capacity report."""

    care_level: CareLevel
    staffed_beds: int
    covid_occupied: int
    ontlabeld_occupied: int = 0
    non_covid_occupied: int = 0
    covid_admissions_24h: int | None = None
    status: LevelStatus | None = None
    restrictions: tuple[Restriction, ...] = ()
    emergency_reserve_7d: int | None = None
    overflow: bool = False  # the reporter says occupancy above staffed is real (overflow beds)

    @property
    def occupied(self) -> int:
        return self.covid_occupied + self.ontlabeld_occupied + self.non_covid_occupied


@dataclass(frozen=True, slots=True)
class CapacityReport:
    """What one location says about one moment (the reference time)."""

    location_code: str
    reported_at: datetime
    levels: tuple[LevelReport, ...]
    staff_absence_pct: float | None = None
    critical_planned_care_ok: bool | None = None  # can it still guarantee U3 care?
    acute_care_ok: bool | None = None  # can it still guarantee (semi-)acute care?
    provenance: Provenance = Provenance.ACTUAL
    version: int = 1

    def level(self, care_level: CareLevel) -> LevelReport | None:
        for level in self.levels:
            if level.care_level == care_level:
                return level
        return None
