"""WIS (Bracher et al. 2021), interval coverage, MAE and MAPE on hand-checked values."""

from __future__ import annotations

import numpy as np
import pytest

from kraan.domain.forecast.quantiles import QUANTILE_LEVELS, point_quantiles
from kraan.domain.forecast.scoring import (
    covered,
    interval_score,
    summarise,
    weighted_interval_score,
)


def test_interval_score_penalises_misses_by_two_over_alpha() -> None:
    assert interval_score(np.array(10.0), np.array(20.0), np.array(15.0), 0.1) == 10.0
    assert interval_score(np.array(10.0), np.array(20.0), np.array(25.0), 0.1) == 10.0 + 20 * 5


def test_wis_of_a_point_forecast_is_the_absolute_error() -> None:
    q = point_quantiles(np.array([100.0]))
    assert weighted_interval_score(q, np.array([130.0]))[0] == pytest.approx(30.0)


def test_wis_by_hand() -> None:
    q = np.array([[80.0, 85, 90, 95, 100, 105, 110, 115, 120]])
    y = np.array([112.0])
    # intervals 95: [80,120] in; 90: [85,115] in; 80: [90,110] miss by 2; 50: [95,105] by 7
    parts = 0.5 * 12
    parts += 0.025 * 40 + 0.05 * 30 + 0.1 * (20 + 2 / 0.2 * 2) + 0.25 * (10 + 2 / 0.5 * 7)
    assert weighted_interval_score(q, y)[0] == pytest.approx(parts / 4.5)


def test_coverage_includes_the_bounds() -> None:
    q = np.tile(np.arange(9, dtype=float), (3, 1))
    y = np.array([1.0, 7.0, 8.0])  # 90 % interval is [1, 7]
    assert covered(q, y, 0.9).tolist() == [1.0, 1.0, 0.0]
    assert covered(q, y, 0.5).tolist() == [0.0, 0.0, 0.0]


def test_summary_skips_unknown_truth_and_zero_for_mape() -> None:
    q = np.vstack([point_quantiles(np.array([10.0])), point_quantiles(np.array([5.0]))])
    q = np.vstack([q, point_quantiles(np.array([3.0]))])
    y = np.array([12.0, 0.0, np.nan])
    s = summarise(q, y)
    assert s.n == 2
    assert s.mae == pytest.approx((2 + 5) / 2)
    assert s.mape == pytest.approx(100 * 2 / 12)
    assert s.as_dict()["n"] == 2
    assert len(QUANTILE_LEVELS) == q.shape[1]
