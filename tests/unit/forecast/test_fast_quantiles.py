"""The quicker quantiles and medians of the raw model give numpy's numbers bit for bit
(a stored raw run must equal the run the model makes now; forecast_store.py)."""

from __future__ import annotations

import numpy as np
import pytest

from kraan.domain.forecast.admissions import _median
from kraan.domain.forecast.quantiles import QUANTILE_LEVELS, sample_quantiles


@pytest.mark.parametrize("n", [1, 2, 7, 50, 999, 1000])
def test_sample_quantiles_are_numpys_bit_for_bit(n: int) -> None:
    rng = np.random.default_rng(n)
    for draw in (
        rng.poisson(rng.uniform(0, 400), (n, 14)).astype(np.float64),  # counts: many ties
        rng.normal(100.0, 30.0, (n, 14)),
        np.expm1(rng.normal(5.0, 1.0, (n, 14))),
    ):
        expected = np.quantile(draw, QUANTILE_LEVELS, axis=0).T
        np.testing.assert_array_equal(sample_quantiles(draw), expected)


def test_sample_quantiles_with_a_missing_path_value_stay_numpys() -> None:
    draw = np.arange(30.0).reshape(10, 3)
    draw[4, 1] = np.nan
    expected = np.quantile(draw, QUANTILE_LEVELS, axis=0).T
    np.testing.assert_array_equal(sample_quantiles(draw), expected)


def test_median_is_numpys_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    for n in range(1, 40):
        values = rng.normal(0.0, rng.uniform(0.01, 5.0), n)
        assert _median(values) == float(np.median(values))
        assert _median(np.round(values, 1)) == float(np.median(np.round(values, 1)))
