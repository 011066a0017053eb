"""The optimiser's behaviour on small cases one can check by hand."""

from __future__ import annotations

import pytest

from kraan.domain.spreading.builders import BUILDERS
from kraan.domain.spreading.model import Area, SpreadSettings
from kraan.domain.spreading.solve import SpreadInputError, build_model, solve_plan
from tests.unit.spreading.checks import violations

FULL = Area("FULL", 40, 36, 0, lat=52.0, lon=5.0)
EMPTY = Area("EMPTY", 40, 4, 0, lat=52.1, lon=5.1)


def test_the_loaded_area_sends_to_the_empty_one_until_loads_meet() -> None:
    plan = solve_plan([FULL, EMPTY], SpreadSettings(horizon_days=2))
    assert plan.status == "optimal"
    assert {(t.source, t.target) for t in plan.transfers} == {("FULL", "EMPTY")}
    after = plan.occupancy_after[:, -1]
    assert abs(after[0] - after[1]) <= 2.0  # within the MIP gap of 50 (5 patient-days)
    assert violations([FULL, EMPTY], SpreadSettings(horizon_days=2), plan) == []


def test_transport_capacity_and_stable_share_limit_a_day() -> None:
    spread = SpreadSettings(horizon_days=1, transport_micu=3)
    plan = solve_plan([FULL, EMPTY], spread)
    assert plan.patients_moved == 3
    stable = SpreadSettings(horizon_days=1, stable_share=0.1)
    assert solve_plan([FULL, EMPTY], stable).patients_moved == 3  # 10 % of 36, whole patients


def test_germany_only_takes_patients_when_overflow_cannot_be_avoided_at_home() -> None:
    germany = Area("DE", 10, 0, lat=51.2, lon=6.8, is_last_resort=True)
    calm = solve_plan([FULL, EMPTY, germany], SpreadSettings(horizon_days=2))
    assert all(t.target != "DE" for t in calm.transfers)
    crowded = [Area("X", 20, 26, 0, lat=52.0, lon=5.0), Area("Y", 20, 20, 0, lat=52.1, lon=5.1)]
    plan = solve_plan([*crowded, germany], SpreadSettings(horizon_days=2))
    assert sum(t.patients for t in plan.transfers if t.target == "DE") >= 5
    assert plan.occupancy_after[:2, -1].max() <= 20


def test_receiving_capacity_respects_the_forecast_of_the_receiver() -> None:
    filling = Area("FILLING", 40, 4, 0, forecast=(20.0, 39.0), lat=52.1, lon=5.1)
    spread = SpreadSettings(horizon_days=3, reserve_days=0)
    plan = solve_plan([FULL, filling], spread)
    received = sum(t.patients for t in plan.transfers if t.target == "FILLING")
    assert received <= 1  # it will have only 1 bed free on day 2 by its own patients
    assert violations([FULL, filling], spread, plan) == []


def test_min_batch_and_no_send_and_receive() -> None:
    areas = [FULL, EMPTY, Area("MID", 40, 20, 0, lat=52.2, lon=5.2)]
    spread = SpreadSettings(horizon_days=3, min_batch=4)
    plan = solve_plan(areas, spread)
    assert all(t.patients >= 4 for t in plan.transfers)
    assert violations(areas, spread, plan) == []


def test_every_builder_is_switched_by_an_option() -> None:
    names = [builder.__name__ for builder, _ in BUILDERS]
    assert names[0] == "add_flow_balance"
    assert all(n.startswith(("enforce_", "add_")) for n in names)
    lean = SpreadSettings(
        enforce_receiving_capacity=False,
        enforce_transport_capacity=False,
        enforce_stable_share=False,
        enforce_min_batch=False,
        enforce_no_send_and_receive=False,
        weight_transfer=0,
    )
    small = build_model([FULL, EMPTY], lean).model
    full = build_model([FULL, EMPTY], SpreadSettings(min_batch=2)).model
    assert small.num_row < full.num_row and small.num_col < full.num_col


def test_lp_round_is_a_valid_plan_too() -> None:
    spread = SpreadSettings(method="lp_round", horizon_days=3)
    plan = solve_plan([FULL, EMPTY], spread)
    assert plan.patients_moved > 0
    assert violations([FULL, EMPTY], spread, plan) == []


def test_bad_input_names_the_field() -> None:
    with pytest.raises(SpreadInputError) as error:
        solve_plan([Area("A", -1, 0), Area("A", 1, 0)], SpreadSettings(stable_share=2))
    fields = {name for name, _ in error.value.problems}
    assert {"areas[0].capacity", "areas[1].code", "stable_share"} <= fields
