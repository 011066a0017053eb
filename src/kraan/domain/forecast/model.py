"""The calibrated ``kraan`` forecast at one origin, with capacity exceedance and crossings.

The capacity questions follow the LCPS practice (domain.md: "the date IC would cross
1,350"): the probability that occupancy on each day *exceeds* the capacity (strictly
more patients than beds), and the first forecast day on which the median, and the
upper end of the 90 % interval (the 0.95 quantile), exceed it.
"""

from __future__ import annotations

from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass, replace

import numpy as np

from kraan.domain.forecast.calibration import (
    Calibration,
    apply_calibration,
    apply_to_samples,
    fit_calibration,
)
from kraan.domain.forecast.ensemble import (
    blend_shift,
    blend_weights,
    shift_quantiles,
    shift_samples,
)
from kraan.domain.forecast.occupancy import ForecastInputError, RawForecast
from kraan.domain.forecast.params import MIN_HISTORY_DAYS, ForecastParams
from kraan.domain.forecast.quantiles import INTERVALS, MEDIAN, FloatArray
from kraan.domain.forecast.target import (
    IntArray,
    TargetSeries,
    known_by,
    raw_key,
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
    #: why this forecast must not be relied on (None = reliable); see :func:`unreliable_reason`
    unreliable: str | None = None

    @property
    def reliable(self) -> bool:
        return self.unreliable is None

    @property
    def horizons(self) -> IntArray:
        return np.arange(1, self.occupancy.shape[0] + 1)


def calibration_window(series: TargetSeries, origin: int, params: ForecastParams) -> IntArray:
    """Past origins whose errors may calibrate the forecast at ``origin``."""
    lo = max(series.first_origin(), origin - params.calibration_window)
    return np.arange(lo, origin, dtype=np.int64)


def calibration_keys(series: TargetSeries, origin: int, params: ForecastParams) -> list[Hashable]:
    """Memo keys (:func:`target.raw_key`) of the earlier raw runs :func:`forecast_at` reads,
    so that a caller can fetch them from a store in one go before the forecast."""
    return [raw_key(series, int(j), params) for j in calibration_window(series, origin, params)]


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
        past_raw,
        seen,
        minimum=params.calibration_min,
        bias=params.calibrate_bias,
        ages=(origin - past_origins).astype(np.float64),
        half_life=params.calibration_half_life,
    )


def unreliable_reason(
    occupancy: FloatArray, raw: FloatArray, calibration_n: int, params: ForecastParams
) -> str | None:
    """Why a calibrated forecast cannot be trusted, or None.

    * *History too short*: fewer than ``calibration_min`` earlier forecasts of this series
      could be checked against what happened, so the band is the raw model's alone. The
      raw model knows only the uncertainty it models (calibration.py), and in a new regime
      that is far too little: on 2020-03-27 (16 checkable forecasts) its median was about
      2.5 times the peak that followed.
    * *Fit failed*: a quantile is not finite, or the raw model's 90 % band (``raw``, before
      calibration) has no width while its median is above zero: a flat line with no band
      claims a certainty nobody has (2020-03-27 before the fix of unknown admissions).
    """
    if not np.isfinite(occupancy).all():
        return "the model fit failed (a forecast quantile is not a number)"
    lo, hi = INTERVALS[0.9]
    if np.any((raw[:, hi] - raw[:, lo] <= 0) & (raw[:, MEDIAN] > 0)):
        return "the model fit failed (no uncertainty band)"
    if calibration_n < params.calibration_min:
        return (
            f"history too short: only {calibration_n} earlier forecasts could be checked "
            f"against what happened, and calibrating the band needs {params.calibration_min}"
        )
    return None


def last_seen(series: TargetSeries, origin: int) -> float:
    """The census a forecaster at ``origin`` sees last (imputed days carried forward)."""
    return float(series.seen(origin)[0][-1])


