"""Occupancy and admissions forecasts with calibrated uncertainty (pure, no I/O).

Entry points: :func:`forecast_at` (one origin, calibrated, capacity answers),
:func:`run_backtest` (rolling origin), :class:`TargetSeries` (the input), and the
scores in :mod:`scoring`. Method and sources: docs/forecasting.md.
"""

from kraan.domain.forecast.backtest import BacktestRun, run_backtest, steps_needed
from kraan.domain.forecast.model import ForecastResult, forecast_at, with_capacity
from kraan.domain.forecast.occupancy import ForecastInputError
from kraan.domain.forecast.params import DEFAULT_PARAMS, ForecastParams
from kraan.domain.forecast.quantiles import QUANTILE_LEVELS
from kraan.domain.forecast.scoring import Scores, summarise, weighted_interval_score
from kraan.domain.forecast.target import BASELINES, KRAAN, LEVELS, METHODS, TargetSeries

__all__ = [
    "BASELINES",
    "DEFAULT_PARAMS",
    "KRAAN",
    "LEVELS",
    "METHODS",
    "QUANTILE_LEVELS",
    "BacktestRun",
    "ForecastInputError",
    "ForecastParams",
    "ForecastResult",
    "Scores",
    "TargetSeries",
    "forecast_at",
    "run_backtest",
    "steps_needed",
    "summarise",
    "weighted_interval_score",
    "with_capacity",
]
