"""Compute the raw forecasts of every stored day ahead of time, so a first outlook is quick.

A forecast calibrates on the raw model runs of the 90 origins before it (docs/forecasting.md,
"Calibration"); these are memoised by content (``live_forecast.RAW_MEMO``). A date nobody
has asked for yet therefore costs 91 model runs per area and level, about 2,000 for the
outlook of one date. :func:`warm_up` makes those runs once for every stored day, newest
first, from one read of the daily totals; afterwards the first outlook of any date runs the
model only once per area and level. ``kraan serve`` starts it in a background thread
(setting ``forecast_warmup``); it never changes a forecast, only when it is computed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime, time

import numpy as np
from sqlalchemy import Engine

from kraan.domain.forecast import DEFAULT_PARAMS, ForecastInputError, ForecastParams, TargetSeries
from kraan.domain.forecast.target import raw_kraan_at
from kraan.domain.model import CareLevel
from kraan.services.area_series import AreaColumns
from kraan.services.live_forecast import NATIONAL, RAW_MEMO, engine_key
from kraan.services.totals_cache import cached_daily_totals
from kraan.store.series import reported_span


def _series(columns: AreaColumns, target: str, day0: int) -> TargetSeries:
    level = CareLevel(target)
    ward = columns.series(CareLevel.WARD, "admissions")
    return TargetSeries(
        occupancy=columns.series(level, "covid", "ontlabeld"),
        admissions=columns.series(level, "admissions"),
        imputed=columns.imputed,
        level=target,
        day0=day0,
        helper_admissions=ward if target == "ic" else None,
    )


def warm_up(
    engine: Engine,
    *,
    params: ForecastParams = DEFAULT_PARAMS,
    stop: threading.Event | None = None,
    on_series: Callable[[str, str, int], None] | None = None,
) -> int:
    """Raw forecasts for every stored day, area and level into the memo; returns how many ran.

    Stops early when ``stop`` is set. ``on_series(area, target, runs)`` reports progress.
    """
    key = engine_key(engine)
    with engine.connect() as conn:
        first, last = reported_span(conn)
        if first is None or last is None:
            return 0
        totals = cached_daily_totals(
            conn,
            engine=key,
            start=first.date(),
            end=last.date(),
            until=datetime.combine(last.date(), time.max),
        )
    day0 = int(np.datetime64(totals.days[0], "D").astype(np.int64))
    runs = 0
    for area in [NATIONAL, *totals.region_codes]:
        columns = AreaColumns(totals, None if area == NATIONAL else area)
        for target in ("ic", "ward"):
            series = _series(columns, target, day0)
            count = 0
            for origin in range(len(series) - 1, series.first_origin() - 1, -1):
                if stop is not None and stop.is_set():
                    return runs
                if not np.isfinite(series.occupancy[origin]):
                    continue
                with contextlib.suppress(ForecastInputError):
                    raw_kraan_at(series, origin, params, memo=RAW_MEMO)
                count += 1
            runs += count
            if on_series is not None:
                on_series(area, target, count)
    return runs


def start_warm_up(engine: Engine) -> threading.Event:
    """:func:`warm_up` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=warm_up, args=(engine,), kwargs={"stop": stop}, name="forecast-warmup", daemon=True
    )
    thread.start()
    return stop
