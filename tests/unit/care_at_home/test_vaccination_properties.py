"""Property tests (bounded, derandomised): neither schedule breaks the order or the deliveries."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kraan.domain.care_at_home.vaccination import (
    Item,
    ScheduleInput,
    Vaccine,
    order_violations,
    stock_violations,
)
from kraan.domain.care_at_home.vaccination_greedy import solve_greedy
from kraan.domain.care_at_home.vaccination_lp import solve_lp

AGES = [(18, 64), (60, 64), (65, 69), (70, 105), (18, 59), (80, 105)]


@st.composite
def inputs(draw: st.DrawFn) -> ScheduleInput:
    n_w = draw(st.integers(3, 9))
    vaccines = []
    for k in range(draw(st.integers(1, 3))):
        doses = draw(st.sampled_from([1, 2]))
        low, high = draw(st.sampled_from([(18, 120), (18, 64), (60, 120), (18, 59)]))
        vaccines.append(
            Vaccine(
                f"v{k}", f"v{k}", doses, draw(st.integers(1, 4)) if doses == 2 else 0, low, high
            )
        )
    items = []
    for i in range(draw(st.integers(1, 6))):
        low, high = draw(st.sampled_from(AGES))
        items.append(
            Item(f"i{i}", f"g{i}", f"item {i}", i + 1, low, high,
                 float(draw(st.integers(0, 5000))), draw(st.sampled_from([0.5, 0.8, 1.0])))
        )  # fmt: skip
    deliveries = {
        v.code: tuple(float(draw(st.integers(0, 3000))) for _ in range(n_w)) for v in vaccines
    }
    unlimited = draw(st.booleans())
    capacity = tuple(1e12 if unlimited else float(draw(st.integers(0, 4000))) for _ in range(n_w))
    weeks = tuple(f"2021-W{w + 1:02d}" for w in range(n_w))
    return ScheduleInput(weeks, tuple(vaccines), deliveries, capacity, tuple(items))


@settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(inputs())
def test_lp_never_breaks_the_order_or_the_deliveries(inp: ScheduleInput) -> None:
    schedule = solve_lp(inp)
    assert schedule.status == "optimal"
    assert order_violations(schedule) == []
    assert stock_violations(schedule) == []


@settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(inputs())
def test_greedy_never_breaks_the_order_or_the_deliveries(inp: ScheduleInput) -> None:
    schedule = solve_greedy(inp)
    assert order_violations(schedule) == []
    assert stock_violations(schedule) == []
