"""Admissions model: a damped local growth rate of log admissions with overdispersed noise.

Why this shape: the LCPS/VU forecast (domain.md, "Forecasting and spreading") and
Baas et al. (2021) both drive occupancy by admissions on a growth curve. Here the
growth rate is the slope of a local-linear fit to log admissions with

* day-of-week factors removed first (reported admissions dip on Sunday and Monday),
* exponentially decaying weights, so a changepoint (lockdown, a new variant)
  dominates the fit within about one half-life, and Huber weights against outliers,
* a damped trend (Gardner & McKenzie 1985): the rate decays by ``damping`` a day,
  because growth that is extrapolated undamped for two weeks overshoots at peaks,
* negative-binomial (gamma-Poisson) daily noise whose size is estimated from the
  fit's own residuals (method of moments).

Everything is positional: index ``t`` of the arrays is day ``t``; weekday factors
use ``t % 7`` so no calendar is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kraan.domain.forecast.params import ForecastParams
from kraan.domain.forecast.quantiles import FloatArray

_OFFSET = 0.5  # log(a + 0.5): days with zero admissions stay finite
_MIN_SIZE = 2.0  # NB size floor: the moment estimate is unstable on a few small counts


@dataclass(frozen=True, slots=True)
class GrowthFit:
    """Log level at the origin, daily log growth rate, their covariance, noise and weekdays."""

    level: float
    rate: float
    cov: FloatArray  # 2x2 covariance of (level, rate)
    weekday: FloatArray  # (7,) factors indexed by position % 7, geometric mean 1
    size: float  # negative-binomial size k; inf = Poisson
    origin: int  # index of the origin in the input array

    def with_rate(self, rate: float, rate_var: float) -> GrowthFit:
        """The same fit with a pooled growth rate (level and noise unchanged)."""
        cov = self.cov.copy()
        cov[1, 1] = rate_var
        cov[0, 1] = cov[1, 0] = 0.0
        return GrowthFit(self.level, rate, cov, self.weekday, self.size, self.origin)


def weekday_factors(values: FloatArray, window: int) -> FloatArray:
    """Multiplicative day-of-week factors from ratios to a centred 7-day mean."""
    n = values.shape[0]
    factors = np.ones(7)
    if n < 21:
        return factors
    ma = np.convolve(values, np.ones(7) / 7.0, mode="valid")  # ma[i] centred on i + 3
    centre = np.arange(3, n - 3)
    lo = max(3, n - 3 - window)
    keep = (centre >= lo) & np.isfinite(ma) & np.isfinite(values[centre])
    idx = centre[keep]
    if idx.size < 14:
        return factors
    ratio = np.log((values[idx] + _OFFSET) / (ma[idx - 3] + _OFFSET))
    sums = np.bincount(idx % 7, weights=ratio, minlength=7)
    counts = np.bincount(idx % 7, minlength=7)
    logs = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
    normalised: FloatArray = np.exp(logs - logs.mean())
    return normalised


def fit_growth(
    values: FloatArray, params: ForecastParams, *, weekdays: bool = True
) -> GrowthFit | None:
    """Fit level and growth rate of ``log(values)`` at the last index; None if too little data."""
    origin = values.shape[0] - 1
    weekday = weekday_factors(values, params.weekday_window) if weekdays else np.ones(7)
    lo = max(0, origin + 1 - params.growth_window)
    t = np.arange(lo, origin + 1)
    y_raw = values[lo:]
    known = np.isfinite(y_raw)
    if known.sum() < 7:
        return None
    t, y_raw = t[known], y_raw[known]
    y = np.log(y_raw / weekday[t % 7] + _OFFSET)
    x = (t - origin).astype(np.float64)
    base_w = 0.5 ** (-x / params.growth_half_life)
    design = np.column_stack([np.ones_like(x), x])
    w = base_w.copy()
    for _ in range(3):  # IRLS with Huber weights
        wd = design * w[:, None]
        xtwx = design.T @ wd
        beta = np.linalg.solve(xtwx, wd.T @ y)
        resid = y - design @ beta
        scale = 1.4826 * _median(np.abs(resid - _median(resid))) + 1e-6
        u = np.abs(resid) / (params.huber_k * scale)
        w = base_w * np.where(u <= 1.0, 1.0, 1.0 / np.maximum(u, 1e-12))
    dof = max(float(w.sum()) - 2.0, 1.0)
    sigma2 = float((w * resid**2).sum()) / dof
    cov = sigma2 * np.linalg.inv(xtwx)
    mu = np.exp(design @ beta) * weekday[t % 7] - _OFFSET
    size = _nb_size(y_raw, np.maximum(mu, 1e-3))
    return GrowthFit(float(beta[0]), float(beta[1]), cov, weekday, size, origin)


def _median(values: FloatArray) -> float:
    """``np.median`` of a short 1-d array without NaN, bit for bit, with less overhead (it
    runs six times in each growth fit, and an outlook's raw runs make thousands of fits)."""
    ordered = np.sort(values)
    n = ordered.shape[0]
    half = n // 2
    if n % 2:
        return float(ordered[half])
    return float((ordered[half - 1] + ordered[half]) / 2.0)


def _nb_size(observed: FloatArray, mean: FloatArray) -> float:
    """Method-of-moments size k of var = mu + mu^2 / k; inf when no overdispersion shows.

    Ratio of sums (not mean of ratios) so that days with tiny means cannot dominate;
    k is kept at or above ``_MIN_SIZE`` (a geometric-like spread at most).
    """
    excess = float(np.sum((observed - mean) ** 2 - mean) / np.sum(mean**2))
    return float("inf") if excess <= 1e-6 else max(1.0 / excess, _MIN_SIZE)


def damped_offsets(horizon: int, damping: float) -> FloatArray:
    """Cumulative damped growth multipliers sum_{i<=j} damping^i for j = 1..horizon."""
    return np.cumsum(damping ** np.arange(1, horizon + 1, dtype=np.float64))


def sample_intensity(
    fit: GrowthFit, params: ForecastParams, rng: np.random.Generator, *, noise: bool = True
) -> FloatArray:
    """Daily admission intensities ``(n_samples, H)`` after the origin (gamma-mixed)."""
    n, horizon = params.n_samples, params.horizon
    chol = np.linalg.cholesky(fit.cov + np.eye(2) * 1e-12)
    draws = rng.standard_normal((n, 2)) @ chol.T
    level = fit.level + draws[:, 0]
    rate = fit.rate + draws[:, 1]
    offsets = damped_offsets(horizon, params.damping)
    days = np.arange(fit.origin + 1, fit.origin + 1 + horizon)
    log_mean = level[:, None] + rate[:, None] * offsets[None, :]
    intensity = np.clip(np.exp(log_mean) - _OFFSET, 0.0, None) * fit.weekday[days % 7]
    if noise and np.isfinite(fit.size):
        intensity = intensity * rng.gamma(fit.size, 1.0 / fit.size, size=intensity.shape)
    return intensity


def pooled_rate(primary: GrowthFit, helper: GrowthFit | None) -> GrowthFit:
    """Precision-weighted growth rate of two admission streams that share an epidemic.

    Most COVID IC admissions come through the ward (Baas et al. 2021, ward -> IC
    moves), so the larger, less noisy ward stream sharpens the IC growth rate.
    """
    if helper is None:
        return primary
    v1, v2 = primary.cov[1, 1], helper.cov[1, 1]
    if not (np.isfinite(v1) and np.isfinite(v2)) or v1 <= 0 or v2 <= 0:
        return primary
    rate = (primary.rate / v1 + helper.rate / v2) / (1.0 / v1 + 1.0 / v2)
    return primary.with_rate(float(rate), float(1.0 / (1.0 / v1 + 1.0 / v2)))
