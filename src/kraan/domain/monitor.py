"""The chain-wide picture at one moment (SANER semantics).

Point-in-time figures take the latest report per location at or before
``as_of`` and are then summed per region and nationally. A location whose latest
report is older than ``stale_after`` still counts with its last value, but is
flagged stale; a location that never reported is missing from the coverage.
Locations of kind ABROAD (Germany) are not Dutch capacity: their COVID IC
patients are shown as "abroad" nationally.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kraan.domain.model import (
    MONITORED_LEVELS,
    CapacityReport,
    CareLevel,
    LevelStatus,
    Location,
    LocationKind,
    Provenance,
    Region,
)


@dataclass(slots=True)
class LevelTotals:
    covid: int = 0
    ontlabeld: int = 0
    non_covid: int = 0
    staffed: int = 0
    admissions_24h: int = 0
    locations: int = 0
    overflow_locations: int = 0
    unavailable_locations: int = 0

    @property
    def occupied(self) -> int:
        return self.covid + self.ontlabeld + self.non_covid

    @property
    def occupancy(self) -> float | None:
        return self.occupied / self.staffed if self.staffed else None

    @property
    def covid_load(self) -> float | None:
        """COVID patients (incl. ontlabeld) per staffed bed: the fair-share load measure."""
        return (self.covid + self.ontlabeld) / self.staffed if self.staffed else None

    def add(self, other: LevelTotals) -> None:
        self.covid += other.covid
        self.ontlabeld += other.ontlabeld
        self.non_covid += other.non_covid
        self.staffed += other.staffed
        self.admissions_24h += other.admissions_24h
        self.locations += other.locations
        self.overflow_locations += other.overflow_locations
        self.unavailable_locations += other.unavailable_locations


@dataclass(slots=True)
class AreaSnapshot:
    """Totals for one region, or for the whole country."""

    code: str
    name: str
    levels: dict[CareLevel, LevelTotals] = field(
        default_factory=lambda: {level: LevelTotals() for level in MONITORED_LEVELS}
    )
    expected: int = 0
    reporting: int = 0
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    provenance: set[Provenance] = field(default_factory=set)
    staff_absence_pct: float | None = None
    critical_planned_care_at_risk: int = 0
    acute_care_at_risk: int = 0
    assessments: int = 0
    latest_report_at: datetime | None = None

    @property
    def coverage(self) -> float | None:
        """Share of expected locations with a fresh report."""
        return self.reporting / self.expected if self.expected else None

    @property
    def imputed(self) -> bool:
        return Provenance.IMPUTED in self.provenance or Provenance.ESTIMATED in self.provenance

    def level(self, care_level: CareLevel) -> LevelTotals:
        return self.levels.setdefault(care_level, LevelTotals())


@dataclass(slots=True)
class Snapshot:
    as_of: datetime
    national: AreaSnapshot
    regions: list[AreaSnapshot]
    abroad_ic: int = 0
    abroad_reported: bool = False

    def region(self, code: str) -> AreaSnapshot | None:
        return next((r for r in self.regions if r.code == code), None)


def build_snapshot(
    *,
    as_of: datetime,
    regions: Iterable[Region],
    locations: Iterable[Location],
    latest: Mapping[str, CapacityReport],
    stale_after: timedelta,
) -> Snapshot:
    """Aggregate the latest report per location (already chosen at or before ``as_of``)."""
    areas = {r.code: AreaSnapshot(code=r.code, name=r.name) for r in regions}
    absence_weight: dict[str, list[float]] = {code: [0.0, 0.0] for code in areas}
    abroad_ic = 0
    abroad_reported = False

    for location in locations:
        report = latest.get(location.code)
        if report is not None and report.reported_at > as_of:
            raise ValueError(
                f"report of {location.code} at {report.reported_at} lies after as_of {as_of}"
            )
        if location.kind is LocationKind.ABROAD:
            level = report.level(CareLevel.IC) if report else None
            if level is not None:
                abroad_ic += level.covid_occupied + level.ontlabeld_occupied
                abroad_reported = True
            continue
        area = areas.get(location.region_code)
        if area is None:
            continue
        area.expected += 1
        if report is None:
            area.missing.append(location.code)
            continue
        if as_of - report.reported_at > stale_after:
            area.stale.append(location.code)
        else:
            area.reporting += 1
        area.provenance.add(report.provenance)
        if area.latest_report_at is None or report.reported_at > area.latest_report_at:
            area.latest_report_at = report.reported_at
        _add_report(area, report, absence_weight[area.code])

    for code, area in areas.items():
        weighted, weight = absence_weight[code]
        area.staff_absence_pct = weighted / weight if weight else None

    national = AreaSnapshot(code="NL", name="Netherlands")
    national_absence = [0.0, 0.0]
    for code, area in areas.items():
        for care_level, totals in area.levels.items():
            national.level(care_level).add(totals)
        national.expected += area.expected
        national.reporting += area.reporting
        national.stale.extend(area.stale)
        national.missing.extend(area.missing)
        national.provenance |= area.provenance
        national.critical_planned_care_at_risk += area.critical_planned_care_at_risk
        national.acute_care_at_risk += area.acute_care_at_risk
        national.assessments += area.assessments
        national_absence[0] += absence_weight[code][0]
        national_absence[1] += absence_weight[code][1]
        if area.latest_report_at and (
            national.latest_report_at is None or area.latest_report_at > national.latest_report_at
        ):
            national.latest_report_at = area.latest_report_at
    if national_absence[1]:
        national.staff_absence_pct = national_absence[0] / national_absence[1]
    return Snapshot(
        as_of=as_of,
        national=national,
        regions=list(areas.values()),
        abroad_ic=abroad_ic,
        abroad_reported=abroad_reported,
    )


def absence_weight(staffed_beds: int) -> int:
    """A location's staff absence weighs with its staffed beds (a big hospital more); at
    least 1, so a location without staffed beds still counts."""
    return max(staffed_beds, 1)


def flag_at_risk(ok: bool | int | None) -> bool:
    """A continuity flag (critical planned care / acute care guaranteed) counts as at risk
    when it is reported and says no; an unreported flag is no assessment."""
    return ok is not None and not ok


def continuity_at_risk(report: CapacityReport) -> bool:
    """A location whose continuity is at risk (LNAZ phase 1B): it cannot guarantee critical
    planned care, or one of its care levels is not available."""
    return flag_at_risk(report.critical_planned_care_ok) or any(
        level.status is LevelStatus.NOT_AVAILABLE for level in report.levels
    )


def locations_at_risk(reports: Iterable[CapacityReport]) -> int:
    """How many of these (latest) reports say continuity is at risk."""
    return sum(1 for report in reports if continuity_at_risk(report))


def _add_report(area: AreaSnapshot, report: CapacityReport, absence: list[float]) -> None:
    staffed_total = 0
    for level in report.levels:
        totals = area.level(level.care_level)
        totals.covid += level.covid_occupied
        totals.ontlabeld += level.ontlabeld_occupied
        totals.non_covid += level.non_covid_occupied
        totals.staffed += level.staffed_beds
        totals.admissions_24h += level.covid_admissions_24h or 0
        totals.locations += 1
        totals.overflow_locations += int(level.occupied > level.staffed_beds)
        totals.unavailable_locations += int(level.status == "not_available")
        staffed_total += level.staffed_beds
    if report.staff_absence_pct is not None:
        weight = absence_weight(staffed_total)
        absence[0] += report.staff_absence_pct * weight
        absence[1] += weight
    if report.critical_planned_care_ok is not None or report.acute_care_ok is not None:
        area.assessments += 1
        area.critical_planned_care_at_risk += int(flag_at_risk(report.critical_planned_care_ok))
        area.acute_care_at_risk += int(flag_at_risk(report.acute_care_ok))
