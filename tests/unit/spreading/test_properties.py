"""Property tests: on random snapshots no plan ever breaks a constraint (issue, "Done when").

Capacity, transport, no send-and-receive on one day, stable share, minimum batch, and
patients conserved, for the MIP, the LP-and-repair method and the greedy policy.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kraan.domain.spreading.greedy import greedy_plan
from kraan.domain.spreading.model import Area, Level, SpreadSettings
from kraan.domain.spreading.solve import solve_plan
from tests.unit.spreading.checks import violations


@st.composite
def areas_strategy(draw: st.DrawFn) -> list[Area]:
    count = draw(st.integers(2, 6))
    areas = []
    for i in range(count):
        capacity = draw(st.integers(0, 80))
        non_covid = draw(st.integers(0, capacity))
        covid = draw(st.integers(0, capacity + 15))  # may already overflow
        forecast = tuple(draw(st.lists(st.floats(0, 100, allow_nan=False), min_size=0, max_size=5)))
        areas.append(
            Area(
                code=f"A{i}",
                capacity=capacity,
                covid_occupied=covid,
                non_covid_occupied=non_covid,
                forecast=forecast,
                lat=draw(st.floats(50.7, 53.5)),
                lon=draw(st.floats(3.3, 7.2)),
                population=draw(st.integers(0, 3_000_000)),
                acute_inflow=draw(st.floats(0, 10)),
                group=draw(st.sampled_from(["G1", "G2"])),
            )
        )
    if draw(st.booleans()):
        areas.append(
            Area("DE", draw(st.integers(0, 20)), draw(st.integers(0, 5)), lat=51.2, lon=6.8,
                 is_last_resort=True, cost_weight=draw(st.floats(1, 3)), group="G1")
        )  # fmt: skip
    return areas


settings_strategy = st.builds(
    SpreadSettings,
    level=st.sampled_from(list(Level)),
    care_level=st.sampled_from(["ic", "ward"]),
    horizon_days=st.integers(1, 4),
    basis=st.sampled_from(["staffed", "scale_up", "population"]),
    spread_measure=st.sampled_from(["sad", "maxmin"]),
    transport_micu=st.integers(0, 12),
    transport_ambulance_plus=st.integers(0, 4),
    transport_ambulance=st.integers(0, 12),
    stable_share=st.floats(0, 1),
    hfno_share=st.floats(0, 1),
    min_batch=st.integers(1, 3),
    reserve_days=st.floats(0, 2),
    reserve_share=st.floats(0, 0.2),
    enforce_no_send_and_receive=st.booleans(),
    enforce_receiving_capacity=st.booleans(),
    enforce_transport_capacity=st.booleans(),
    weight_transfer=st.sampled_from([0.0, 1.0]),
    max_neighbours=st.sampled_from([None, 1, 2]),
    time_limit_seconds=st.just(5.0),
)

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(areas=areas_strategy(), spread=settings_strategy)
def test_mip_plans_keep_every_constraint(areas: list[Area], spread: SpreadSettings) -> None:
    plan = solve_plan(areas, spread)
    assert violations(areas, spread, plan) == []


@PROPERTY
@given(areas=areas_strategy(), spread=settings_strategy)
def test_lp_round_plans_keep_every_constraint(areas: list[Area], spread: SpreadSettings) -> None:
    fast = SpreadSettings(**{**_as_dict(spread), "method": "lp_round"})
    plan = solve_plan(areas, fast)
    assert violations(areas, fast, plan) == []


@PROPERTY
@given(areas=areas_strategy(), spread=settings_strategy)
def test_greedy_plans_keep_every_constraint(areas: list[Area], spread: SpreadSettings) -> None:
    plan = greedy_plan(areas, spread)
    assert violations(areas, spread, plan) == []
    assert all(t.day == 0 for t in plan.transfers)


@settings(max_examples=30, deadline=None)
@given(areas=areas_strategy(), spread=settings_strategy)
def test_the_optimiser_never_makes_the_objective_worse_than_doing_nothing(
    areas: list[Area], spread: SpreadSettings
) -> None:
    from kraan.domain.spreading.repair import plan_cost
    from kraan.domain.spreading.solve import build_model

    plan = solve_plan(areas, spread)
    ctx = build_model(areas, spread)
    import numpy as np

    nothing = plan_cost(areas, spread, ctx.base, ctx.arcs, np.zeros(ctx.x.shape))
    assert plan.objective <= nothing + 1e-6 * max(1.0, abs(nothing))


def _as_dict(spread: SpreadSettings) -> dict[str, object]:
    from dataclasses import fields

    return {f.name: getattr(spread, f.name) for f in fields(spread)}
