"""The method on synthetic series with known answers (issue: "Done when")."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kraan.domain.forecast import DEFAULT_PARAMS, forecast_at
from kraan.domain.forecast.admissions import fit_growth
from kraan.domain.forecast.los import fit_stay
from kraan.domain.forecast.occupancy import QUEUE, kraan_raw
from kraan.domain.forecast.quantiles import MEDIAN
from tests.unit.forecast.synthetic import boxcar_census, series

N_DAYS = 200


def test_constant_admissions_and_fixed_stay_give_admissions_times_stay() -> None:
    a = np.full(N_DAYS, 40.0)
    occ = boxcar_census(a, 10)
    assert occ[-1] == pytest.approx(400.0)
    raw = kraan_raw(a, occ, params=DEFAULT_PARAMS, rng=np.random.default_rng(1))
    assert raw.mode == QUEUE
    assert raw.occupancy[:, MEDIAN] == pytest.approx(np.full(14, 400.0), rel=0.03)
    assert raw.admissions[:, MEDIAN] == pytest.approx(np.full(14, 40.0), rel=0.1)
    assert raw.growth_rate == pytest.approx(0.0, abs=1e-3)


def test_the_calibrated_forecast_keeps_the_steady_state() -> None:
    a = np.full(N_DAYS, 40.0)
    result = forecast_at(series(a, boxcar_census(a, 10)), N_DAYS - 1, DEFAULT_PARAMS)
    assert result.occupancy[:, MEDIAN] == pytest.approx(np.full(14, 400.0), rel=0.03)


@pytest.mark.parametrize("mean_stay", [5.0, 12.0, 20.0])
def test_the_stay_distribution_is_recovered_from_the_two_series(mean_stay: float) -> None:
    rng = np.random.default_rng(3)
    a = rng.poisson(50.0 * np.exp(0.3 * np.sin(np.arange(N_DAYS) / 9.0))).astype(float)
    k = np.arange(120) + 0.5
    survival = np.exp(-k / mean_stay)  # exponential stay with the given mean
    occ = np.convolve(a, survival)[:N_DAYS]
    fit = fit_stay(a, occ, replace(DEFAULT_PARAMS, stay_max_lag=120, stay_window=90))
    assert fit.mean_days * fit.scale == pytest.approx(mean_stay, rel=0.1)
    assert fit.rmse < 0.02 * occ[-90:].mean()


@pytest.mark.parametrize("rate", [0.05, -0.04])
def test_exponential_growth_is_recovered(rate: float) -> None:
    t = np.arange(N_DAYS, dtype=float)
    weekday = np.array([1.1, 1.05, 1.0, 1.0, 0.95, 0.9, 1.0])  # reporting pattern
    a = 200.0 * np.exp(rate * (t - t[-1])) * weekday[np.arange(N_DAYS) % 7]
    fit = fit_growth(a, DEFAULT_PARAMS)
    assert fit is not None
    assert fit.rate == pytest.approx(rate, abs=0.004)


def test_growth_is_recovered_through_poisson_noise() -> None:
    rng = np.random.default_rng(11)
    t = np.arange(N_DAYS, dtype=float)
    a = rng.poisson(300.0 * np.exp(0.04 * (t - t[-1]))).astype(float)
    rates = [fit_growth(a[: n + 1], DEFAULT_PARAMS).rate for n in range(150, N_DAYS)]  # type: ignore[union-attr]
    assert np.mean(rates) == pytest.approx(0.04, abs=0.005)


@pytest.mark.parametrize(("days_after", "closer_than"), [(10, 0.3), (14, 0.15)])
def test_a_changepoint_takes_over_within_days(days_after: int, closer_than: float) -> None:
    old, new = 0.05, -0.04
    up = 100.0 * np.exp(old * np.arange(60))
    down = up[-1] * np.exp(new * np.arange(1, days_after + 1))
    fit = fit_growth(np.concatenate([up, down]), DEFAULT_PARAMS)
    assert fit is not None
    assert fit.rate < 0  # the sign has flipped
    # the share of the old regime left in the estimate shrinks with the half-life
    assert abs(fit.rate - new) < closer_than * abs(old - new)


def test_undamped_exponential_growth_carries_into_the_census() -> None:
    t = np.arange(N_DAYS, dtype=float)
    a = 30.0 * np.exp(0.03 * (t - 150.0))
    occ = boxcar_census(a, 8)
    params = replace(DEFAULT_PARAMS, damping=1.0, n_samples=4000)
    raw = kraan_raw(a[:150], occ[:150], params=params, rng=np.random.default_rng(5))
    truth = occ[150:164]
    assert raw.occupancy[:, MEDIAN] == pytest.approx(truth, rel=0.05)
    assert raw.growth_rate == pytest.approx(0.03, abs=0.003)


def test_without_admissions_the_census_trend_is_used() -> None:
    occ = 500.0 * np.exp(0.02 * np.arange(60))
    raw = kraan_raw(None, occ, params=DEFAULT_PARAMS, rng=np.random.default_rng(0))
    assert raw.mode == "occupancy-trend"
    assert raw.growth_rate == pytest.approx(0.02, abs=0.002)
    assert np.isnan(raw.admissions).all()
