"""Baselines as their sources define them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kraan.domain.forecast import DEFAULT_PARAMS
from kraan.domain.forecast.baselines import linear_trend, persistence, student_t_quantiles
from kraan.domain.forecast.quantiles import MEDIAN, QUANTILE_LEVELS
from kraan.domain.forecast.sir import chime_sir
from tests.unit.forecast.synthetic import boxcar_census


def test_persistence_median_is_the_last_value_and_spread_grows() -> None:
    rng = np.random.default_rng(0)
    occ = 300 + np.cumsum(rng.normal(0, 5, 120))
    q = persistence(occ, DEFAULT_PARAMS, np.random.default_rng(1))
    assert q[:, MEDIAN] == pytest.approx(np.full(14, occ[-1]))
    width = q[:, -1] - q[:, 0]
    assert width[13] > width[6] > width[0] > 0


def test_linear_trend_extends_a_line_and_has_t_intervals() -> None:
    line = 100.0 + 3.0 * np.arange(30)
    q = linear_trend(line, DEFAULT_PARAMS)
    assert q[:, MEDIAN] == pytest.approx(line[-1] + 3.0 * np.arange(1, 15))
    assert q[:, 0] == pytest.approx(q[:, -1])  # no residuals, no spread


def test_student_t_quantiles_match_tables() -> None:
    t = student_t_quantiles(10)
    assert t[list(QUANTILE_LEVELS).index(0.975)] == pytest.approx(2.228, abs=0.01)
    assert t[list(QUANTILE_LEVELS).index(0.95)] == pytest.approx(1.812, abs=0.01)


def test_chime_census_with_flat_admissions_is_admissions_times_stay() -> None:
    a = np.full(80, 25.0)
    occ = boxcar_census(a, 9)
    q = chime_sir(a, occ, params=DEFAULT_PARAMS, rng=np.random.default_rng(0), level="ic")
    assert q[:, MEDIAN] == pytest.approx(np.full(14, 225.0), rel=0.01)


def test_chime_follows_the_fitted_doubling_time() -> None:
    t = np.arange(80, dtype=float)
    a = 20.0 * 2.0 ** ((t - 79) / 10.0)  # doubling every 10 days
    occ = boxcar_census(a, 7)
    params = replace(DEFAULT_PARAMS, n_samples=200)
    q = chime_sir(a, occ, params=params, rng=np.random.default_rng(0), level="ward")
    # Little's law under growth shortens the fixed stay a little (CHIME's known bias),
    # so check the growth of the census once the gap to the boxcar has left: 7 days
    # of doubling-every-10-days growth between h = 7 and h = 14.
    assert q[13, MEDIAN] / q[6, MEDIAN] == pytest.approx(2.0**0.7, rel=0.03)


def test_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="damping"):
        replace(DEFAULT_PARAMS, damping=1.5)
    with pytest.raises(ValueError, match="n_samples"):
        replace(DEFAULT_PARAMS, n_samples=3)
