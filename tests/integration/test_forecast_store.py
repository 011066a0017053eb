"""Raw forecast runs stored when data is loaded (issue 13, "Speed"; forecast_store.py).

A forecast from stored runs must be the forecast computed from scratch, bit for bit, and
the runs a live forecast needs (it reads 179 days) must be the ones the warm-up stored
(it reads every stored day at once): otherwise the store would be a cache nobody hits.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select

from kraan.domain.forecast.occupancy import RawForecast
from kraan.domain.model import CareLevel
from kraan.services.area_series import AreaColumns
from kraan.services.demo import load_demo
from kraan.services.forecast_store import decode, encode, fetch, store_key
from kraan.services.forecast_warmup import warm_up
from kraan.services.forecasting import AreaForecast, forecast_area
from kraan.services.live_forecast import HISTORY_DAYS, NATIONAL
from kraan.settings import get_settings
from kraan.store.forecast_tables import forecast_raw_runs
from kraan.store.series import daily_totals

AS_OF = date(2020, 12, 21)


def _national_ic(
    engine: Engine, memo: dict[Hashable, Any] | None, found: list[tuple[int, int]]
) -> AreaForecast:
    """The national IC forecast as the live path makes it (the same window of totals)."""
    with engine.connect() as conn:
        totals = daily_totals(
            conn,
            start=AS_OF - timedelta(days=HISTORY_DAYS - 1),
            end=AS_OF,
            until=datetime.combine(AS_OF, datetime.max.time()),
        )
        columns = AreaColumns(totals, None)

        def prefetch(keys: list[Hashable]) -> None:
            if memo is not None:
                found.append((len(keys), fetch(conn, keys, memo)))

        return forecast_area(
            admissions=columns.series(CareLevel.IC, "admissions"),
            occupancy=columns.series(CareLevel.IC, "covid", "ontlabeld"),
            dates=totals.days,
            as_of=AS_OF,
            target="ic",
            imputed=columns.imputed,
            ward_admissions=columns.series(CareLevel.WARD, "admissions"),
            keep_paths=True,
            memo=memo,
            prefetch=prefetch,
        )


def test_a_forecast_from_stored_runs_is_the_forecast_computed_afresh(db_engine: Engine) -> None:
    load_demo(db_engine, get_settings(), start=date(2020, 9, 1), end=AS_OF)
    afresh = _national_ic(db_engine, None, [])

    ran = warm_up(db_engine, areas=[NATIONAL])
    with db_engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(forecast_raw_runs)).scalar_one()
    assert ran == stored > 60
    assert warm_up(db_engine, areas=[NATIONAL]) == 0  # already stored: nothing runs again

    found: list[tuple[int, int]] = []
    from_store = _national_ic(db_engine, {}, found)
    assert found == [(60, 60)]  # every earlier run the calibration reads came from the store
    np.testing.assert_array_equal(from_store.result.occupancy, afresh.result.occupancy)
    np.testing.assert_array_equal(from_store.result.admissions, afresh.result.admissions)
    assert from_store.result.paths is not None and afresh.result.paths is not None
    np.testing.assert_array_equal(from_store.result.paths, afresh.result.paths)
    assert from_store.result.unreliable == afresh.result.unreliable


def test_a_run_survives_the_round_trip_and_the_key_holds_what_it_read() -> None:
    rng = np.random.default_rng(3)
    raw = RawForecast(
        occupancy=rng.uniform(0, 900, (14, 9)),
        admissions=np.full((14, 9), np.nan),
        mode="occupancy-trend",
        growth_rate=-0.0123,
        mean_stay=float("nan"),
        stay_scale=float("nan"),
    )
    back = decode(*encode(raw))
    assert back is not None and back.mode == raw.mode
    np.testing.assert_array_equal(back.occupancy, raw.occupancy)
    np.testing.assert_array_equal(back.admissions, raw.admissions)
    assert back.growth_rate == raw.growth_rate and np.isnan(back.mean_stay)
    assert decode(*encode(None)) is None  # "no forecast possible here" is stored too
    key = ("ic", object(), 18617, "a" * 32)
    assert store_key(key) == store_key(key)
    assert store_key(key) != store_key(("ic", key[1], 18617, "b" * 32))  # other data
    assert store_key(key) != store_key(("ward", key[1], 18617, "a" * 32))
