"""Daily totals over more days than SQLite allows terms in one compound SELECT (500).

Regression: the forecast warm-up of `kraan demo` asked for 855 days at once and
failed on SQLite with "too many terms in compound SELECT".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from kraan.domain.model import CapacityReport, CareLevel, LevelReport
from kraan.store.reference import location_ids_by_code
from kraan.store.reports import bulk_insert_reports
from kraan.store.series import daily_totals

START = date(2020, 3, 1)
DAYS = 855


def test_855_days_in_one_call(seeded_engine: Engine) -> None:
    reports = [
        CapacityReport(
            "H1",
            datetime.combine(START + timedelta(days=d), datetime.min.time()) + timedelta(hours=8),
            (LevelReport(CareLevel.IC, 50, d % 40),),
        )
        for d in range(0, DAYS, 7)  # a report every week, to the last chunk
    ]
    with seeded_engine.begin() as conn:
        ids = location_ids_by_code(conn)
        bulk_insert_reports(
            conn, reports, location_ids=ids, actor="test", source="test", now=datetime(2022, 7, 1)
        )
    with seeded_engine.connect() as conn:
        totals = daily_totals(conn, start=START, end=START + timedelta(days=DAYS - 1))
    covid = totals.get(CareLevel.IC, "covid").sum(axis=0)
    assert len(totals.days) == DAYS
    for d in range(0, DAYS, 7):
        assert covid[d] == d % 40, d  # days in every chunk, including the last one
