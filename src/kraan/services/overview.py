"""The picture at ``as_of``: snapshot, regional statuses, national phase, playbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from kraan.domain.indicators import area_indicators, history_indicators, pick
from kraan.domain.model import CareLevel, Location, Region
from kraan.domain.monitor import AreaSnapshot, Snapshot, build_snapshot, locations_at_risk
from kraan.domain.phases import (
    PhaseCriteria,
    PhaseResult,
    RegionStatus,
    StatusResult,
    chain_context,
    classify_history,
    classify_region,
    load_criteria,
    national_phase,
    with_context,
)
from kraan.domain.playbook import PhasePlaybook, load_playbook_text
from kraan.domain.requests.chain_reports import complete
from kraan.services.chain import chain_picture
from kraan.settings import PACKAGE_DATA, Settings
from kraan.store.declarations import Declaration, active_declarations
from kraan.store.reference import load_locations, load_regions
from kraan.store.reports import latest_reports
from kraan.store.series import daily_totals

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
    #: the chain outside the hospital (GRZ, care hotels, district nursing, GP), every kind:
    #: {"national": {kind: row}, "regions": {code: {kind: row}}} (services.chain)
    chain: dict[str, Any] = field(default_factory=dict)


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


def snapshot_indicators(
    area: AreaSnapshot, week_before_ic_covid: float | None, criteria: PhaseCriteria
) -> dict[str, float | None]:
    return area_indicators(
        area, growth_min_level=criteria.growth_min_level, week_before_ic_covid=week_before_ic_covid
    )


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
    history = history_indicators(totals, growth_min_level=criteria.growth_min_level)
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
    at_risk = locations_at_risk(latest.values())
    phase = national_phase(
        {code: view.effective for code, view in statuses.items()},
        criteria,
        locations_at_risk=at_risk,
    )
    picture = chain_picture(conn, as_of=as_of)
    chain = {
        "national": complete(picture["national"]),
        "regions": {code: complete(kinds) for code, kinds in picture["regions"].items()},
    }
    elv_vvt = snapshot.national.level(CareLevel.ELV_VVT)
    phase = with_context(phase, chain_context(elv_vvt.occupancy, chain["national"]))
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
        chain=chain,
    )
