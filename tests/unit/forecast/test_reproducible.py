"""Same seed, same output; the backtest equals the live forecast; no look-ahead."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kraan.domain.forecast import DEFAULT_PARAMS, forecast_at, run_backtest
from kraan.domain.forecast.history import visible_at
from kraan.domain.forecast.quantiles import MEDIAN
from kraan.domain.forecast.target import TargetSeries
from tests.unit.forecast.synthetic import boxcar_census, series

PARAMS = replace(DEFAULT_PARAMS, n_samples=300, calibration_window=30, calibration_min=10)


def _wave(seed: int = 0, n: int = 140) -> TargetSeries:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    a = rng.poisson(60 * np.exp(0.8 * np.sin(t / 25.0))).astype(float)
    return series(a, boxcar_census(a, 9))


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    s = _wave()
    one = run_backtest(s, 100, 130, PARAMS)
    two = run_backtest(s, 100, 130, PARAMS)
    for name in one.forecasts:
        assert np.array_equal(one.forecasts[name], two.forecasts[name])
    other = run_backtest(s, 100, 130, replace(PARAMS, seed=7))
    assert not np.array_equal(one.forecasts["kraan"], other.forecasts["kraan"])


def test_the_backtest_forecast_is_the_live_forecast() -> None:
    s = _wave()
    run = run_backtest(s, 100, 120, PARAMS, methods=("kraan",))
    live = forecast_at(s, 112, PARAMS)
    assert np.array_equal(run.forecasts["kraan"][12], live.occupancy)


@settings(max_examples=8, deadline=None)
@given(origin=st.integers(min_value=60, max_value=125), junk=st.floats(0.0, 5000.0))
def test_data_after_the_origin_changes_nothing(origin: int, junk: float) -> None:
    s = _wave(1)
    tampered = TargetSeries(
        occupancy=np.concatenate([s.occupancy[: origin + 1], np.full(139 - origin, junk)]),
        admissions=np.concatenate([s.admissions[: origin + 1], np.full(139 - origin, junk)]),  # type: ignore[index]
        imputed=s.imputed,
        level=s.level,
        day0=s.day0,
    )
    a = forecast_at(s, origin, PARAMS)
    b = forecast_at(tampered, origin, PARAMS)
    assert np.array_equal(a.occupancy, b.occupancy)


def test_imputed_days_at_the_origin_are_carried_forward_not_interpolated() -> None:
    values = np.array([10.0, 11.0, 12.0, 13.0, 14.0])
    imputed = np.array([False, False, True, True, False])
    assert visible_at(values, imputed, 3).tolist() == [10.0, 11.0, 11.0, 11.0]
    assert visible_at(values, imputed, 4).tolist() == values.tolist()


def test_imputed_truth_is_not_scored() -> None:
    s = _wave()
    flags = np.zeros(len(s), dtype=bool)
    flags[115] = True
    flagged = TargetSeries(s.occupancy, s.admissions, flags, s.level, s.day0)
    run = run_backtest(flagged, 100, 120, PARAMS, methods=("persistence",))
    assert np.isnan(run.truth[14, 0])  # origin 114, one day ahead = day 115
    assert run.scores([1])["persistence"][1].n == 20  # 21 origins, one truth is imputed


def test_capacity_answers() -> None:
    t = np.arange(120, dtype=float)
    a = 40.0 * np.exp(0.04 * (t - 119))
    s = series(a, boxcar_census(a, 10))
    capacity = float(s.occupancy[-1]) * 1.15
    res = forecast_at(s, 119, PARAMS, capacity=capacity)
    assert res.exceed_probability is not None
    assert res.exceed_probability[0] < 0.05 < res.exceed_probability[-1]
    assert res.upper90_crossing is not None
    if res.median_crossing is not None:
        assert res.upper90_crossing <= res.median_crossing
        assert res.occupancy[res.median_crossing - 1, MEDIAN] > capacity
    far = forecast_at(s, 119, PARAMS, capacity=1e6)
    assert far.median_crossing is None and far.upper90_crossing is None
    assert far.exceed_probability == pytest.approx(np.zeros(14))


def test_bad_series_are_refused() -> None:
    s = _wave()
    with pytest.raises(ValueError, match="origin"):
        forecast_at(s, 5, PARAMS)
    with pytest.raises(ValueError, match="level"):
        TargetSeries(s.occupancy, s.admissions, s.imputed, "icu", 0)


def test_a_day_without_census_is_an_unscored_gap() -> None:
    s = _wave()
    occupancy = s.occupancy.copy()
    occupancy[110] = np.nan
    holed = TargetSeries(occupancy, s.admissions, s.imputed, s.level, s.day0)
    run = run_backtest(holed, 100, 120, PARAMS)
    assert np.isnan(run.forecasts["kraan"][10]).all()
    assert np.isfinite(run.forecasts["kraan"][11]).all()
    assert np.array_equal(run.forecasts["kraan"][15], forecast_at(holed, 115, PARAMS).occupancy)


@pytest.mark.parametrize("capacity", [50.0, 500.0, 900.0])
def test_kept_paths_answer_any_capacity_like_a_fresh_run(capacity: float) -> None:
    """The live service caches one run and asks it other capacities later."""
    from kraan.domain.forecast import with_capacity

    s = _wave()
    kept = forecast_at(s, 112, PARAMS, keep_paths=True)
    assert kept.paths is not None and kept.paths.shape == (PARAMS.n_samples, PARAMS.horizon)
    fresh = forecast_at(s, 112, PARAMS, capacity=capacity)
    asked = with_capacity(kept, capacity)
    assert np.array_equal(asked.occupancy, fresh.occupancy)
    assert np.array_equal(asked.exceed_probability, fresh.exceed_probability)  # type: ignore[arg-type]
    assert (asked.median_crossing, asked.upper90_crossing) == (
        fresh.median_crossing,
        fresh.upper90_crossing,
    )
    assert fresh.paths is None  # paths are kept only on request
    with pytest.raises(ValueError, match="kept no paths"):
        with_capacity(fresh, capacity)
