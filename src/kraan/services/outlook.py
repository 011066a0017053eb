"""Phase outlook: the LNAZ phase expected in 7 and 14 days, from the occupancy forecasts.

Per region the IC and ward COVID occupancy are forecast (:mod:`kraan.services.live_forecast`)
and put into the same criteria that give today's status (:func:`classify_region`), and the
regional statuses give the national phase (:func:`national_phase`). Only the COVID load
moves: non-COVID occupancy, staffed beds, staff absence, the continuity assessments and
the locations reporting continuity at risk are held at their as-of values. The outlook
therefore answers "where does the forecast COVID load alone take us", which is what a
coordinator can act on a week ahead; it is not a scenario of everything else.

Hysteresis runs forward as it does day by day: today's computed status is the previous
status of day 7, and day 7's of day 14. A declared status still in force on the day
overrides the computed one, as it does today. Two variants: the median forecast
("expected") and the upper end of the 90 % interval, the 0.95 quantile ("worse case").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from kraan.domain.forecast.quantiles import INTERVALS, MEDIAN
from kraan.domain.indicators import indicator_arrays, pick
from kraan.domain.model import CareLevel
from kraan.domain.monitor import AreaSnapshot
from kraan.domain.phases import (
    PhaseCriteria,
    PhaseResult,
    RegionStatus,
    StatusResult,
    classify_region,
    national_phase,
)
from kraan.services.forecasting import UNRELIABLE
from kraan.services.live_forecast import (
    CapacityCheck,
    ForecastError,
    ForecastSource,
    LiveForecast,
    check,
)
from kraan.services.overview import Overview, RegionStatusView

HORIZONS = (7, 14)
#: variant -> quantile column of the forecast
VARIANTS = {"median": MEDIAN, "upper90": INTERVALS[0.9][1]}
VARIANT_LABELS = {"median": "expected (median)", "upper90": "worse case (90 % upper bound)"}
ASSUMPTION = (
    "Only COVID occupancy (IC and ward) follows the forecast; non-COVID occupancy, staffed "
    "beds, staff absence and continuity assessments are held at their as-of values."
)


@dataclass(frozen=True, slots=True)
class Expectation:
    """One region on one future day under one variant."""

    status: RegionStatus  # effective: a declaration still in force wins
    computed: StatusResult
    declared: bool
    ic_covid: float | None
    ward_covid: float | None


@dataclass(frozen=True, slots=True)
class RegionOutlook:
    code: str
    name: str
    status: RegionStatus  # effective at as_of
    computed_status: RegionStatus
    expected: dict[tuple[int, str], Expectation]
    ic_room: CapacityCheck | None  # COVID IC patients vs staffed IC beds minus non-COVID
    note: str | None = None  # why there is no forecast


@dataclass(frozen=True, slots=True)
class Outlook:
    as_of: datetime
    data_through: date | None
    current: PhaseResult
    phases: dict[tuple[int, str], PhaseResult]
    days: dict[int, date]
    regions: list[RegionOutlook]
    criteria_version: str


def _min_level(criteria: PhaseCriteria) -> float:
    return next((i.min_level for i in criteria.indicators if i.name == "ic_covid_growth_7d"), 10.0)


def _classify(
    area: AreaSnapshot,
    ic_covid: float,
    ward_covid: float,
    week_before: float,
    criteria: PhaseCriteria,
    previous: RegionStatus,
) -> StatusResult:
    """Today's indicators with the forecast COVID load and everything else held."""
    ic, ward = area.level(CareLevel.IC), area.level(CareLevel.WARD)
    absence = area.staff_absence_pct
    arrays = indicator_arrays(
        ic_covid=ic_covid,
        ic_ontlabeld=0.0,  # the forecast target already counts them
        ic_non_covid=ic.non_covid,
        ic_staffed=ic.staffed,
        ward_covid=ward_covid,
        ward_ontlabeld=0.0,
        ward_non_covid=ward.non_covid,
        ward_staffed=ward.staffed,
        ic_covid_week_before=week_before,
        staff_absence_pct=np.nan if absence is None else absence,
        planned_at_risk=area.critical_planned_care_at_risk,
        acute_at_risk=area.acute_care_at_risk,
        assessments=area.assessments,
        growth_min_level=_min_level(criteria),
    )
    return classify_region(pick(arrays, ()), criteria, previous)


def _unknown(why: str, criteria: PhaseCriteria) -> Expectation:
    result = StatusResult(
        RegionStatus.UNKNOWN, (), {}, criteria_version=criteria.version, explanation=(why,)
    )
    return Expectation(RegionStatus.UNKNOWN, result, False, None, None)


def _declared(view: RegionStatusView, moment: datetime) -> RegionStatus | None:
    d = view.declared
    if d is None or (d.valid_until is not None and d.valid_until <= moment):
        return None
    return RegionStatus(d.status)


