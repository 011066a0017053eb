"""The replay: no coordination reproduces the data; transfers move load between regions."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kraan.domain.spreading.greedy import greedy_plan
from kraan.domain.spreading.model import Area, SpreadSettings
from kraan.domain.spreading.replay import RegionSeries, discharge_rates, replay
from kraan.domain.spreading.solve import solve_plan


def series(days: int = 10) -> RegionSeries:
    t = np.arange(days, dtype=float)
    covid = np.vstack([30 + 2 * t, 10 + 0 * t, 12 + 0.5 * t])
    return RegionSeries(
        codes=("R1", "R2", "R3"),
        lat=np.array([52.0, 52.5, 51.5]),
        lon=np.array([5.0, 6.0, 4.5]),
        population=np.array([1e6, 1e6, 1e6]),
        covid=covid,
        non_covid=np.full((3, days), 10.0),
        staffed=np.full((3, days), 60.0),
        admissions=np.vstack([np.full(days, 4.0), np.full(days, 1.0), np.full(days, 2.0)]),
    )


def test_discharge_rates_come_from_the_data() -> None:
    rates = discharge_rates(series())
    # R2: flat at 10 with 1 admission a day -> 1 discharge / 10 patients
    assert rates[1] == pytest.approx(0.1)
    assert np.all((rates >= 0.01) & (rates <= 0.5))


def test_no_coordination_reproduces_the_data() -> None:
    result = replay(series(), None, SpreadSettings(), name="a")
    assert result.transfers == 0 and result.patient_km == 0
    assert result.overflow_bed_days == 0


@pytest.mark.parametrize("policy", [greedy_plan, solve_plan])
def test_policies_reduce_the_spread(policy) -> None:  # type: ignore[no-untyped-def]
    spread = SpreadSettings(horizon_days=3, method="lp_round")
    none = replay(series(), None, spread, name="a")
    moved = replay(series(), policy, spread, name="b")
    assert moved.transfers > 0 and moved.patient_km > 0
    assert moved.mean_abs_deviation < none.mean_abs_deviation


def test_germany_in_the_replay_is_used_when_regions_overflow() -> None:
    crowded = replace(series(), staffed=np.full((3, 10), 30.0))
    germany = Area("DE", 30, 0, lat=51.2, lon=6.8, is_last_resort=True)
    result = replay(crowded, solve_plan, SpreadSettings(horizon_days=2, method="lp_round"),
                    name="c", last_resort=germany)  # fmt: skip
    assert result.last_resort_patients > 0
