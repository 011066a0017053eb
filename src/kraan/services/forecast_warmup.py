"""Compute and store the raw forecasts of every stored day, so a first outlook is quick.

A forecast calibrates on the raw model runs of the 60 origins before it (docs/forecasting.md,
"Calibration"). A date nobody has asked for yet would therefore cost 61 model runs per area
and level, about 1,350 for the outlook of one date (6 s of CPU). :func:`warm_up` makes those
runs once for every stored day, newest first, from one read of the daily totals, and
stores them (:mod:`kraan.services.forecast_store`); runs already stored are skipped. A
forecast then reads the runs it needs in one query and runs the model only at its own
origin, also in a fresh process.

Called when data is loaded (``kraan demo``, ``kraan import``) and in a background thread
by ``kraan serve`` (setting ``forecast_warmup``). It never changes a forecast, only when
its parts are computed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime, time

import numpy as np
from sqlalchemy import Engine

from kraan.domain.forecast import DEFAULT_PARAMS, ForecastInputError, ForecastParams, TargetSeries
from kraan.domain.forecast.occupancy import RawForecast
from kraan.domain.forecast.target import raw_key, raw_kraan_at
from kraan.domain.model import CareLevel
from kraan.services.area_series import AreaColumns
from kraan.services.forecast_store import forget_other_models, missing, persist
from kraan.services.live_forecast import NATIONAL, RAW_MEMO, engine_key
from kraan.services.progress import Progress
from kraan.services.totals_cache import cached_daily_totals
from kraan.store.series import reported_span

#: runs stored per transaction
BATCH = 500


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
    progress: Progress | None = None,
    now: datetime | None = None,
    areas: Sequence[str] | None = None,
) -> int:
    """Compute and store the raw forecasts of every stored day, area and level that are
    not stored yet; returns how many ran.

    ``areas`` limits it to some areas ("NL" and region codes; default: all). Stops early
    when ``stop`` is set (what is computed by then is stored).
    ``on_series(area, target, runs)`` and ``progress(done, total)`` (in series) report
    progress.
    """
    key = engine_key(engine)
    stamp = now or datetime.now(UTC).replace(tzinfo=None)  # stored UTC, naive
    with engine.begin() as conn:
        forget_other_models(conn)
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
    every = [NATIONAL, *totals.region_codes]
    areas = every if areas is None else [a for a in every if a in set(areas)]
    total = 2 * len(areas)
    runs = done = 0
    for area in areas:
        columns = AreaColumns(totals, None if area == NATIONAL else area)
        for target in ("ic", "ward"):
            series = _series(columns, target, day0)
            count = _warm_series(engine, series, params, stop, stamp)
            runs += count
            done += 1
            if on_series is not None:
                on_series(area, target, count)
            if progress is not None:
                progress(done, total)
            if stop is not None and stop.is_set():
                return runs
    return runs


def _warm_series(
    engine: Engine,
    series: TargetSeries,
    params: ForecastParams,
    stop: threading.Event | None,
    now: datetime,
) -> int:
    """Runs of one series not stored yet, newest origin first, stored in batches."""
    origins = [
        o
        for o in range(len(series) - 1, series.first_origin() - 1, -1)
        if np.isfinite(series.occupancy[o])
    ]
    keys = {raw_key(series, o, params): o for o in origins}
    with engine.connect() as conn:
        todo = missing(conn, list(keys))
    pending: dict[Hashable, RawForecast | None] = {}
    count = 0
    for memo_key in todo:
        if stop is not None and stop.is_set():
            break
        raw: RawForecast | None = None
        with contextlib.suppress(ForecastInputError):
            raw = raw_kraan_at(series, keys[memo_key], params, memo=RAW_MEMO)
        pending[memo_key] = raw
        count += 1
        if len(pending) >= BATCH:
            _store(engine, pending, now)
    _store(engine, pending, now)
    return count


def _store(engine: Engine, pending: dict[Hashable, RawForecast | None], now: datetime) -> None:
    """Store a batch (a run another process stored meanwhile is skipped: the same run)."""
    if pending:
        with engine.begin() as conn:
            persist(conn, pending, now=now)
        pending.clear()


def start_warm_up(engine: Engine) -> threading.Event:
    """:func:`warm_up` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=warm_up, args=(engine,), kwargs={"stop": stop}, name="forecast-warmup", daemon=True
    )
    thread.start()
    return stop
