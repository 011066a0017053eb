"""Two simple baselines, each as its source defines it (the SIR census model is in sir.py).

* ``persistence``: the COVID-19 Forecast Hub baseline (COVIDhub-baseline; Cramer et
  al. 2022, "Evaluation of individual and ensemble probabilistic forecasts of
  COVID-19 mortality in the United States", PNAS 119(15), Methods): the median is
  the last observed value for every horizon; the spread comes from the empirical
  distribution of past one-day changes, symmetrised (each change and its negative),
  summed over h sampled days for horizon h, truncated at zero.
* ``linear_trend``: ordinary least squares on the last ``trend_window`` days,
  extrapolated, with the textbook prediction interval
  y_hat +- t_{n-2, p} s sqrt(1 + 1/n + (x - x_bar)^2 / Sxx).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from kraan.domain.forecast.params import ForecastParams
from kraan.domain.forecast.quantiles import (
    MEDIAN,
    QUANTILE_LEVELS,
    FloatArray,
    monotone,
    point_quantiles,
    sample_quantiles,
)

_Z = np.array([NormalDist().inv_cdf(float(p)) for p in QUANTILE_LEVELS])


def student_t_quantiles(dof: float) -> FloatArray:
    """Student-t quantiles at QUANTILE_LEVELS by the Cornish-Fisher series of
    Abramowitz & Stegun (1964) 26.7.5; error < 0.01 for dof >= 5, enough for intervals."""
    z, v = _Z, float(max(dof, 1.0))
    g1 = (z**3 + z) / 4.0
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96.0
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384.0
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160.0
    quantile: FloatArray = z + g1 / v + g2 / v**2 + g3 / v**3 + g4 / v**4
    return quantile


def persistence(
    occupancy: FloatArray, params: ForecastParams, rng: np.random.Generator
) -> FloatArray:
    """COVIDhub-baseline quantiles ``(H, Q)`` from the whole history up to the origin."""
    last = float(occupancy[-1])
    known = occupancy[np.isfinite(occupancy)]
    changes = np.diff(known)
    if changes.size == 0:
        return point_quantiles(np.full(params.horizon, last))
    pool = np.concatenate([changes, -changes])
    steps = rng.choice(pool, size=(params.n_samples, params.horizon))
    paths = last + np.cumsum(steps, axis=1)
    q = sample_quantiles(paths)
    q = q - q[:, MEDIAN : MEDIAN + 1] + last  # the median is the last value exactly
    return monotone(q)


def linear_trend(occupancy: FloatArray, params: ForecastParams) -> FloatArray:
    """OLS line through the last ``trend_window`` days with its prediction interval."""
    y = occupancy[-params.trend_window :]
    x = np.arange(-y.shape[0] + 1, 1, dtype=np.float64)
    keep = np.isfinite(y)
    x, y = x[keep], y[keep]
    n = y.shape[0]
    h = np.arange(1, params.horizon + 1, dtype=np.float64)
    if n < 3:
        return point_quantiles(np.full(params.horizon, float(occupancy[-1])))
    x_bar = x.mean()
    sxx = float(((x - x_bar) ** 2).sum())
    slope = float(((x - x_bar) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x_bar)
    resid = y - (intercept + slope * x)
    s = float(np.sqrt((resid**2).sum() / (n - 2)))
    centre = intercept + slope * h
    se = s * np.sqrt(1.0 + 1.0 / n + (h - x_bar) ** 2 / sxx)
    q = centre[:, None] + se[:, None] * student_t_quantiles(n - 2)[None, :]
    return monotone(q)
