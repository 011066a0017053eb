"""Rolling-origin backtest: every origin sees only the data up to that day.

For each origin the ``kraan`` raw forecast is stored; its calibration uses the
stored raw forecasts of earlier origins whose outcome was already observed (see
:mod:`calibration`), exactly as :func:`model.forecast_at` does for a live forecast.
Baselines are run as published, without calibration. Scoring skips imputed truth
days (weekend gaps after 2022-04-15, filled by interpolation at ingest).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kraan.domain.forecast.calibration import apply_calibration
from kraan.domain.forecast.ensemble import shift_quantiles
from kraan.domain.forecast.model import calibrate, last_seen, stack
from kraan.domain.forecast.occupancy import OCCUPANCY_TREND, ForecastInputError
from kraan.domain.forecast.params import ForecastParams
from kraan.domain.forecast.quantiles import FloatArray
from kraan.domain.forecast.scoring import Scores, summarise
from kraan.domain.forecast.target import (
    KRAAN,
    METHODS,
    IntArray,
    TargetSeries,
    baseline_at,
    raw_kraan_at,
    truth_matrix,
)


@dataclass(frozen=True, slots=True, eq=False)
class BacktestRun:
    """Forecast quantiles per method ``(M, H, Q)`` at origins ``(M,)`` and the truth ``(M, H)``."""

    origins: IntArray
    forecasts: dict[str, FloatArray]
    truth: FloatArray
    fallback: FloatArray  # (M,) 1.0 where ``kraan`` had no admissions and used the census trend

    def scores(self, horizons: Sequence[int]) -> dict[str, dict[int, Scores]]:
        """Mean scores per method and horizon over every scoreable origin."""
        return {
            name: {h: summarise(q[:, h - 1, :], self.truth[:, h - 1]) for h in horizons}
            for name, q in self.forecasts.items()
        }


def run_backtest(
    series: TargetSeries,
    first: int,
    last: int,
    params: ForecastParams,
    *,
    methods: Sequence[str] = METHODS,
    on_origin: Callable[[], None] | None = None,
) -> BacktestRun:
    """Forecast from every origin ``first..last`` (indices) and keep the outcomes.

    Raw ``kraan`` forecasts start ``calibration_window`` days before ``first`` so the
    first scored origin is calibrated like any later one. ``on_origin`` is called
    once per step (``steps_needed`` in total), for a progress bar.
    """
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"unknown methods {sorted(unknown)}; use {METHODS}")
    first = max(first, series.first_origin())
    if last < first:
        raise ValueError("no origin has 14 days of census behind it in the chosen period")
    start_raw = max(series.first_origin(), first - params.calibration_window)
    origins = np.arange(first, last + 1, dtype=np.int64)
    out = {name: np.full((origins.size, params.horizon, 9), np.nan) for name in methods}
    fallback = np.zeros(origins.size)
    raw_origins = np.arange(start_raw, last + 1, dtype=np.int64)
    raws = np.empty((raw_origins.size, params.horizon, 9))
    truth = series.truth()
    lasts = np.array([last_seen(series, int(j)) for j in raw_origins])
    for pos, origin in enumerate(raw_origins):
        origin = int(origin)
        raw = None
        if KRAAN in methods:
            try:
                raw = raw_kraan_at(series, origin, params)
            except ForecastInputError:  # e.g. no census on that day: an unscored gap
                raw = None
        raws[pos] = raw.occupancy if raw is not None else np.nan
        if origin >= first:
            m = origin - first
            if raw is not None:
                lo = max(0, pos - params.calibration_window)
                past_raw, shift = stack(
                    series, origin, raw_origins[lo:pos], raws[lo:pos], raw.occupancy, params,
                    lasts=lasts[lo:pos],
                )  # fmt: skip
                cal = calibrate(past_raw, raw_origins[lo:pos], truth, origin, params)
                out[KRAAN][m] = apply_calibration(shift_quantiles(raw.occupancy, shift), cal)
                fallback[m] = float(raw.mode == OCCUPANCY_TREND)
            for name in methods:
                if name != KRAAN:
                    out[name][m] = baseline_at(name, series, origin, params)
        if on_origin is not None:
            on_origin()
    return BacktestRun(
        origins=origins,
        forecasts=out,
        truth=truth_matrix(truth, origins, params.horizon),
        fallback=fallback,
    )


def steps_needed(series: TargetSeries, first: int, last: int, params: ForecastParams) -> int:
    """How often :func:`run_backtest` calls ``on_origin``."""
    first = max(first, series.first_origin())
    return max(0, last - max(series.first_origin(), first - params.calibration_window) + 1)
