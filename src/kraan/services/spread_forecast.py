"""Kraan's own forecasts as the look-ahead of a live transfer plan (issue 13).

``export_snapshot`` gives every region its forecast occupancy (COVID incl. ontlabeld,
the series the plan spreads) from :class:`kraan.services.live_forecast.ForecastSource`,
the one forecast the dashboard, the API and ``kraan forecast`` show. The plan's day 0 is
the snapshot day, so ``forecast[0]`` is the day after ``as_of``; a forecast made from an
earlier origin (data of the last days not complete yet) is shifted to match.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from kraan.domain.forecast import QUANTILE_LEVELS
from kraan.services.live_forecast import ForecastError, ForecastSource, engine_key


def quantile_column(quantile: float) -> int:
    """Index of ``quantile`` among the forecast's quantile levels; ValueError if absent."""
    for i, level in enumerate(QUANTILE_LEVELS):
        if abs(float(level) - quantile) < 1e-9:
            return i
    levels = ", ".join(f"{q:g}" for q in QUANTILE_LEVELS)
    raise ValueError(f"quantile {quantile} is not a forecast level ({levels})")


def region_forecasts(
    conn: Connection, *, as_of: datetime, regions: Sequence[str], target: str, quantile: float
) -> tuple[dict[str, dict[float, tuple[float, ...]]], dict[str, str]]:
    """(region -> {0.5 and ``quantile``: daily occupancy from the day after ``as_of``},
    region -> why it has none)."""
    column = quantile_column(quantile)
    median = quantile_column(0.5)
    source = ForecastSource(conn, as_of=as_of, engine=engine_key(conn.engine))
    paths: dict[str, dict[float, tuple[float, ...]]] = {}
    missing: dict[str, str] = {}
    for code in regions:
        try:
            live = source.get(target, code)
        except ForecastError as error:
            missing[code] = str(error)
            continue
        lag = (as_of.date() - live.origin).days  # forecast day h is origin + h
        values = live.forecast.result.occupancy[lag:]
        if values.shape[0] == 0:
            missing[code] = f"forecast from {live.origin} ends before {as_of.date()}"
            continue
        paths[code] = {
            q: tuple(round(float(v), 2) for v in values[:, c])
            for q, c in ((0.5, median), (quantile, column))
        }
    return paths, missing


def forecast_note(quantile: float, used: int, missing: dict[str, str]) -> dict[str, Any]:
    """What the snapshot's look-ahead is, for the reader of the exported document."""
    return {
        "source": "kraan forecast (services.live_forecast)",
        "quantile": quantile,
        "regions_with_forecast": used,
        "held_flat": dict(sorted(missing.items())),
    }
