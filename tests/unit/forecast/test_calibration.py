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
