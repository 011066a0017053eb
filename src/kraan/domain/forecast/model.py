"""The calibrated ``kraan`` forecast at one origin, with capacity exceedance and crossings.

The capacity questions follow the LCPS practice (domain.md: "the date IC would cross
1,350"): the probability that occupancy on each day *exceeds* the capacity (strictly
more patients than beds), and the first forecast day on which the median, and the
upper end of the 90 % interval (the 0.95 quantile), exceed it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from kraan.domain.forecast.calibration import (
    Calibration,
    apply_calibration,
    apply_to_samples,
    fit_calibration,
)
from kraan.domain.forecast.occupancy import ForecastInputError
from kraan.domain.forecast.params import MIN_HISTORY_DAYS, ForecastParams
from kraan.domain.forecast.quantiles import INTERVALS, MEDIAN, FloatArray
from kraan.domain.forecast.target import (
    IntArray,
    TargetSeries,
    known_by,
    raw_kraan_at,
    truth_matrix,
)


@dataclass(frozen=True, slots=True, eq=False)
class ForecastResult:
    """Quantiles ``(H, Q)`` for days origin+1 .. origin+H, and the capacity answers."""

    origin: int
    occupancy: FloatArray
    admissions: FloatArray  # NaN when the series holds no admissions
    mode: str
    growth_rate: float
    mean_stay: float
    calibration_n: int  # past errors behind the 1-day calibration
    capacity: float | None = None
    exceed_probability: FloatArray | None = None  # (H,) P(occupancy > capacity)
    median_crossing: int | None = None  # first horizon (days) where the median exceeds it
    upper90_crossing: int | None = None  # ... where the 0.95 quantile exceeds it
    #: calibrated Monte Carlo paths ``(N, H)``, kept on request so that any other
    #: capacity can be answered later without running the model again
    paths: FloatArray | None = None

    @property
    def horizons(self) -> IntArray:
        return np.arange(1, self.occupancy.shape[0] + 1)


def calibration_window(series: TargetSeries, origin: int, params: ForecastParams) -> IntArray:
    """Past origins whose errors may calibrate the forecast at ``origin``."""
    lo = max(series.first_origin(), origin - params.calibration_window)
    return np.arange(lo, origin, dtype=np.int64)


def calibrate(
    past_raw: FloatArray,
    past_origins: IntArray,
    truth: FloatArray | None,
    origin: int,
    params: ForecastParams,
) -> Calibration:
    """Calibration from past raw quantiles ``(M, H, Q)`` with outcomes seen by ``origin``."""
    horizon = past_raw.shape[1] if past_raw.ndim == 3 else params.horizon
    if truth is None or past_origins.size == 0:
        return Calibration.identity(horizon)
    seen = known_by(truth_matrix(truth, past_origins, horizon), past_origins, origin)
    return fit_calibration(
        past_raw, seen, minimum=params.calibration_min, bias=params.calibrate_bias
    )


def crossing(values: FloatArray, capacity: float) -> int | None:
    """First horizon (1-based) with ``values > capacity``; None if none within the horizon."""
    above = np.flatnonzero(values > capacity)
    return int(above[0]) + 1 if above.size else None


def capacity_answers(
    occupancy: FloatArray, paths: FloatArray, capacity: float
) -> tuple[FloatArray, int | None, int | None]:
    """(P(occupancy > capacity) per day, median crossing, 0.95-quantile crossing)."""
    exceed = (paths > capacity).mean(axis=0)
    return (
        exceed,
        crossing(occupancy[:, MEDIAN], capacity),
        crossing(occupancy[:, INTERVALS[0.9][1]], capacity),
    )


def with_capacity(result: ForecastResult, capacity: float | None) -> ForecastResult:
    """The same forecast answering another capacity (needs ``keep_paths=True``)."""
    if capacity is None:
        return replace(
            result,
            capacity=None,
            exceed_probability=None,
            median_crossing=None,
            upper90_crossing=None,
        )
    if result.paths is None:
        raise ValueError("this forecast kept no paths: use forecast_at(..., keep_paths=True)")
    exceed, median_x, upper_x = capacity_answers(result.occupancy, result.paths, capacity)
    return replace(
        result,
        capacity=capacity,
        exceed_probability=exceed,
        median_crossing=median_x,
        upper90_crossing=upper_x,
    )


def forecast_at(
    series: TargetSeries,
    origin: int,
    params: ForecastParams,
    *,
    capacity: float | None = None,
    keep_paths: bool = False,
) -> ForecastResult:
    """The ``kraan`` forecast a forecaster at ``origin`` would have made (backtest-equal)."""
    if not series.first_origin() <= origin < len(series):
        raise ValueError(
            f"origin index {origin} outside {series.first_origin()}..{len(series) - 1}: "
            f"the forecast needs {MIN_HISTORY_DAYS} days of census up to the origin"
        )
    raw = raw_kraan_at(series, origin, params, keep_samples=True)
    past = calibration_window(series, origin, params)
    h, q = raw.occupancy.shape
    occ_past = np.full((past.size, h, q), np.nan)
    adm_past = np.full((past.size, h, q), np.nan)
    for m, j in enumerate(past):
        try:
            earlier = raw_kraan_at(series, int(j), params)
        except ForecastInputError:  # a gap in the census: no error to learn from
            continue
        occ_past[m], adm_past[m] = earlier.occupancy, earlier.admissions
    occ_cal = calibrate(occ_past, past, series.truth(), origin, params)
    adm_cal = calibrate(adm_past, past, series.admissions_truth(), origin, params)
    occupancy = apply_calibration(raw.occupancy, occ_cal)
    admissions = raw.admissions
    if np.isfinite(admissions).all():
        admissions = apply_calibration(admissions, adm_cal)
    exceed = median_x = upper_x = paths = None
    if (capacity is not None or keep_paths) and raw.occupancy_samples is not None:
        paths = apply_to_samples(raw.occupancy_samples, raw.occupancy, occ_cal)
    if capacity is not None and paths is not None:
        exceed, median_x, upper_x = capacity_answers(occupancy, paths, capacity)
    return ForecastResult(
        origin=origin,
        occupancy=occupancy,
        admissions=admissions,
        mode=raw.mode,
        growth_rate=raw.growth_rate,
        mean_stay=raw.mean_stay,
        calibration_n=int(occ_cal.n[0]),
        capacity=capacity,
        exceed_probability=exceed,
        median_crossing=median_x,
        upper90_crossing=upper_x,
        paths=paths if keep_paths else None,
    )
