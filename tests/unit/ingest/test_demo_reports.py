"""Demo reports add up to the national LCPS series exactly and respect the report rules."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kraan.domain.model import CareLevel, LevelStatus, Provenance
from kraan.ingest.demo import build_demo_reports
from kraan.ingest.lcps import combined_national_series
from kraan.ingest.reference import load_reference
from kraan.settings import get_settings

RAW = get_settings().raw_data_dir
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")

#: (care level, report field) -> national series field
SUMS = {
    (CareLevel.IC, "covid_occupied"): "ic_covid",
    (CareLevel.IC, "ontlabeld_occupied"): "ic_ontlabeld",
    (CareLevel.IC, "non_covid_occupied"): "ic_non_covid",
    (CareLevel.IC, "covid_admissions_24h"): "ic_admissions",
    (CareLevel.WARD, "covid_occupied"): "ward_covid",
    (CareLevel.WARD, "ontlabeld_occupied"): "ward_ontlabeld",
    (CareLevel.WARD, "non_covid_occupied"): "ward_non_covid",
    (CareLevel.WARD, "covid_admissions_24h"): "ward_admissions",
}


@pytest.fixture(scope="module")
def world():
    reference = load_reference(RAW)
    series = combined_national_series(RAW)
    reports = list(build_demo_reports(reference, series, RAW))
    by_day = defaultdict(list)
    for report in reports:
        by_day[report.reported_at.date()].append(report)
    return reference, series, reports, by_day


def national_sums(day_reports):
    sums = defaultdict(int)
    for report in day_reports:
        if report.location_code == "DE-ABROAD":
            continue
        for level in report.levels:
            for (care_level, field), _ in SUMS.items():
                if level.care_level == care_level:
                    sums[care_level, field] += getattr(level, field) or 0
    return sums


def check_day(world, day: date) -> None:
    reference, series, _, by_day = world
    i = series.index_of(day)
    sums = national_sums(by_day[day])
    for key, name in SUMS.items():
        value = getattr(series, name)[i]
        if not np.isnan(value):
            assert sums[key] == int(value), (day, key)


@pytest.mark.parametrize(
    "day",
    [
        date(2020, 3, 20),
        date(2020, 4, 4),
        date(2020, 12, 21),
        date(2021, 1, 3),
        date(2022, 1, 15),
        date(2022, 4, 16),
        date(2022, 6, 30),
    ],
)
def test_known_days_sum_to_national(world, day):
    check_day(world, day)


@settings(max_examples=40, deadline=None)
@given(offset=st.integers(0, 854))
def test_any_day_sums_to_national(world, offset):
    check_day(world, date(2020, 2, 27) + timedelta(days=offset))


def test_one_report_per_location_per_day(world):
    reference, series, reports, by_day = world
    dutch = [loc.code for loc in reference.locations if loc.code != "DE-ABROAD"]
    assert len(by_day) == len(series) == 855
    for day, day_reports in by_day.items():
        codes = [r.location_code for r in day_reports if r.location_code != "DE-ABROAD"]
        assert codes == dutch, day


def test_staffed_covers_occupied_and_status_is_consistent(world):
    _, _, reports, _ = world
    for report in reports:
        for level in report.levels:
            assert level.staffed_beds >= 0 and level.covid_occupied >= 0
            assert level.staffed_beds >= level.occupied or level.overflow, report
            if report.location_code == "DE-ABROAD":
                continue
            rate = level.occupied / level.staffed_beds if level.staffed_beds else 1.0
            expected = (
                LevelStatus.NOT_AVAILABLE
                if rate >= 1.0
                else LevelStatus.LIMITED
                if rate >= 0.9
                else LevelStatus.AVAILABLE
            )
            assert level.status == expected


def test_reported_at_is_that_day_at_eight(world):
    _, _, reports, _ = world
    for report in reports:
        day = report.reported_at.date()
        assert report.reported_at == datetime(day.year, day.month, day.day, 8, 0)
        assert report.reported_at.tzinfo is None


def test_provenance_and_abroad(world):
    _, _, _, by_day = world

    def provenance(day: date) -> set[Provenance]:
        return {r.provenance for r in by_day[day] if r.location_code != "DE-ABROAD"}

    assert provenance(date(2020, 12, 21)) == {Provenance.ESTIMATED}
    assert provenance(date(2021, 1, 3)) == {Provenance.SYNTHETIC}
    assert provenance(date(2022, 4, 16)) == {Provenance.IMPUTED}
    abroad = {d: [r for r in rs if r.location_code == "DE-ABROAD"] for d, rs in by_day.items()}
    assert abroad[date(2020, 3, 1)] == []  # unknown before coronawatchnl starts
    (report,) = abroad[date(2020, 4, 4)]
    assert report.level(CareLevel.IC).covid_occupied == 17
    (report,) = abroad[date(2021, 1, 1)]
    assert report.level(CareLevel.IC).covid_occupied == 10


def test_elv_levels_and_absence(world):
    reference, _, _, by_day = world
    vvt = [r for r in by_day[date(2020, 12, 21)] if r.location_code.startswith("V-")]
    assert len(vvt) == 25
    assert all(r.level(CareLevel.ELV_VVT) is not None for r in vvt)
    assert sum(r.level(CareLevel.ELV_VVT).covid_occupied for r in vvt) > 0
    for report in by_day[date(2021, 1, 3)]:
        if report.location_code != "DE-ABROAD":
            assert 0 <= report.staff_absence_pct <= 20
            assert report.critical_planned_care_ok is not None


def test_a_sub_range_gives_the_same_reports(world):
    reference, series, _, by_day = world
    start, end = date(2020, 12, 20), date(2020, 12, 22)
    part = list(build_demo_reports(reference, series, RAW, start=start, end=end))
    assert part == [r for d in (start, date(2020, 12, 21), end) for r in by_day[d]]
    assert list(build_demo_reports(reference, series, RAW, start=date(2030, 1, 1))) == []
