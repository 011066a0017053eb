"""Scores for quantile forecasts: absolute error, MAPE, WIS and interval coverage.

WIS follows Bracher, Ray, Gneiting & Reich (2021), "Evaluating epidemic forecasts
in an interval format", PLoS Comput Biol 17(2): e1008618, eq. (3):

    WIS = (0.5 |y - m| + sum_k (alpha_k / 2) IS_alpha_k) / (K + 0.5)

with the interval score IS_alpha = (u - l) + 2/alpha (l - y) 1(y < l) + 2/alpha (y - u) 1(y > u)
(Gneiting & Raftery 2007, section 6.2). It is in the units of the target (beds),
so it reads like an absolute error of the whole distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kraan.domain.forecast.quantiles import INTERVALS, MEDIAN, FloatArray


def interval_score(
    lower: FloatArray, upper: FloatArray, truth: FloatArray, alpha: float
) -> FloatArray:
    """Gneiting & Raftery's interval score of the central (1 - alpha) interval."""
    below = np.clip(lower - truth, 0.0, None)
    above = np.clip(truth - upper, 0.0, None)
    return (upper - lower) + (2.0 / alpha) * (below + above)


def weighted_interval_score(quantiles: FloatArray, truth: FloatArray) -> FloatArray:
    """WIS of ``quantiles (..., Q)`` against ``truth (...)`` over the four central intervals."""
    score = 0.5 * np.abs(truth - quantiles[..., MEDIAN])
    for coverage, (lo, hi) in INTERVALS.items():
        alpha = 1.0 - coverage
        score = score + (alpha / 2.0) * interval_score(
            quantiles[..., lo], quantiles[..., hi], truth, alpha
        )
    return score / (len(INTERVALS) + 0.5)


def covered(quantiles: FloatArray, truth: FloatArray, coverage: float) -> FloatArray:
    """1.0 where the truth lies in the central ``coverage`` interval (bounds included)."""
    lo, hi = INTERVALS[coverage]
    inside = (truth >= quantiles[..., lo]) & (truth <= quantiles[..., hi])
    return inside.astype(np.float64)


@dataclass(frozen=True, slots=True)
class Scores:
    """Mean scores of one method at one horizon over ``n`` scored forecasts."""

    mae: float
    mape: float  # percent, over outcomes > 0
    wis: float
    cov50: float
    cov90: float
    n: int

    def as_dict(self, digits: int = 4) -> dict[str, float | int | None]:
        def tidy(value: float) -> float | None:
            return None if not np.isfinite(value) else round(float(value), digits)

        return {
            "mae": tidy(self.mae),
            "mape": tidy(self.mape),
            "wis": tidy(self.wis),
            "cov50": tidy(self.cov50),
            "cov90": tidy(self.cov90),
            "n": int(self.n),
        }


def summarise(quantiles: FloatArray, truth: FloatArray) -> Scores:
    """Scores over all pairs where the truth is known (NaN truths are skipped)."""
    keep = np.isfinite(truth) & np.all(np.isfinite(quantiles), axis=-1)
    q, y = quantiles[keep], truth[keep]
    if y.size == 0:
        nan = float("nan")
        return Scores(nan, nan, nan, nan, nan, 0)
    error = np.abs(y - q[:, MEDIAN])
    positive = y > 0
    mape = float(np.mean(error[positive] / y[positive]) * 100.0) if positive.any() else np.nan
    return Scores(
        mae=float(error.mean()),
        mape=mape,
        wis=float(weighted_interval_score(q, y).mean()),
        cov50=float(covered(q, y, 0.5).mean()),
        cov90=float(covered(q, y, 0.9).mean()),
        n=int(y.size),
    )
