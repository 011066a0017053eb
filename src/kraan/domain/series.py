"""Daily totals per region and care level: the aggregation rules of the monitor, vectorised.

The same rules as :func:`kraan.domain.monitor.build_snapshot` (SANER semantics), for
many days at once: the last report of each location per day counts; levels are summed
per region; staff absence is averaged weighted by the location's staffed beds
(:func:`~kraan.domain.monitor.absence_weight`); a continuity flag counts as at risk by
:func:`~kraan.domain.monitor.flag_at_risk`; IC patients of ABROAD locations are "abroad",
not Dutch capacity. The store selects the rows (``kraan.store.series``) and calls
:func:`aggregate`; ``tests/integration/test_series_matches_monitor.py`` checks the two
paths against each other on random data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from kraan.domain.model import MONITORED_LEVELS, CareLevel
from kraan.domain.monitor import absence_weight, flag_at_risk

FIELDS = ("covid", "ontlabeld", "non_covid", "staffed", "admissions")


@dataclass(frozen=True, slots=True)
class DailyTotals:
    """Arrays indexed [region, day] per level and field; plus per-region assessments."""

    days: list[date]
    region_codes: list[str]
    values: dict[tuple[CareLevel, str], npt.NDArray[np.int64]]
    absence_weighted: npt.NDArray[np.float64]  # sum(absence% * weight) per [region, day]
    absence_weight: npt.NDArray[np.float64]
    planned_at_risk: npt.NDArray[np.int64]
    acute_at_risk: npt.NDArray[np.int64]
    assessments: npt.NDArray[np.int64]
    reporting: npt.NDArray[np.int64]
    abroad_ic: npt.NDArray[np.float64]  # NaN where not reported
    #: per level, [region, day]: level rows whose COVID admissions were reported (not null);
    #: a null is unknown, not 0 (LCPS published admissions only from 2020-10-17)
    admissions_reporting: dict[CareLevel, npt.NDArray[np.int64]] = field(default_factory=dict)
    #: [region, day]: picked submissions flagged ``imputed`` (e.g. LCPS weekend interpolation)
    imputed: npt.NDArray[np.int64] | None = None

    def get(self, level: CareLevel, field: str) -> npt.NDArray[np.int64]:
        return self.values[(level, field)]

    def national(self, level: CareLevel, field: str) -> npt.NDArray[np.int64]:
        total: npt.NDArray[np.int64] = self.values[(level, field)].sum(axis=0)
        return total


@dataclass(frozen=True, slots=True)
class LevelRow:
    """One care level of the report a location counts with on one day."""

    day_index: int
    region_code: str
    abroad: bool
    submission_id: int
    care_level: str
    covid: int
    ontlabeld: int
    non_covid: int
    staffed: int
    admissions: int | None
    staff_absence_pct: float | None
    critical_planned_care_ok: bool | None
    acute_care_ok: bool | None
    provenance: str = ""


def empty(days: list[date], region_codes: list[str]) -> DailyTotals:
    shape = (len(region_codes), len(days))
    return DailyTotals(
        days=days,
        region_codes=region_codes,
        values={
            (lv, f): np.zeros(shape, dtype=np.int64) for lv in MONITORED_LEVELS for f in FIELDS
        },
        absence_weighted=np.zeros(shape),
        absence_weight=np.zeros(shape),
        planned_at_risk=np.zeros(shape, dtype=np.int64),
        acute_at_risk=np.zeros(shape, dtype=np.int64),
        assessments=np.zeros(shape, dtype=np.int64),
        reporting=np.zeros(shape, dtype=np.int64),
        abroad_ic=np.full(len(days), np.nan),
        admissions_reporting={lv: np.zeros(shape, dtype=np.int64) for lv in MONITORED_LEVELS},
        imputed=np.zeros(shape, dtype=np.int64),
    )


def aggregate(rows: Sequence[LevelRow], days: list[date], region_codes: list[str]) -> DailyTotals:
    """Sum the rows into [region, day] arrays (rows of unknown regions are left out)."""
    totals = empty(days, region_codes)
    if not rows:
        return totals
    region_index = {code: i for i, code in enumerate(region_codes)}
    values, abroad, reporting = totals.values, totals.abroad_ic, totals.reporting
    day_idx = np.array([r.day_index for r in rows], dtype=np.int64)
    is_abroad = np.array([r.abroad for r in rows], dtype=bool)
    region_idx = np.array([region_index.get(r.region_code, -1) for r in rows], dtype=np.int64)
    levels = np.array([r.care_level for r in rows])
    numbers = np.array(
        [[r.covid, r.ontlabeld, r.non_covid, r.staffed, r.admissions or 0] for r in rows],
        dtype=np.int64,
    )
    submission_ids = np.array([r.submission_id for r in rows], dtype=np.int64)
    dutch = (~is_abroad) & (region_idx >= 0)

    ic_abroad = is_abroad & (levels == CareLevel.IC.value)
    if ic_abroad.any():
        abroad[day_idx[ic_abroad]] = 0
        np.add.at(abroad, day_idx[ic_abroad], numbers[ic_abroad, 0] + numbers[ic_abroad, 1])
    admissions_known = np.array([r.admissions is not None for r in rows], dtype=bool)
    for level in MONITORED_LEVELS:
        mask = dutch & (levels == level.value)
        for position, name in enumerate(FIELDS):
            np.add.at(
                values[(level, name)], (region_idx[mask], day_idx[mask]), numbers[mask, position]
            )
        known = mask & admissions_known
        np.add.at(totals.admissions_reporting[level], (region_idx[known], day_idx[known]), 1)

    # per-submission figures: count each submission once (its first level row), with the
    # staffed beds of all its levels as the weight of its staff absence
    _, first = np.unique(submission_ids, return_index=True)
    first = first[dutch[first]]
    staffed = np.zeros(len(rows), dtype=np.int64)
    order = np.argsort(submission_ids, kind="stable")
    group_starts = np.r_[0, np.flatnonzero(np.diff(submission_ids[order])) + 1]
    staffed[order[group_starts]] = np.add.reduceat(numbers[order, 3], group_starts)
    at = (region_idx[first], day_idx[first])
    np.add.at(reporting, at, 1)
    heads = [rows[i] for i in first.tolist()]
    assert totals.imputed is not None
    was_imputed = np.array([h.provenance == "imputed" for h in heads], dtype=bool)
    np.add.at(totals.imputed, (at[0][was_imputed], at[1][was_imputed]), 1)
    absence = np.array(
        [np.nan if h.staff_absence_pct is None else h.staff_absence_pct for h in heads], float
    )
    weight = np.array([absence_weight(int(s)) for s in staffed[first].tolist()], float)
    has = ~np.isnan(absence)
    np.add.at(totals.absence_weighted, (at[0][has], at[1][has]), absence[has] * weight[has])
    np.add.at(totals.absence_weight, (at[0][has], at[1][has]), weight[has])
    assessed = np.array(
        [h.critical_planned_care_ok is not None or h.acute_care_ok is not None for h in heads],
        bool,
    )
    planned = np.array([flag_at_risk(h.critical_planned_care_ok) for h in heads], bool)
    acute = np.array([flag_at_risk(h.acute_care_ok) for h in heads], bool)
    np.add.at(totals.assessments, (at[0][assessed], at[1][assessed]), 1)
    np.add.at(totals.planned_at_risk, (at[0][planned], at[1][planned]), 1)
    np.add.at(totals.acute_at_risk, (at[0][acute], at[1][acute]), 1)
    return totals
