"""The picture at ``as_of``: snapshot, regional statuses, national phase, playbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy import Connection

from kraan.domain.indicators import indicator_arrays, pick
from kraan.domain.model import CareLevel, LevelStatus, Location, Region
from kraan.domain.monitor import AreaSnapshot, Snapshot, build_snapshot
from kraan.domain.phases import (
    PhaseCriteria,
    PhaseResult,
    RegionStatus,
    StatusResult,
    classify_history,
    classify_region,
    load_criteria,
    national_phase,
)
from kraan.domain.playbook import PhasePlaybook, load_playbook_text
from kraan.settings import PACKAGE_DATA, Settings
from kraan.store.declarations import Declaration, active_declarations
from kraan.store.reference import load_locations, load_regions
from kraan.store.reports import latest_reports
from kraan.store.series import DailyTotals, daily_totals

HISTORY_DAYS = 14


@dataclass(frozen=True, slots=True)
class RegionStatusView:
    computed: StatusResult
    declared: Declaration | None

    @property
    def effective(self) -> RegionStatus:
        return RegionStatus(self.declared.status) if self.declared else self.computed.status


@dataclass(frozen=True, slots=True)
class Overview:
    as_of: datetime
    snapshot: Snapshot
    regions: list[Region]
    locations: list[tuple[int, Location]]
    statuses: dict[str, RegionStatusView]
    phase: PhaseResult
    playbook: PhasePlaybook | None
    criteria_version: str
    locations_at_risk: int = 0  # continuity at risk in the latest reports (phase 1B)


@lru_cache(maxsize=4)
def _criteria(path: Path) -> PhaseCriteria:
    return load_criteria(path)


@lru_cache(maxsize=1)
def playbooks() -> dict[str, PhasePlaybook]:
    return load_playbook_text((PACKAGE_DATA / "playbook.json").read_text(encoding="utf-8"))


def criteria_for(settings: Settings) -> PhaseCriteria:
    return _criteria(settings.phase_criteria_file)


def take_snapshot(conn: Connection, *, as_of: datetime, settings: Settings) -> Snapshot:
    regions = load_regions(conn)
    located = load_locations(conn)
    latest = latest_reports(conn, as_of=as_of, location_ids={i: loc.code for i, loc in located})
    return build_snapshot(
        as_of=as_of,
        regions=regions,
        locations=[loc for _, loc in located],
        latest=latest,
        stale_after=settings.stale_after,
    )


def _history_indicators(totals: DailyTotals, criteria: PhaseCriteria) -> dict[str, np.ndarray]:
    ic, ward = CareLevel.IC, CareLevel.WARD
    covid = totals.get(ic, "covid") + totals.get(ic, "ontlabeld")
    week_before = np.full(covid.shape, np.nan)
    week_before[:, 7:] = covid[:, :-7]
    absence = np.full(covid.shape, np.nan)
    np.divide(
        totals.absence_weighted, totals.absence_weight, out=absence, where=totals.absence_weight > 0
    )
    return indicator_arrays(
        ic_covid=totals.get(ic, "covid"),
        ic_ontlabeld=totals.get(ic, "ontlabeld"),
        ic_non_covid=totals.get(ic, "non_covid"),
        ic_staffed=totals.get(ic, "staffed"),
        ward_covid=totals.get(ward, "covid"),
        ward_ontlabeld=totals.get(ward, "ontlabeld"),
        ward_non_covid=totals.get(ward, "non_covid"),
        ward_staffed=totals.get(ward, "staffed"),
        ic_covid_week_before=week_before,
        staff_absence_pct=absence,
        planned_at_risk=totals.planned_at_risk,
        acute_at_risk=totals.acute_at_risk,
        assessments=totals.assessments,
        growth_min_level=_min_level(criteria),
    )


def _min_level(criteria: PhaseCriteria) -> float:
    return next((i.min_level for i in criteria.indicators if i.name == "ic_covid_growth_7d"), 10.0)


def snapshot_indicators(
    area: AreaSnapshot, week_before_ic_covid: float | None, criteria: PhaseCriteria
) -> dict[str, float | None]:
    ic, ward = area.level(CareLevel.IC), area.level(CareLevel.WARD)
    arrays = indicator_arrays(
        ic_covid=ic.covid,
        ic_ontlabeld=ic.ontlabeld,
        ic_non_covid=ic.non_covid,
        ic_staffed=ic.staffed,
        ward_covid=ward.covid,
        ward_ontlabeld=ward.ontlabeld,
        ward_non_covid=ward.non_covid,
        ward_staffed=ward.staffed,
        ic_covid_week_before=np.nan if week_before_ic_covid is None else week_before_ic_covid,
        staff_absence_pct=np.nan if area.staff_absence_pct is None else area.staff_absence_pct,
        planned_at_risk=area.critical_planned_care_at_risk,
        acute_at_risk=area.acute_care_at_risk,
        assessments=area.assessments,
        growth_min_level=_min_level(criteria),
    )
    return pick(arrays, ())


def build_overview(conn: Connection, *, as_of: datetime, settings: Settings) -> Overview:
    criteria = criteria_for(settings)
    regions = load_regions(conn)
    located = load_locations(conn)
    latest = latest_reports(conn, as_of=as_of, location_ids={i: loc.code for i, loc in located})
    snapshot = build_snapshot(
        as_of=as_of,
        regions=regions,
        locations=[loc for _, loc in located],
        latest=latest,
        stale_after=settings.stale_after,
    )
    end_day = as_of.date() - timedelta(days=1)
    start_day = end_day - timedelta(days=HISTORY_DAYS - 1)
    totals = daily_totals(conn, start=start_day, end=end_day, until=as_of)
    history = _history_indicators(totals, criteria)
    declared = active_declarations(conn, as_of=as_of)
    statuses: dict[str, RegionStatusView] = {}
    ic_covid = totals.get(CareLevel.IC, "covid") + totals.get(CareLevel.IC, "ontlabeld")
    for area in snapshot.regions:
        previous = RegionStatus.NORMAL
        if area.code in totals.region_codes:
            row = totals.region_codes.index(area.code)
            days = [pick(history, (row, d)) for d in range(len(totals.days))]
            reported = totals.reporting[row] > 0
            past = [d for d, ok in zip(days, reported, strict=True) if ok]
            results = classify_history(past, criteria)
            previous = results[-1].status if results else RegionStatus.NORMAL
            week_index = len(totals.days) - 7
            week_before = float(ic_covid[row, week_index]) if reported[week_index] else None
        else:
            week_before = None
        if previous is RegionStatus.UNKNOWN:
            previous = RegionStatus.NORMAL
        indicators = snapshot_indicators(area, week_before, criteria)
        if area.expected == 0 or area.reporting == 0:
            computed = classify_region({}, criteria, previous)
        else:
            computed = classify_region(indicators, criteria, previous)
        statuses[area.code] = RegionStatusView(computed, declared.get(area.code))
    at_risk = sum(
        1
        for report in latest.values()
        if report.critical_planned_care_ok is False
        or any(lv.status is LevelStatus.NOT_AVAILABLE for lv in report.levels)
    )
    phase = national_phase(
        {code: view.effective for code, view in statuses.items()},
        criteria,
        locations_at_risk=at_risk,
    )
    return Overview(
        as_of=as_of,
        snapshot=snapshot,
        regions=regions,
        locations=located,
        statuses=statuses,
        phase=phase,
        playbook=playbooks().get(phase.phase.value),
        criteria_version=criteria.version,
        locations_at_risk=at_risk,
    )
