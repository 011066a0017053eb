"""The ``kraan`` forecaster before calibration: admissions paths through the stay queue.

Occupancy h days after the origin = patients present now who are still in bed
(binomial thinning with the residual-stay fraction) + survivors of new admissions
(Poisson with mean sum_j intensity_j * c S(h - j)). With Poisson admissions both
parts are exact in distribution for an infinite-server queue, so per-horizon
quantiles need no loop over paths: a handful of vectorised draws of shape
``(n_samples, H)`` per origin.

Without enough admissions (LCPS published them only from 2020-10-17) the method
falls back to the same damped growth model applied to the census itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kraan.domain.forecast.admissions import (
    GrowthFit,
    fit_growth,
    pooled_rate,
    sample_intensity,
    weekday_factors,
)
from kraan.domain.forecast.los import (
    fill_admissions,
    fit_stay,
    new_admission_matrix,
    residual_fraction,
)
from kraan.domain.forecast.params import ForecastParams
from kraan.domain.forecast.quantiles import QUANTILE_LEVELS, FloatArray, sample_quantiles

QUEUE = "queue"
OCCUPANCY_TREND = "occupancy-trend"


class ForecastInputError(ValueError):
    """The series cannot carry a forecast (too short, or no census at the origin)."""


@dataclass(frozen=True, slots=True)
class RawForecast:
    """Uncalibrated quantiles ``(H, Q)`` of occupancy and admissions, and what drove them."""

    occupancy: FloatArray
    admissions: FloatArray  # NaN when admissions are unknown
    mode: str
    growth_rate: float  # daily log growth of admissions (or of the census in the fallback)
    mean_stay: float  # days; NaN in the fallback
    stay_scale: float
    occupancy_samples: FloatArray | None = None
    admissions_samples: FloatArray | None = None


def _check(occupancy: FloatArray, params: ForecastParams) -> None:
    if occupancy.shape[0] < 14 or not np.isfinite(occupancy[-1]):
        raise ForecastInputError(
            "need at least 14 days of occupancy ending in a known value at the origin"
        )
    if params.horizon < 1:
        raise ForecastInputError("the horizon must be at least one day")


def _enough_admissions(admissions: FloatArray | None, params: ForecastParams) -> bool:
    """Admissions known since ``min_admission_days`` ago, on at least two days in three
    (five weekdays in seven when the weekends are not published)."""
    if admissions is None:
        return False
    window = params.min_admission_days
    recent = np.isfinite(admissions[-window:])
    known = np.flatnonzero(np.isfinite(admissions))
    if recent.size < window or known.size == 0:
        return False
    started = admissions.shape[0] - 1 - int(known[0]) >= window - 1
    return started and 3 * int(recent.sum()) >= 2 * window


def kraan_raw(
    admissions: FloatArray | None,
    occupancy: FloatArray,
    *,
    params: ForecastParams,
    rng: np.random.Generator,
    helper_admissions: FloatArray | None = None,
    census_weekday: bool = False,
    keep_samples: bool = False,
) -> RawForecast:
    """Forecast from the series up to and including the origin (the last element).

    ``helper_admissions`` are the ward admissions when forecasting IC: their growth
    rate is pooled into the IC admissions' rate (ward -> IC flow). ``census_weekday``
    adds the census's own day-of-week pattern (ward discharges bunch on weekdays):
    the queue runs on the census with that pattern divided out, and it is put back
    on the forecast days.
    """
    occupancy = np.asarray(occupancy, dtype=np.float64)
    _check(occupancy, params)
    if not _enough_admissions(admissions, params):
        return _occupancy_trend(occupancy, params, rng, keep_samples)
    assert admissions is not None
    filled = fill_admissions(admissions, occupancy)
    growth = fit_growth(filled, params)
    if growth is None:
        return _occupancy_trend(occupancy, params, rng, keep_samples)
    if params.pool_ward_growth and helper_admissions is not None:
        growth = pooled_rate(growth, _helper_fit(helper_admissions, occupancy, params))
    intensity = sample_intensity(growth, params, rng)
    admitted = rng.poisson(intensity).astype(np.float64)
    stay = fit_stay(filled, occupancy, params)
    remain = residual_fraction(filled, stay, params.horizon)
    origin = occupancy.shape[0] - 1
    census_week = np.ones(7)
    if census_weekday:
        census_week = weekday_factors(occupancy, params.weekday_window)
    present_now = int(round(float(occupancy[-1]) / census_week[origin % 7]))
    present = rng.binomial(present_now, remain, size=intensity.shape).astype(np.float64)
    new = rng.poisson(intensity @ new_admission_matrix(stay, params.horizon))
    days = np.arange(origin + 1, origin + 1 + params.horizon)
    paths = (present + new) * census_week[days % 7]
    return RawForecast(
        occupancy=sample_quantiles(paths),
        admissions=sample_quantiles(admitted),
        mode=QUEUE,
        growth_rate=growth.rate,
        mean_stay=stay.mean_days,
        stay_scale=stay.scale,
        occupancy_samples=paths if keep_samples else None,
        admissions_samples=admitted if keep_samples else None,
    )


def _helper_fit(
    helper: FloatArray, occupancy: FloatArray, params: ForecastParams
) -> GrowthFit | None:
    if not _enough_admissions(helper, params):
        return None
    return fit_growth(fill_admissions(helper, occupancy), params)


def _occupancy_trend(
    occupancy: FloatArray, params: ForecastParams, rng: np.random.Generator, keep: bool
) -> RawForecast:
    """Fallback: damped log-linear trend of the census itself (no weekday effect)."""
    growth = fit_growth(occupancy, params, weekdays=False)
    if growth is None:
        raise ForecastInputError("too few known occupancy values near the origin")
    paths = sample_intensity(growth, params, rng, noise=False)
    nan = np.full((params.horizon, QUANTILE_LEVELS.size), np.nan)
    return RawForecast(
        occupancy=sample_quantiles(paths),
        admissions=nan,
        mode=OCCUPANCY_TREND,
        growth_rate=growth.rate,
        mean_stay=float("nan"),
        stay_scale=float("nan"),
        occupancy_samples=paths if keep else None,
        admissions_samples=None,
    )
