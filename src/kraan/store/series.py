"""Daily totals per region and care level: the last report of each location per day.

Feeds the trend charts and the status history (growth, hysteresis). One SQL pass
picks each location's last report per day; the aggregation rules are the domain's
(:func:`kraan.domain.series.aggregate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    Row,
    func,
    literal,
    select,
    true,
    union_all,
)

from kraan.domain.series import FIELDS, DailyTotals, LevelRow, aggregate
from kraan.store.tables import locations, submission_levels, submissions

__all__ = ["FIELDS", "DailyTotals", "daily_totals", "reported_span"]

#: days per query: below SQLite's limit of 500 terms in a compound SELECT
DAYS_PER_QUERY = 366


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
        return aggregate([], days, region_codes)
    rows: list[Row[Any]] = []
    # SQLite allows at most 500 terms in a compound SELECT: query long ranges in chunks
    for first in range(0, len(bounds), DAYS_PER_QUERY):
        rows.extend(conn.execute(_day_query(bounds[first : first + DAYS_PER_QUERY])).all())
    return aggregate(_level_rows(rows), days, region_codes)


def _day_query(bounds: Sequence[tuple[int, datetime, datetime]]) -> Any:
    """The last current report of every location on each day in ``bounds``."""
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
    return query


def _level_rows(rows: Sequence[Row[Any]]) -> list[LevelRow]:
    return [
        LevelRow(
            day_index=int(r.day_index), region_code=r.region_code, abroad=r.kind == "abroad",
            submission_id=int(r.id), care_level=r.care_level, covid=r.covid_occupied,
            ontlabeld=r.ontlabeld_occupied, non_covid=r.non_covid_occupied,
            staffed=r.staffed_beds, admissions=r.covid_admissions_24h,
            staff_absence_pct=r.staff_absence_pct,
            critical_planned_care_ok=r.critical_planned_care_ok, acute_care_ok=r.acute_care_ok,
            provenance=r.provenance,
        )
        for r in rows
    ]  # fmt: skip


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
