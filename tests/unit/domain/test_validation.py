from datetime import datetime, timedelta

import pytest

from kraan.domain.model import CapacityReport, CareLevel, LevelReport
from kraan.domain.validation import ValidationRules, jump_warning, validate_report

NOW = datetime(2020, 12, 21, 9, 0)
# The DIVI limits as Settings give them (data/public_figures.json).
RULES = ValidationRules(max_beds=999, max_admissions=999, correction_window=timedelta(days=14))


def report(**level_fields: int | bool) -> CapacityReport:
    fields = {"staffed_beds": 20, "covid_occupied": 5, "non_covid_occupied": 10, **level_fields}
    return CapacityReport("H1", NOW - timedelta(hours=1), (LevelReport(CareLevel.IC, **fields),))


def check(r: CapacityReport, **kwargs):  # type: ignore[no-untyped-def]
    return validate_report(r, known_locations={"H1"}, now=NOW, rules=RULES, **kwargs)


def fields(verdict) -> set[str]:  # type: ignore[no-untyped-def]
    return {issue.field for issue in verdict.errors}


def test_a_sound_report_passes() -> None:
    verdict = check(report())
    assert verdict.ok and not verdict.warnings


def test_occupied_above_staffed_is_an_error_unless_overflow() -> None:
    assert fields(check(report(covid_occupied=15))) == {"levels[0].staffed_beds"}
    flagged = check(report(covid_occupied=15, overflow=True))
    assert flagged.ok
    assert [w.field for w in flagged.warnings] == ["levels[0].staffed_beds"]


@pytest.mark.parametrize("name", ["staffed_beds", "covid_occupied", "non_covid_occupied"])
def test_counts_out_of_range(name: str) -> None:
    assert f"levels[0].{name}" in fields(check(report(**{name: -1}))) | fields(
        check(report(**{name: 1000}))
    )


def test_future_and_ancient_moments_are_rejected() -> None:
    future = CapacityReport("H1", NOW + timedelta(minutes=6), report().levels)
    assert fields(check(future)) == {"reported_at"}
    skew = CapacityReport("H1", NOW + timedelta(minutes=4), report().levels)
    assert check(skew).ok
    ancient = CapacityReport("H1", datetime(2019, 12, 31), report().levels)
    assert fields(check(ancient)) == {"reported_at"}


def test_unknown_location() -> None:
    stranger = CapacityReport("XX", NOW, report().levels)
    assert fields(check(stranger)) == {"location_code"}


def test_corrections_only_within_the_window() -> None:
    old = CapacityReport("H1", NOW - timedelta(days=15), report().levels)
    assert fields(check(old, is_correction=True)) == {"reported_at"}
    assert check(old).ok  # a first report of an old moment (history load) is fine


def test_duplicate_levels_are_rejected() -> None:
    level = report().levels[0]
    twice = CapacityReport("H1", NOW, (level, level))
    assert "levels[1].care_level" in fields(check(twice))


@pytest.mark.parametrize(
    ("previous", "current", "warns"),
    [
        (5, 12, False),
        (5, 13, True),
        (0, 8, True),
        (15, 30, False),
        (15, 31, True),
        (15, 3, True),
        (15, 4, False),
        (40, 20, False),
        (40, 19, True),
        (40, 81, True),
    ],
)
def test_divi_jump_rules(previous: int, current: int, warns: bool) -> None:
    assert (jump_warning(previous, current) is not None) is warns


def test_jump_gives_a_warning_not_an_error() -> None:
    before = report(covid_occupied=2)
    verdict = check(report(covid_occupied=14, non_covid_occupied=0), previous=before)
    assert verdict.ok
    assert "levels[0].covid_occupied" in {w.field for w in verdict.warnings}
