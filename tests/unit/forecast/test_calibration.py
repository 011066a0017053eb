"""Conformal widening: too-narrow intervals reach their coverage; no look-ahead."""

from __future__ import annotations

import numpy as np
import pytest

from kraan.domain.forecast.calibration import (
    Calibration,
    apply_calibration,
    apply_to_samples,
    conformal_quantile,
    fit_calibration,
    weighted_conformal_quantile,
)
from kraan.domain.forecast.quantiles import INTERVALS, MEDIAN, sample_quantiles
from kraan.domain.forecast.scoring import covered
from kraan.domain.forecast.target import known_by, truth_matrix


def _narrow_forecasts(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw quantiles of a lognormal with sd 0.02 while the truth has sd 0.1 (log scale)."""
    z = np.array([-1.96, -1.645, -1.28, -0.674, 0.0, 0.674, 1.28, 1.645, 1.96])
    raw = np.broadcast_to(np.exp(np.log(1000.0) + 0.02 * z), (m, 3, 9)).copy()
    truth = np.exp(np.log(1000.0) + 0.1 * rng.standard_normal((m, 3)))
    return raw, truth


def test_narrow_intervals_are_widened_to_nominal_coverage() -> None:
    rng = np.random.default_rng(0)
    raw, truth = _narrow_forecasts(rng, 400)
    cal = fit_calibration(raw, truth, minimum=20, bias=False)
    assert (cal.widen > 0).all()
    fresh_raw, fresh_truth = _narrow_forecasts(rng, 4000)
    q = apply_calibration(fresh_raw[0], cal)
    for coverage in INTERVALS:
        share = covered(np.broadcast_to(q, (4000, 3, 9)), fresh_truth, coverage).mean()
        assert share == pytest.approx(coverage, abs=0.03)
    assert covered(np.broadcast_to(fresh_raw[0], (4000, 3, 9)), fresh_truth, 0.9).mean() < 0.3


def test_too_few_past_errors_leave_the_raw_intervals() -> None:
    raw, truth = _narrow_forecasts(np.random.default_rng(1), 10)
    cal = fit_calibration(raw, truth, minimum=20, bias=False)
    assert apply_calibration(raw[0], cal) == pytest.approx(raw[0], rel=1e-12)


def test_conformal_quantile_uses_the_finite_sample_rank() -> None:
    scores = np.arange(1.0, 10.0)[:, None]  # 9 scores
    assert conformal_quantile(scores, 0.5)[0] == 5.0  # ceil(10 * 0.5) = 5th
    assert conformal_quantile(scores, 0.95)[0] == 9.0
    assert np.isnan(conformal_quantile(np.full((3, 1), np.nan), 0.9)[0])


def test_samples_and_quantiles_follow_the_same_map() -> None:
    rng = np.random.default_rng(2)
    samples = rng.lognormal(np.log(500.0), 0.05, size=(20000, 2))
    raw = sample_quantiles(samples)
    cal = Calibration(np.zeros(2), np.full((2, 4), 0.1), np.full(2, 50.0))
    mapped = sample_quantiles(apply_to_samples(samples, raw, cal))
    assert mapped == pytest.approx(apply_calibration(raw, cal), rel=0.01)
    assert mapped[:, MEDIAN] == pytest.approx(raw[:, MEDIAN], rel=1e-3)


def test_only_outcomes_seen_by_the_origin_count() -> None:
    values = np.arange(30, dtype=float)
    past = np.array([10, 15, 18], dtype=np.int64)
    seen = known_by(truth_matrix(values, past, 5), past, origin=20)
    # origin 10 -> days 11..15 all seen; 15 -> 16..20; 18 -> 19, 20 only
    assert np.isfinite(seen[0]).all() and np.isfinite(seen[1]).all()
    assert np.isfinite(seen[2]).tolist() == [True, True, False, False, False]


def test_weighted_conformal_quantile_with_equal_weights_is_the_plain_one() -> None:
    rng = np.random.default_rng(11)
    scores = rng.normal(size=(57, 14))
    scores[rng.random(scores.shape) < 0.2] = np.nan
    for coverage in (0.5, 0.8, 0.9, 0.95):
        np.testing.assert_array_equal(
            weighted_conformal_quantile(scores, np.ones(57), coverage),
            conformal_quantile(scores, coverage),
        )


def test_recent_errors_weigh_more_so_the_band_follows_a_new_regime() -> None:
    """56 old forecasts were good, the 4 latest missed by far: with a half-life the band
    widens to the recent misses; with equal weights (4 misses in 60) it stays calm."""
    h, q = 1, 9
    raw = np.tile(np.array([80, 85, 90, 95, 100, 105, 110, 115, 120.0]), (60, h, 1))
    truth = np.full((60, h), 100.0)
    truth[-4:] = 300.0  # the new regime
    ages = np.arange(60, 0, -1).astype(np.float64)  # the last row is the newest
    plain = fit_calibration(raw, truth, minimum=20, bias=False)
    weighted = fit_calibration(raw, truth, minimum=20, bias=False, ages=ages, half_life=5.0)
    col = list(INTERVALS).index(0.9)
    assert weighted.widen[0, col] > 0.9  # log1p(300) - log1p(115): about 0.96
    assert plain.widen[0, col] < weighted.widen[0, col] / 2
    assert raw.shape == (60, h, q)