def _region(
    area: AreaSnapshot,
    view: RegionStatusView,
    ic: LiveForecast,
    ward: LiveForecast,
    criteria: PhaseCriteria,
    as_of: datetime,
) -> dict[tuple[int, str], Expectation]:
    out: dict[tuple[int, str], Expectation] = {}
    for variant, column in VARIANTS.items():
        previous = view.computed.status
        if previous is RegionStatus.UNKNOWN:
            previous = RegionStatus.NORMAL
        for h in HORIZONS:
            ic_value, ward_value = ic.quantile(h, column), ward.quantile(h, column)
            week_before = ic.observed if h == 7 else ic.quantile(h - 7, column)
            result = _classify(area, ic_value, ward_value, week_before, criteria, previous)
            if result.status is not RegionStatus.UNKNOWN:
                previous = result.status
            declared = _declared(view, as_of + timedelta(days=h))
            out[(h, variant)] = Expectation(
                declared or result.status, result, declared is not None, ic_value, ward_value
            )
    return out


def build_outlook(source: ForecastSource, overview: Overview, criteria: PhaseCriteria) -> Outlook:
    """The expected phase at +7 and +14 days, per variant, with every region's reason."""
    regions: list[RegionOutlook] = []
    origins: list[date] = []
    for area in overview.snapshot.regions:
        view = overview.statuses[area.code]
        try:
            ic, ward = source.get("ic", area.code), source.get("ward", area.code)
            for live in (ic, ward):
                if not live.forecast.result.reliable:
                    name = "IC" if live.target == "ic" else "ward"
                    raise ForecastError(
                        "as_of", f"{name}: {UNRELIABLE}: {live.forecast.result.unreliable}"
                    )
        except ForecastError as error:
            why = f"no forecast: {error}"
            expected = {(h, v): _unknown(why, criteria) for h in HORIZONS for v in VARIANTS}
            regions.append(
                RegionOutlook(
                    area.code, area.name, view.effective, view.computed.status, expected, None, why
                )
            )
            continue
        origins.append(ic.origin)
        room = ic.covid_able
        regions.append(
            RegionOutlook(
                area.code,
                area.name,
                view.effective,
                view.computed.status,
                _region(area, view, ic, ward, criteria, overview.as_of),
                check(ic, room, "covid_able", "staffed IC beds minus non-COVID patients")
                if room is not None
                else None,
            )
        )
    data_through = max(origins) if origins else None
    phases = {
        (h, v): national_phase(
            {r.code: r.expected[(h, v)].status for r in regions},
            criteria,
            locations_at_risk=overview.locations_at_risk,
        )
        for h in HORIZONS
        for v in VARIANTS
    }
    base = data_through or overview.as_of.date()
    return Outlook(
        as_of=overview.as_of,
        data_through=data_through,
        current=overview.phase,
        phases=phases,
        days={h: base + timedelta(days=h) for h in HORIZONS},
        regions=regions,
        criteria_version=criteria.version,
    )


def _phase(result: PhaseResult) -> dict[str, Any]:
    return {
        "phase": result.phase.value,
        "explanation": result.explanation,
        "counts": {s.value: n for s, n in result.counts.items() if n},
    }


def _expectation(e: Expectation) -> dict[str, Any]:
    return {
        "status": e.status.value,
        "computed_status": e.computed.status.value,
        "declared": e.declared,
        "held_by_hysteresis": e.computed.held_by_hysteresis,
        "explanation": list(e.computed.explanation),
        "ic_covid": None if e.ic_covid is None else round(e.ic_covid, 1),
        "ward_covid": None if e.ward_covid is None else round(e.ward_covid, 1),
        "indicators": {
            k: None if v is None else round(v, 4) for k, v in e.computed.indicators.items()
        },
    }


def outlook_document(outlook: Outlook) -> dict[str, Any]:
    """The JSON of ``GET /api/v1/outlook``; the dashboard card renders the same dict."""
    return {
        "as_of": outlook.as_of.isoformat(),
        "data_through": outlook.data_through.isoformat() if outlook.data_through else None,
        "method": "kraan",
        "criteria_version": outlook.criteria_version,
        "assumption": ASSUMPTION,
        "variants": VARIANT_LABELS,
        "current": _phase(outlook.current),
        "outlook": [
            {
                "days": h,
                "date": outlook.days[h].isoformat(),
                **{v: _phase(outlook.phases[(h, v)]) for v in VARIANTS},
            }
            for h in HORIZONS
        ],
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "status": r.status.value,
                "computed_status": r.computed_status.value,
                "note": r.note,
                "expected": {
                    str(h): {v: _expectation(r.expected[(h, v)]) for v in VARIANTS}
                    for h in HORIZONS
                },
                "ic_capacity": None if r.ic_room is None else _room(r.ic_room),
            }
            for r in outlook.regions
        ],
    }


def _room(c: CapacityCheck) -> dict[str, Any]:
    probability, day = c.peak
    return {
        "label": c.label,
        "beds": c.beds,
        "above_now": c.above_now,
        "median_crossing_days": c.median_crossing,
        "upper90_crossing_days": c.upper90_crossing,
        "exceed_probability": list(c.exceed_probability),
        "peak_probability": probability,
        "peak_day": day,
    }