def stack(
    series: TargetSeries,
    origin: int,
    past: IntArray,
    past_raw: FloatArray,
    raw: FloatArray,
    params: ForecastParams,
    lasts: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """(past raw forecasts, log1p shift of the new one) after stacking with persistence.

    The weights come from the last ``blend_window`` past origins with outcomes known at
    ``origin`` (ensemble.py); the same weights move the past forecasts, so that the
    calibration learns the errors of the forecast as it is now made. ``lasts`` holds the
    last seen census of each past origin, if the caller has it.
    """
    horizon = raw.shape[0]
    if not params.blend or past.size == 0:
        return past_raw, np.zeros(horizon)
    if lasts is None:
        lasts = np.array([last_seen(series, int(j)) for j in past])
    seen = known_by(truth_matrix(series.truth(), past, horizon), past, origin)
    recent = slice(max(0, past.size - params.blend_window), past.size)
    weights = blend_weights(
        past_raw[recent, :, MEDIAN],
        lasts[recent],
        seen[recent],
        params.blend_min,
        params.blend_floor,
    )
    shifts = np.stack(
        [blend_shift(q, last, weights) for q, last in zip(past_raw, lasts, strict=True)]
    )
    weights[params.blend_horizon :] = 1.0  # beyond it, the model alone
    now = blend_shift(raw, last_seen(series, origin), weights)
    return shift_quantiles(past_raw, np.nan_to_num(shifts)), now


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
    if capacity is None or result.unreliable is not None:
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
    memo: MutableMapping[Hashable, RawForecast] | None = None,
) -> ForecastResult:
    """The ``kraan`` forecast a forecaster at ``origin`` would have made (backtest-equal).

    ``memo`` reuses the raw forecasts of earlier origins (:func:`target.raw_kraan_at`):
    a forecast for the next day then runs the model once, not 91 times.
    """
    if not series.first_origin() <= origin < len(series):
        raise ValueError(
            f"origin index {origin} outside {series.first_origin()}..{len(series) - 1}: "
            f"the forecast needs {MIN_HISTORY_DAYS} days of census up to the origin"
        )
    raw = raw_kraan_at(series, origin, params, keep_samples=True, memo=memo)
    past = calibration_window(series, origin, params)
    h, q = raw.occupancy.shape
    occ_past = np.full((past.size, h, q), np.nan)
    adm_past = np.full((past.size, h, q), np.nan)
    for m, j in enumerate(past):
        try:
            earlier = raw_kraan_at(series, int(j), params, memo=memo)
        except ForecastInputError:  # a gap in the census: no error to learn from
            continue
        occ_past[m], adm_past[m] = earlier.occupancy, earlier.admissions
    adm_cal = calibrate(adm_past, past, series.admissions_truth(), origin, params)
    occ_past, shift = stack(series, origin, past, occ_past, raw.occupancy, params)
    raw_occupancy = shift_quantiles(raw.occupancy, shift)
    occ_cal = calibrate(occ_past, past, series.truth(), origin, params)
    occupancy = apply_calibration(raw_occupancy, occ_cal)
    admissions = raw.admissions
    if np.isfinite(admissions).all():
        admissions = apply_calibration(admissions, adm_cal)
    exceed = median_x = upper_x = paths = None
    if (capacity is not None or keep_paths) and raw.occupancy_samples is not None:
        samples = shift_samples(raw.occupancy_samples, shift)
        paths = apply_to_samples(samples, raw_occupancy, occ_cal)
    calibration_n = int(occ_cal.n[0])
    why = unreliable_reason(occupancy, raw.occupancy, calibration_n, params)
    if capacity is not None and paths is not None and why is None:
        exceed, median_x, upper_x = capacity_answers(occupancy, paths, capacity)
    return ForecastResult(
        origin=origin,
        occupancy=occupancy,
        admissions=admissions,
        mode=raw.mode,
        growth_rate=raw.growth_rate,
        mean_stay=raw.mean_stay,
        calibration_n=calibration_n,
        capacity=capacity if why is None else None,
        exceed_probability=exceed,
        median_crossing=median_x,
        upper90_crossing=upper_x,
        paths=paths if keep_paths else None,
        unreliable=why,
    )
