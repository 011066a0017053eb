"""Vaccination schedule: known answers, the checks themselves, what-ifs, the 2021 comparison."""

from __future__ import annotations

import numpy as np
import pytest

from kraan.domain.care_at_home.vaccination import (
    Item,
    Schedule,
    ScheduleInput,
    Vaccine,
    differences,
    milestones,
    order_violations,
    stock_violations,
)
from kraan.domain.care_at_home.vaccination_greedy import solve_greedy
from kraan.domain.care_at_home.vaccination_lp import solve_lp
from kraan.domain.care_at_home.vaccination_order import (
    VaccinationDataError,
    apply_what_ifs,
    build_items,
)
from kraan.services.care_at_home import vaccination as service

WEEKS = ("2021-W01", "2021-W02", "2021-W03", "2021-W04")
ONE = Vaccine("one", "one dose", 1, 0, 18, 120)
TWO = Vaccine("two", "two doses", 2, 2, 18, 120)
OLD = Item("old", "old", "old", 1, 80, 105, 150.0, 1.0)
YOUNG = Item("young", "young", "young", 2, 18, 59, 100.0, 1.0)


def _input(vaccine: Vaccine, deliveries: tuple[float, ...]) -> ScheduleInput:
    return ScheduleInput(WEEKS, (vaccine,), {vaccine.code: deliveries}, (1e12,) * 4, (OLD, YOUNG))


def test_greedy_known_answer_one_dose() -> None:
    schedule = solve_greedy(_input(ONE, (100, 100, 100, 0)))
    assert schedule.first[:, 0, :].tolist() == [[100, 50, 0, 0], [0, 50, 50, 0]]
    rows = {r["item"]: r for r in milestones(schedule)}
    assert rows["old"]["first_dose_done"] == "2021-W02"
    assert rows["young"]["first_dose_start"] == "2021-W02"
    assert rows["young"]["invitation_week"] == "2021-W01"


def test_lp_counts_on_future_deliveries_and_greedy_holds_back() -> None:
    inp = _input(TWO, (100, 0, 100, 100))
    greedy, lp = solve_greedy(inp), solve_lp(inp)
    assert greedy.first.sum(axis=(0, 1))[0] == 50  # half held back for the second dose
    assert lp.first.sum(axis=(0, 1))[0] == pytest.approx(100)  # week 3 brings the second doses
    assert order_violations(lp) == [] and stock_violations(lp) == []
    assert differences(greedy, lp)


def test_checks_catch_a_broken_order_and_overuse() -> None:
    inp = _input(ONE, (100, 0, 0, 0))
    first = np.zeros((2, 1, 4))
    first[1, 0, 0] = 100  # young before old
    bad = Schedule("hand", "done", inp, first)
    assert order_violations(bad)
    first[0, 0, 1] = 100  # and more than delivered
    assert any("beyond deliveries" in p for p in stock_violations(bad))


def test_vaccine_the_higher_item_may_not_have_goes_to_the_lower() -> None:
    young_only = Vaccine("vec", "vector", 1, 0, 18, 64)
    inp = ScheduleInput(
        WEEKS, (ONE, young_only), {"one": (0, 0, 0, 0), "vec": (100, 0, 0, 0)},
        (1e12,) * 4, (OLD, YOUNG),
    )  # fmt: skip
    for schedule in (solve_greedy(inp), solve_lp(inp)):
        assert schedule.first[1, 1, 0] == pytest.approx(100)
        assert order_violations(schedule) == []


def test_what_ifs() -> None:
    inp = _input(ONE, (100, 100, 100, 0))
    delayed = apply_what_ifs(inp, [{"kind": "delay", "vaccine": "one", "weeks": 2}])
    assert delayed.deliveries["one"] == (0, 0, 100, 100)  # the week-3 delivery falls outside
    cut = apply_what_ifs(
        inp, [{"kind": "cut", "vaccine": "one", "percent": 50, "from_week": "2021-W02"}]
    )
    assert cut.deliveries["one"] == (100, 50, 50, 0)
    restricted = apply_what_ifs(
        inp, [{"kind": "restrict", "vaccine": "one", "min_age": 18, "max_age": 64}]
    )
    assert restricted.eligible().tolist() == [[False], [True]]
    with pytest.raises(VaccinationDataError) as error:
        apply_what_ifs(inp, [{"kind": "cut", "vaccine": "nope", "percent": 10}])
    assert error.value.problems[0][0] == "what_ifs[0].vaccine"


def test_group_sizes_add_up_to_the_adult_population() -> None:
    population = service.population_by_age()
    assert sum(population.values()) == 17_407_585  # CBS 1 Jan 2020
    items = build_items(service.priority_data(), population)
    adults = sum(n for age, n in population.items() if age >= 18)
    assert sum(it.size for it in items) == pytest.approx(adults, rel=1e-9)
    assert [it.rank for it in items] == list(range(1, len(items) + 1))
    assert items[0].group == "hospital_covid"


def test_parse_deliveries_reports_each_bad_line() -> None:
    weeks, series = service.parse_deliveries(
        "week,vaccine,doses\n2021-W01,pfizer,10\n2021-W03,moderna,5\n"
    )
    assert weeks == ("2021-W01", "2021-W02", "2021-W03")
    assert series["pfizer"] == (10, 0, 0) and series["moderna"] == (0, 0, 5)
    with pytest.raises(VaccinationDataError) as error:
        service.parse_deliveries(
            "week,vaccine,doses\n2021-5,pfizer,1\n2021-W02,x,1\n2021-W02,pfizer,-1\n"
        )
    fields = [name for name, _ in error.value.problems]
    assert fields == ["line 2.week", "line 3.vaccine", "line 4.doses"]


def test_2021_first_doses_of_the_over_60s_within_a_few_weeks_of_the_real_programme() -> None:
    comparison = service.compare_2021()
    for row in comparison["cohorts"]:
        for method in ("lp", "greedy"):
            assert row[f"{method}_delta_weeks"] is not None, row
            assert abs(row[f"{method}_delta_weeks"]) <= 4, row
    lp = [abs(r["lp_delta_weeks"]) for r in comparison["cohorts"]]
    assert sum(lp) / len(lp) <= 2.0
