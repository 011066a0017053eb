"""Forecasting service: LCPS series in, calibrated forecasts and backtest reports out.

Thin glue between the pure core (:mod:`kraan.domain.forecast`) and the adapters:
dates, the choice of columns per care level, progress callbacks, and the JSON
documents of the CLI and the API. Output files (Hub CSV, PNG) are in
:mod:`kraan.services.forecast_output`.

Targets (docs/forecasting.md, "What is forecast"):

* ``ic``: COVID patients in Dutch ICUs = ``IC_bezetting_covid + IC_bezetting_ontlabeld``;
  patients moved to ICUs abroad are excluded where the feed says how many (new feed;
  the combined series for 2020). The old feed alone counts them in (it cannot split).
* ``ward``: ``kliniek_bezetting_covid + kliniek_bezetting_ontlabeld``.
Admissions are LCPS's new COVID admissions of the last 24 h for that care level.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kraan.domain.forecast import (
    DEFAULT_PARAMS,
    KRAAN,
    LEVELS,
    METHODS,
    QUANTILE_LEVELS,
    BacktestRun,
    ForecastParams,
    ForecastResult,
    Scores,
    TargetSeries,
    forecast_at,
    run_backtest,
    steps_needed,
)
from kraan.domain.forecast.model import calibration_keys
from kraan.domain.forecast.params import MIN_HISTORY_DAYS
from kraan.domain.forecast.quantiles import MEDIAN
from kraan.ingest.lcps import NationalSeries, combined_national_series, parse_lcps
from kraan.services.progress import Progress

DEFAULT_HORIZONS = (1, 3, 7, 14)
#: the explicit state of a forecast that must not be relied on (API, page and CLI)
UNRELIABLE = "forecast not reliable"
LOCATION = "NL"  # ISO 3166-1 alpha-2, as the European COVID-19 Forecast Hub


def load_national(path: Path | None, *, raw_dir: Path | None = None) -> NationalSeries:
    """One LCPS file (either format), or the combined 2020-2022 series from ``raw_dir``."""
    if path is not None:
        return parse_lcps(path)
    if raw_dir is None:
        raise ValueError("give an LCPS file or the raw data directory")
    return combined_national_series(raw_dir)


def _day_number(day: np.datetime64) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def target_series(national: NationalSeries, level: str) -> TargetSeries:
    """The census and admissions of one care level (see the module docstring)."""
    if level not in LEVELS:
        raise ValueError(f"target must be one of {', '.join(LEVELS)}, not {level!r}")
    covid = national.ic_covid if level == "ic" else national.ward_covid
    ontlabeld = national.ic_ontlabeld if level == "ic" else national.ward_ontlabeld
    occupancy = covid + np.where(np.isfinite(covid), np.nan_to_num(ontlabeld), 0.0)
    admissions = national.ic_admissions if level == "ic" else national.ward_admissions
    helper = national.ward_admissions if level == "ic" else None
    return TargetSeries(
        occupancy=occupancy,
        admissions=admissions if np.isfinite(admissions).any() else None,
        imputed=national.imputed,
        level=level,
        day0=_day_number(national.dates[0]),
        helper_admissions=helper if helper is not None and np.isfinite(helper).any() else None,
    )


def _ticker(total: int, progress: Progress | None) -> Callable[[], None]:
    """One call per finished step, reported as ``progress(done, total)``."""
    if progress is None or total == 0:
        return lambda: None
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        progress(done, total)

    return tick


@dataclass(frozen=True, slots=True, eq=False)
class BacktestReport:
    """A finished backtest: the run, its calendar, and scores per method and horizon."""

    target: str
    start: date
    end: date
    horizons: tuple[int, ...]
    dates: npt.NDArray[np.datetime64]  # calendar of the series the run indexes
    run: BacktestRun
    scores: dict[str, dict[int, Scores]]
    params: ForecastParams


def _index(national: NationalSeries, day: date) -> int:
    return int((np.datetime64(day, "D") - national.dates[0]).astype(int))


def backtest(
    national: NationalSeries,
    *,
    target: str,
    start: date | None = None,
    end: date | None = None,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    params: ForecastParams = DEFAULT_PARAMS,
    methods: Sequence[str] = METHODS,
    progress: Progress | None = None,
) -> BacktestReport:
    """Rolling-origin backtest: origins ``start..end``, outcomes up to ``end`` only."""
    bad = [h for h in horizons if not 1 <= h <= params.horizon]
    if bad:
        raise ValueError(f"horizons must lie in 1..{params.horizon}; got {bad}")
    end = min(end or national.end, national.end)
    if end < national.start:
        raise ValueError(f"--end {end} is before the series starts ({national.start})")
    series_part = national.between(national.start, end)
    series = target_series(series_part, target)
    first = series.first_origin()
    lo = first if start is None else max(_index(series_part, start), first)
    hi = len(series) - 1
    if lo > hi:
        raise ValueError(
            f"no origin between {start} and {end} has {MIN_HISTORY_DAYS} days of census before it "
            f"(series {national.start}..{national.end})"
        )
    total = steps_needed(series, lo, hi, params)
    run = run_backtest(series, lo, hi, params, methods=methods, on_origin=_ticker(total, progress))
    return BacktestReport(
        target=target,
        start=series_part.dates[lo].astype(object),
        end=end,
        horizons=tuple(horizons),
        dates=series_part.dates,
        run=run,
        scores=run.scores(horizons),
        params=params,
    )


def backtest_document(report: BacktestReport) -> dict[str, Any]:
    """The JSON contract {"target", "methods": {name: {"<h>": {mae, mape, wis, cov50, cov90, n}}}}
    plus "recommended", "start", "end" and "origins"."""
    return {
        "target": report.target,
        "methods": {
            name: {str(h): s.as_dict() for h, s in per_h.items()}
            for name, per_h in report.scores.items()
        },
        "recommended": KRAAN,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "origins": int(report.run.origins.size),
    }


def backtest_rows(report: BacktestReport) -> list[dict[str, Any]]:
    """Flat rows (target, method, horizon, metrics) for CSV and tables."""
    rows = []
    for name, per_h in report.scores.items():
        for h, s in per_h.items():
            rows.append({"target": report.target, "method": name, "horizon": h, **s.as_dict()})
    return rows


@dataclass(frozen=True, slots=True, eq=False)
class AreaForecast:
    """A calibrated forecast for one area and care level, with its calendar."""

    location: str
    target: str
    as_of: date
    result: ForecastResult

    @property
    def target_dates(self) -> list[date]:
        base = np.datetime64(self.as_of, "D")
        return [(base + int(h)).astype(object) for h in self.result.horizons]


def _as_days(dates: Sequence[date] | npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    days = np.asarray(dates, dtype="datetime64[D]")
    if days.size and np.any(np.diff(days) != np.timedelta64(1, "D")):
        raise ValueError("dates must be consecutive days in ascending order")
    return days


def forecast_area(
    *,
    admissions: Sequence[float] | npt.NDArray[Any] | None,
    occupancy: Sequence[float] | npt.NDArray[Any],
    dates: Sequence[date] | npt.NDArray[Any],
    as_of: date,
    capacity: float | None = None,
    target: str = "ic",
    location: str = LOCATION,
    imputed: Sequence[bool] | npt.NDArray[Any] | None = None,
    ward_admissions: Sequence[float] | npt.NDArray[Any] | None = None,
    params: ForecastParams = DEFAULT_PARAMS,
    keep_paths: bool = False,
    memo: MutableMapping[Hashable, Any] | None = None,
    prefetch: Callable[[list[Hashable]], None] | None = None,
) -> AreaForecast:
    """The ``kraan`` forecast for days ``as_of + 1 .. as_of + 14`` from daily series.

    Uses only data up to ``as_of`` and is identical to the backtest's forecast from
    that origin. ``ward_admissions`` (for an IC target) sharpen the IC growth rate.
    ``keep_paths`` keeps the calibrated paths, so that other capacities can be
    answered later (:func:`kraan.domain.forecast.with_capacity`). ``memo`` reuses raw
    forecasts of earlier origins (:func:`kraan.domain.forecast.forecast_at`); it never
    changes the result. ``prefetch(keys)`` is called first with the memo keys of the
    earlier runs the forecast reads, so that a caller can fill ``memo`` from a store
    (:func:`kraan.services.forecast_store.fetch`).
    """
    days = _as_days(dates)
    occ = np.asarray(occupancy, dtype=np.float64)
    if occ.shape[0] != days.shape[0]:
        raise ValueError(f"{occ.shape[0]} occupancy values for {days.shape[0]} dates")

    def optional(values: Sequence[float] | npt.NDArray[Any] | None) -> npt.NDArray[Any] | None:
        return None if values is None else np.asarray(values, dtype=np.float64)

    flags = np.zeros(occ.shape[0], dtype=bool) if imputed is None else np.asarray(imputed, bool)
    series = TargetSeries(
        occupancy=occ,
        admissions=optional(admissions),
        imputed=flags,
        level=target,
        day0=_day_number(days[0]),
        helper_admissions=optional(ward_admissions) if target == "ic" else None,
    )
    origin = int((np.datetime64(as_of, "D") - days[0]).astype(int))
    if not 0 <= origin < days.shape[0]:
        raise ValueError(f"as_of {as_of} is outside the series {days[0]}..{days[-1]}")
    if prefetch is not None and series.first_origin() <= origin:
        prefetch(calibration_keys(series, origin, params))
    result = forecast_at(
        series, origin, params, capacity=capacity, keep_paths=keep_paths, memo=memo
    )
    return AreaForecast(location=location, target=target, as_of=as_of, result=result)


def forecast_national(
    national: NationalSeries,
    *,
    target: str,
    as_of: date | None = None,
    capacity: float | None = None,
    params: ForecastParams = DEFAULT_PARAMS,
) -> AreaForecast:
    """:func:`forecast_area` on an LCPS national series (default: its last day)."""
    day = as_of or national.end
    series = target_series(national, target)
    return forecast_area(
        admissions=series.admissions,
        occupancy=series.occupancy,
        dates=national.dates,
        as_of=day,
        capacity=capacity,
        target=target,
        imputed=national.imputed,
        ward_admissions=series.helper_admissions,
        params=params,
    )


def _quantile_rows(values: npt.NDArray[np.float64], days: list[date]) -> list[dict[str, Any]]:
    return [
        {
            "date": day.isoformat(),
            "horizon": i + 1,
            "median": round(float(values[i, MEDIAN]), 2),
            "quantiles": {
                f"{q:g}": round(float(v), 2)
                for q, v in zip(QUANTILE_LEVELS, values[i], strict=True)
            },
        }
        for i, day in enumerate(days)
    ]


def forecast_to_json(forecast: AreaForecast) -> dict[str, Any]:
    """JSON-ready document of an :class:`AreaForecast` (API and ``kraan forecast``)."""
    res, days = forecast.result, forecast.target_dates
    admissions = None
    if np.isfinite(res.admissions).all():
        admissions = _quantile_rows(res.admissions, days)
    capacity = None
    if res.capacity is not None and res.exceed_probability is not None:

        def when(h: int | None) -> str | None:
            return None if h is None else days[h - 1].isoformat()

        capacity = {
            "beds": res.capacity,
            "exceed_probability": [round(float(p), 4) for p in res.exceed_probability],
            "median_crossing": when(res.median_crossing),
            "upper90_crossing": when(res.upper90_crossing),
        }
    rate = res.growth_rate
    return {
        "location": forecast.location,
        "target": forecast.target,
        "as_of": forecast.as_of.isoformat(),
        "method": KRAAN,
        "mode": res.mode,
        "reliable": res.reliable,
        "state": "ok" if res.reliable else f"{UNRELIABLE}: {res.unreliable}",
        "quantile_levels": [float(q) for q in QUANTILE_LEVELS],
        "occupancy": _quantile_rows(res.occupancy, days),
        "admissions": admissions,
        "capacity": capacity,
        "diagnostics": {
            "growth_rate_per_day": round(rate, 5),
            "doubling_days": round(float(np.log(2) / rate), 1) if abs(rate) > 1e-4 else None,
            "mean_stay_days": None if not np.isfinite(res.mean_stay) else round(res.mean_stay, 1),
            "calibration_errors": res.calibration_n,
        },
    }
