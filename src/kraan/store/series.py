"""Daily totals per region and care level: the last report of each location per day.

Feeds the trend charts and the status history (growth, hysteresis). One SQL
pass with a window function (SQLite >= 3.25 and PostgreSQL), then numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, DateTime, Integer, func, literal, select, true, union_all

from kraan.domain.model import MONITORED_LEVELS, CareLevel
from kraan.store.tables import locations, submission_levels, submissions

FIELDS = ("covid", "ontlabeld", "non_covid", "staffed", "admissions")


@dataclass(frozen=True, slots=True)
class DailyTotals:
    """Arrays indexed [region, day] per level and field; plus per-region assessments."""

    days: list[date]
    region_codes: list[str]
    values: dict[tuple[CareLevel, str], npt.NDArray[np.int64]]
    absence_weighted: npt.NDArray[np.float64]  # sum(absence% * staffed) per [region, day]
    absence_weight: npt.NDArray[np.float64]
    planned_at_risk: npt.NDArray[np.int64]
    acute_at_risk: npt.NDArray[np.int64]
    assessments: npt.NDArray[np.int64]
    reporting: npt.NDArray[np.int64]
    abroad_ic: npt.NDArray[np.float64]  # NaN where not reported
    #: per level, [region, day]: level rows whose COVID admissions were reported (not null);
    #: a null is unknown, not 0 (LCPS published admissions only from 2020-10-17)
    admissions_reporting: dict[CareLevel, npt.NDArray[np.int64]] = dataclass_field(
        default_factory=dict
    )
    #: [region, day]: picked submissions flagged ``imputed`` (e.g. LCPS weekend interpolation)
    imputed: npt.NDArray[np.int64] | None = None

    def get(self, level: CareLevel, field: str) -> npt.NDArray[np.int64]:
        return self.values[(level, field)]

    def national(self, level: CareLevel, field: str) -> npt.NDArray[np.int64]:
        return self.values[(level, field)].sum(axis=0)


def daily_totals(
    conn: Connection, *, start: date, end: date, until: datetime | None = None
) -> DailyTotals:
    """Totals for each day in [start, end]; reports after ``until`` are not seen.

    One index seek per location and day (ix_submissions_latest, newest first,
    LIMIT 1), so the cost grows with days x locations, not with how often the
    locations report: 14 days of 5-minute reports cost as much as 14 daily ones.
    """
    n_days = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(n_days)]
    bounds = []
    for index, day in enumerate(days):
        lo = datetime.combine(day, time.min)
        hi = lo + timedelta(days=1)
        if until is not None:
            if lo > until:
                break
            hi = min(hi, until + timedelta(microseconds=1))
        bounds.append((index, lo, hi))
    region_codes = sorted(
        {r for (r,) in conn.execute(select(locations.c.region_code).distinct())} - {"DE"}
    )
    if not bounds:
        return _aggregate([], days, region_codes)
    # a UNION ALL of one-row selects: portable, where VALUES with column names is not (SQLite)
    window = union_all(
        *(
            select(
                literal(index, Integer).label("day_index"),
                literal(lo, DateTime).label("lo"),
                literal(hi, DateTime).label("hi"),
            )
            for index, lo, hi in bounds
        )
    ).subquery("day_window")
    last_of_day = (
        select(submissions.c.id)
        .where(
            submissions.c.location_id == locations.c.id,
            submissions.c.is_current == True,  # noqa: E712
            submissions.c.reported_at >= window.c.lo,
            submissions.c.reported_at < window.c.hi,
        )
        .order_by(submissions.c.reported_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    picked = (
        select(
            window.c.day_index,
            locations.c.region_code,
            locations.c.kind,
            last_of_day.label("submission_id"),
        )
        .select_from(window.join(locations, true()))
        .subquery()
    )
    query = (
        select(
            picked.c.day_index,
            picked.c.region_code,
            picked.c.kind,
            submissions.c.staff_absence_pct,
            submissions.c.critical_planned_care_ok,
            submissions.c.acute_care_ok,
            submission_levels.c.care_level,
            submission_levels.c.covid_occupied,
            submission_levels.c.ontlabeld_occupied,
            submission_levels.c.non_covid_occupied,
            submission_levels.c.staffed_beds,
            submission_levels.c.covid_admissions_24h,
            submissions.c.id,
            submissions.c.provenance,
        )
        .join(submissions, submissions.c.id == picked.c.submission_id)
        .join(submission_levels, submission_levels.c.submission_id == submissions.c.id)
    )
    rows = conn.execute(query).all()
    return _aggregate(rows, days, region_codes)


def _aggregate(rows: list, days: list[date], region_codes: list[str]) -> DailyTotals:  # type: ignore[type-arg]
    n_regions, n_days = len(region_codes), len(days)
    region_index = {code: i for i, code in enumerate(region_codes)}
    shape = (n_regions, n_days)
    totals = DailyTotals(
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
        abroad_ic=np.full(n_days, np.nan),
        admissions_reporting={lv: np.zeros(shape, dtype=np.int64) for lv in MONITORED_LEVELS},
        imputed=np.zeros(shape, dtype=np.int64),
    )
    if not rows:
        return totals
    # the arrays are filled in place below
    values, abroad, reporting = totals.values, totals.abroad_ic, totals.reporting
    absence_weighted, absence_weight = totals.absence_weighted, totals.absence_weight
    planned, acute, assessments = totals.planned_at_risk, totals.acute_at_risk, totals.assessments
    day_idx = np.array([int(r[0]) for r in rows])
    is_abroad = np.array([r[2] == "abroad" for r in rows])
    region_idx = np.array([region_index.get(r[1], -1) for r in rows])
    levels = np.array([r[6] for r in rows])
    numbers = np.array([[r[7], r[8], r[9], r[10], r[11] or 0] for r in rows], dtype=np.int64)
    submission_ids = np.array([r[12] for r in rows])
    dutch = (~is_abroad) & (region_idx >= 0)

    ic_abroad = is_abroad & (levels == CareLevel.IC.value)
    if ic_abroad.any():
        abroad[day_idx[ic_abroad]] = 0
        np.add.at(abroad, day_idx[ic_abroad], numbers[ic_abroad, 0] + numbers[ic_abroad, 1])
    for level in MONITORED_LEVELS:
        mask = dutch & (levels == level.value)
        for position, field in enumerate(FIELDS):
            np.add.at(
                values[(level, field)], (region_idx[mask], day_idx[mask]), numbers[mask, position]
            )
        has_admissions = mask & np.array([r[11] is not None for r in rows], dtype=bool)
        np.add.at(
            totals.admissions_reporting[level],
            (region_idx[has_admissions], day_idx[has_admissions]),
            1,
        )

    # per-submission fields: count each submission once (its first level row)
    _, first = np.unique(submission_ids, return_index=True)
    first = first[dutch[first]]
    staffed_per_submission = np.zeros(len(rows))
    order = np.argsort(submission_ids, kind="stable")
    sorted_ids = submission_ids[order]
    group_starts = np.r_[0, np.flatnonzero(np.diff(sorted_ids)) + 1]
    sums = np.add.reduceat(numbers[order, 3], group_starts) if len(order) else np.array([])
    staffed_per_submission[order[group_starts]] = sums
    at = (region_idx[first], day_idx[first])
    np.add.at(reporting, at, 1)
    assert totals.imputed is not None
    was_imputed = np.array([rows[i][13] == "imputed" for i in first], dtype=bool)
    np.add.at(totals.imputed, (at[0][was_imputed], at[1][was_imputed]), 1)
    absence = np.array([rows[i][3] if rows[i][3] is not None else np.nan for i in first], float)
    weight = np.maximum(staffed_per_submission[first], 1.0)
    has_absence = ~np.isnan(absence)
    np.add.at(
        absence_weighted,
        (at[0][has_absence], at[1][has_absence]),
        absence[has_absence] * weight[has_absence],
    )
    np.add.at(absence_weight, (at[0][has_absence], at[1][has_absence]), weight[has_absence])
    planned_flags = np.array([rows[i][4] for i in first], dtype=object)
    acute_flags = np.array([rows[i][5] for i in first], dtype=object)
    assessed = np.array(
        [
            (p is not None) or (a is not None)
            for p, a in zip(planned_flags, acute_flags, strict=True)
        ],
        bool,
    )
    np.add.at(assessments, (at[0][assessed], at[1][assessed]), 1)
    planned_risk = np.array([p is False or p == 0 for p in planned_flags], bool) & np.array(
        [p is not None for p in planned_flags], bool
    )
    acute_risk = np.array([a is False or a == 0 for a in acute_flags], bool) & np.array(
        [a is not None for a in acute_flags], bool
    )
    np.add.at(planned, (at[0][planned_risk], at[1][planned_risk]), 1)
    np.add.at(acute, (at[0][acute_risk], at[1][acute_risk]), 1)
    return totals


def reported_span(conn: Connection) -> tuple[datetime | None, datetime | None]:
    """(first, last) ``reported_at`` of all submissions; (None, None) when there are none."""
    first, last = conn.execute(
        select(func.min(submissions.c.reported_at), func.max(submissions.c.reported_at))
    ).one()

    def as_datetime(value: object) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(str(value))

    return as_datetime(first), as_datetime(last)
