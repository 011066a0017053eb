"""Property: the store's as-of read equals the reference semantics, on both databases."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from kraan.domain.model import CapacityReport, CareLevel, LevelReport
from kraan.store.reference import location_ids_by_code
from kraan.store.reports import bulk_insert_reports, latest_reports
from kraan.store.tables import submission_levels, submissions
from tests.conftest import T0

CODES = ("H1", "H2", "H3")

report_strategy = st.builds(
    lambda code, minutes, covid: CapacityReport(
        code, T0 + timedelta(minutes=minutes), (LevelReport(CareLevel.IC, 50, covid),)
    ),
    st.sampled_from(CODES),
    st.integers(-3000, 3000),
    st.integers(0, 50),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reports=st.lists(
        report_strategy, max_size=25, unique_by=lambda r: (r.location_code, r.reported_at)
    ),
    offsets=st.lists(st.integers(-3100, 3100), min_size=1, max_size=4),
)
def test_latest_reports_match_the_reference(
    seeded_engine: Engine, reports: list[CapacityReport], offsets: list[int]
) -> None:
    with seeded_engine.begin() as conn:
        conn.execute(delete(submission_levels))
        conn.execute(delete(submissions))
        ids = location_ids_by_code(conn)
        bulk_insert_reports(conn, reports, location_ids=ids, actor="t", source="t", now=T0)
    codes = {v: k for k, v in ids.items()}
    for offset in offsets:
        as_of = T0 + timedelta(minutes=offset)
        expected: dict[str, CapacityReport] = {}
        for report in reports:
            if report.reported_at <= as_of and (
                report.location_code not in expected
                or report.reported_at > expected[report.location_code].reported_at
            ):
                expected[report.location_code] = report
        with seeded_engine.connect() as conn:
            got = latest_reports(conn, as_of=as_of, location_ids=codes)
        assert {c: r.reported_at for c, r in got.items()} == {
            c: r.reported_at for c, r in expected.items()
        }
        assert all(r.reported_at <= as_of for r in got.values())
        assert {c: r.levels for c, r in got.items()} == {c: r.levels for c, r in expected.items()}
