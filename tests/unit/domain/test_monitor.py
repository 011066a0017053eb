from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kraan.domain.model import (
    CapacityReport,
    CareLevel,
    LevelReport,
    Location,
    LocationKind,
    Region,
)
from kraan.domain.monitor import build_snapshot

AS_OF = datetime(2021, 1, 10, 12, 0)
REGIONS = [Region("A", "A", ("VR01",)), Region("B", "B", ("VR02",))]


def location(code: str, region: str, kind: LocationKind = LocationKind.HOSPITAL) -> Location:
    return Location(code, code, kind, region, "VR01", "GM1", 52.0, 5.0)


level_strategy = st.builds(
    lambda staffed, covid, ont, non: LevelReport(CareLevel.IC, staffed, covid, ont, non),
    st.integers(0, 999),
    st.integers(0, 300),
    st.integers(0, 50),
    st.integers(0, 300),
)


@st.composite
def histories(draw):  # type: ignore[no-untyped-def]
    """Several reports per location at random moments, some after as_of."""
    count = draw(st.integers(1, 8))
    locations = [location(f"L{i}", draw(st.sampled_from(["A", "B"]))) for i in range(count)]
    reports = []
    for loc in locations:
        for _ in range(draw(st.integers(0, 5))):
            offset = draw(st.integers(-5000, 600))
            reports.append(
                CapacityReport(loc.code, AS_OF + timedelta(minutes=offset), (draw(level_strategy),))
            )
    return locations, reports


def latest_at(reports: list[CapacityReport], as_of: datetime) -> dict[str, CapacityReport]:
    """The reference semantics: the latest report per location at or before as_of."""
    chosen: dict[str, CapacityReport] = {}
    for report in reports:
        if report.reported_at > as_of:
            continue
        if (
            report.location_code not in chosen
            or report.reported_at > chosen[report.location_code].reported_at
        ):
            chosen[report.location_code] = report
    return chosen


@settings(max_examples=200, deadline=None)
@given(histories())
def test_national_aggregate_is_the_sum_of_latest_reports(data) -> None:  # type: ignore[no-untyped-def]
    locations, reports = data
    latest = latest_at(reports, AS_OF)
    snapshot = build_snapshot(
        as_of=AS_OF,
        regions=REGIONS,
        locations=locations,
        latest=latest,
        stale_after=timedelta(hours=26),
    )
    ic = snapshot.national.level(CareLevel.IC)
    assert ic.covid == sum(r.levels[0].covid_occupied for r in latest.values())
    assert ic.staffed == sum(r.levels[0].staffed_beds for r in latest.values())
    assert ic.non_covid == sum(r.levels[0].non_covid_occupied for r in latest.values())
    region_sum = sum(r.level(CareLevel.IC).covid for r in snapshot.regions)
    assert region_sum == ic.covid
    assert snapshot.national.expected == len(locations)
    assert snapshot.national.reporting + len(snapshot.national.stale) == len(latest)


@settings(max_examples=100, deadline=None)
@given(histories())
def test_an_as_of_query_never_sees_a_later_report(data) -> None:  # type: ignore[no-untyped-def]
    _, reports = data
    for as_of in (AS_OF - timedelta(hours=30), AS_OF, AS_OF + timedelta(hours=1)):
        for report in latest_at(reports, as_of).values():
            assert report.reported_at <= as_of


def test_a_report_after_as_of_is_refused() -> None:
    later = CapacityReport("L0", AS_OF + timedelta(seconds=1), (LevelReport(CareLevel.IC, 5, 1),))
    try:
        build_snapshot(
            as_of=AS_OF,
            regions=REGIONS,
            locations=[location("L0", "A")],
            latest={"L0": later},
            stale_after=timedelta(hours=1),
        )
    except ValueError as error:
        assert "after as_of" in str(error)
    else:
        raise AssertionError("a later report must not be aggregated")


def test_stale_and_missing_locations_and_abroad() -> None:
    fresh = CapacityReport("L0", AS_OF - timedelta(hours=1), (LevelReport(CareLevel.IC, 10, 4),))
    old = CapacityReport("L1", AS_OF - timedelta(hours=30), (LevelReport(CareLevel.IC, 10, 2),))
    abroad = CapacityReport(
        "DE", AS_OF - timedelta(hours=2), (LevelReport(CareLevel.IC, 0, 9, overflow=True),)
    )
    snapshot = build_snapshot(
        as_of=AS_OF,
        regions=REGIONS,
        locations=[
            location("L0", "A"),
            location("L1", "A"),
            location("L2", "B"),
            location("DE", "DE", LocationKind.ABROAD),
        ],
        latest={"L0": fresh, "L1": old, "DE": abroad},
        stale_after=timedelta(hours=26),
    )
    region_a = snapshot.region("A")
    assert region_a is not None
    assert region_a.level(CareLevel.IC).covid == 6  # the stale value still counts
    assert region_a.stale == ["L1"] and region_a.coverage == 0.5
    assert snapshot.region("B").missing == ["L2"]  # type: ignore[union-attr]
    assert snapshot.abroad_ic == 9
    assert snapshot.national.level(CareLevel.IC).covid == 6  # abroad is not Dutch capacity
