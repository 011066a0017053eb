"""Property: the store's daily totals aggregate as the domain's monitor does.

The monitor's rules (sum per region, staff absence weighted by staffed beds, continuity
flags at risk, IC abroad not Dutch) are written twice on purpose: per report in
``domain.monitor.build_snapshot`` and vectorised over days in ``domain.series.aggregate``
(fed by the store's SQL in ``store.series.daily_totals``). On random reports of one day,
on SQLite and PostgreSQL, both must give the same region figures.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from kraan.domain.model import CapacityReport, CareLevel, LevelReport, LevelStatus
from kraan.domain.monitor import build_snapshot
from kraan.store.reference import load_locations, load_regions, location_ids_by_code
from kraan.store.reports import bulk_insert_reports, latest_reports
from kraan.store.series import FIELDS, daily_totals
from kraan.store.tables import submission_levels, submissions
from tests.conftest import T0

DAY = T0.date()
CODES = ("H1", "H2", "H3", "DE-ABROAD")
LEVEL_FIELDS = {"covid": "covid", "ontlabeld": "ontlabeld", "non_covid": "non_covid",
                "staffed": "staffed", "admissions": "admissions_24h"}  # fmt: skip

level_strategy = st.builds(
    lambda care_level, staffed, covid, ontlabeld, non_covid, admissions, unavailable: LevelReport(
        care_level,
        staffed,
        covid,
        ontlabeld,
        non_covid,
        admissions,
        LevelStatus.NOT_AVAILABLE if unavailable else None,
    ),  # fmt: skip
    st.sampled_from([CareLevel.IC, CareLevel.WARD, CareLevel.ELV_VVT]),
    st.integers(0, 400),
    st.integers(0, 200),
    st.integers(0, 30),
    st.integers(0, 200),
    st.none() | st.integers(0, 40),
    st.booleans(),
)
report_strategy = st.builds(
    lambda code, minute, levels, absence, planned, acute: CapacityReport(
        code,
        datetime.combine(DAY, time()) + timedelta(minutes=minute),
        tuple(levels),
        staff_absence_pct=absence,
        critical_planned_care_ok=planned,
        acute_care_ok=acute,
    ),  # fmt: skip
    st.sampled_from(CODES),
    st.integers(0, 24 * 60 - 1),
    st.lists(level_strategy, min_size=1, max_size=3, unique_by=lambda lv: lv.care_level),
    st.none() | st.floats(0, 40, allow_nan=False).map(lambda v: round(v, 1)),
    st.none() | st.booleans(),
    st.none() | st.booleans(),
)


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    reports=st.lists(
        report_strategy,
        min_size=1,
        max_size=12,
        unique_by=lambda r: (r.location_code, r.reported_at),
    )
)
def test_daily_totals_equal_the_monitor_snapshot(
    seeded_engine: Engine, reports: list[CapacityReport]
) -> None:
    with seeded_engine.begin() as conn:
        conn.execute(delete(submission_levels))
        conn.execute(delete(submissions))
        ids = location_ids_by_code(conn)
        bulk_insert_reports(conn, reports, location_ids=ids, actor="t", source="t", now=T0)
    end_of_day = datetime.combine(DAY, time(23, 59, 59))
    with seeded_engine.connect() as conn:
        located = load_locations(conn)
        latest = latest_reports(
            conn, as_of=end_of_day, location_ids={i: loc.code for i, loc in located}
        )
        snapshot = build_snapshot(
            as_of=end_of_day, regions=load_regions(conn), locations=[loc for _, loc in located],
            latest=latest, stale_after=timedelta(days=1),
        )  # fmt: skip
        totals = daily_totals(conn, start=DAY, end=DAY)
    for area in snapshot.regions:
        row = totals.region_codes.index(area.code)
        for level in (CareLevel.IC, CareLevel.WARD, CareLevel.ELV_VVT):
            for field in FIELDS:
                expected = getattr(area.level(level), LEVEL_FIELDS[field])
                assert totals.get(level, field)[row, 0] == expected, (area.code, level, field)
        assert totals.reporting[row, 0] == area.reporting
        assert totals.assessments[row, 0] == area.assessments
        assert totals.planned_at_risk[row, 0] == area.critical_planned_care_at_risk
        assert totals.acute_at_risk[row, 0] == area.acute_care_at_risk
        weight = totals.absence_weight[row, 0]
        absence = totals.absence_weighted[row, 0] / weight if weight else None
        if area.staff_absence_pct is None:
            assert absence is None
        else:
            assert absence is not None and math.isclose(absence, area.staff_absence_pct)
    if snapshot.abroad_reported:
        assert totals.abroad_ic[0] == snapshot.abroad_ic
    else:
        assert math.isnan(totals.abroad_ic[0])
