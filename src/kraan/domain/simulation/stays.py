"""Lengths of stay: fitting them on the census, and drawing them for many patients at once.

The fit reuses the forecast's infinite-server view (:mod:`kraan.domain.forecast.los`):
census(t) = c * sum_k a(t - k) S(k), with S a discretised Weibull survival taken at
k + 0.5 (a patient admitted in the 24 h before a count). Here the curve is chosen for
the least mean absolute percentage error over a whole fitting period, the error the
fidelity bar is judged by (docs/simulation.md).

Simulation: a patient admitted on day t is counted on days t .. t + D - 1 with
P(D > k) = S(k), so constant arrivals a give the steady census a * sum_k S(k) =
a * E[D]. Draws go through an inverse-CDF table of equiprobable quantiles, stretched
per ensemble member by a length-of-stay factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gamma as gamma_fn

import numpy as np

from kraan.domain.forecast.los import _grid as forecast_survival_grid
from kraan.domain.forecast.quantiles import FloatArray
from kraan.domain.simulation.params import Stay

TABLE_SIZE = 4096  # equiprobable quantiles per stay table


def weibull_survival(stay: Stay, length: int, factor: float = 1.0) -> FloatArray:
    """S(k) = P(D > k), k = 0..length-1, for a Weibull of the given mean (times ``factor``)."""
    lam = stay.mean_days * factor / gamma_fn(1.0 + 1.0 / stay.shape)
    k = np.arange(length, dtype=np.float64) + 0.5
    surv = np.exp(-((k / lam) ** stay.shape))
    surv[-1] = 0.0  # nobody stays longer than the horizon
    return surv


def stay_pmf(survival: FloatArray) -> FloatArray:
    """P(D = d), d = 0..len(survival)-1, with D >= 1 (a patient is counted at least once)."""
    s = np.concatenate([[1.0], survival[:-1]])
    pmf = s - np.concatenate([s[1:], [0.0]])
    pmf[1] += pmf[0]
    pmf[0] = 0.0
    return np.clip(pmf, 0.0, None) / max(pmf.sum(), 1e-12)


def quantile_table(pmf: FloatArray, size: int = TABLE_SIZE) -> FloatArray:
    """Continuous stay in days at equiprobable quantiles: day d covers [d - 0.5, d + 0.5).

    ``floor(x * f + 0.5)`` of an entry gives back D for f = 1 and stretches stays by f.
    """
    cdf = np.cumsum(pmf)
    u = (np.arange(size) + 0.5) / size
    d = np.minimum(np.searchsorted(cdf, u, side="left"), pmf.shape[0] - 1)
    below = np.where(d > 0, cdf[np.maximum(d - 1, 0)], 0.0)
    within = (u - below) / np.maximum(pmf[d], 1e-12)
    return d - 0.5 + np.clip(within, 0.0, 1.0)


def conditional_shift(pmf: FloatArray, min_stay: int, shift: int) -> tuple[FloatArray, float]:
    """Stays of patients with D >= ``min_stay``, each ``shift`` days shorter; and P(D >= min)."""
    tail = pmf.copy()
    tail[:min_stay] = 0.0
    mass = float(tail.sum())
    shifted = np.zeros_like(pmf)
    if mass > 0:
        shifted[: pmf.shape[0] - shift] = tail[shift:] / mass
    return shifted, mass


def remainder_pmf(pmf: FloatArray, removed: FloatArray, weight: float) -> FloatArray:
    """The stays of the others when ``weight`` of the patients follow ``removed``."""
    rest = np.clip(pmf - weight * removed, 0.0, None)
    return rest / max(rest.sum(), 1e-12)


def residual_pmf(recent_admissions: FloatArray, survival: FloatArray) -> FloatArray:
    """Days still to stay for the patients present now.

    Those admitted k days ago are present in proportion a(-k) S(k) and leave after j more
    days with probability (S(k + j - 1) - S(k + j)) / S(k). Without a history the age mix
    is the steady state, S(k) itself.
    """
    n = survival.shape[0]
    a = np.asarray(recent_admissions, dtype=np.float64)[:n]
    if a.size == 0 or not np.isfinite(a).all() or a.sum() <= 0:
        a = np.ones(n)
    a = np.concatenate([a, np.full(n - a.size, a[-1])]) if a.size < n else a
    present = a * survival  # by age k
    out = np.zeros(n)
    padded = np.concatenate([survival, np.zeros(n)])
    for k in np.flatnonzero(present > 0):
        # leaving j days after now: counted today (j >= 1 more counts) ... survival at k + j
        later = padded[k : k + n + 1]
        leave = (later[:-1] - later[1:]) / survival[k]
        out[1:] += present[k] * leave[: n - 1]
    out = np.clip(out, 0.0, None)
    return out / max(out.sum(), 1e-12)


@dataclass(frozen=True, slots=True)
class LevelFit:
    mean_days: float
    shape: float
    scale: float
    mape: float


def fit_level(
    admissions: FloatArray,
    occupancy: FloatArray,
    first: int,
    last: int,
    max_stay: int,
    scale_bounds: tuple[float, float] = (0.6, 1.6),
) -> LevelFit:
    """The forecast's Weibull grid curve (and arrival scale) with the least MAPE on first..last."""
    curves, means, shapes = forecast_survival_grid(max_stay + 1)
    a = np.nan_to_num(np.asarray(admissions, dtype=np.float64))
    pred = np.stack([np.convolve(a, c[:max_stay])[: a.shape[0]] for c in curves])
    y = np.asarray(occupancy, dtype=np.float64)[first : last + 1]
    x = pred[:, first : last + 1]
    keep = np.isfinite(y) & (y > 0)
    y, x = y[keep], x[:, keep]
    w = 1.0 / y**2  # relative errors
    scale = np.clip((x * y * w).sum(axis=1) / np.maximum((x * x * w).sum(axis=1), 1e-12),
                    *scale_bounds)
    mape = np.mean(np.abs(x * scale[:, None] - y) / y, axis=1)
    best = int(np.argmin(mape))
    return LevelFit(float(means[best]), float(shapes[best]), float(scale[best]),
                    float(mape[best]))
