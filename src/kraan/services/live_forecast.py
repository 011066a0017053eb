"""Forecasts from the report store, for the API, the phase outlook and the dashboard.

The forecasting core (docs/forecasting.md) works on daily series; here they come from
:func:`kraan.store.series.daily_totals`, the last report of each location per day.
That function does not carry a location's figure forward, so a day on which only some
locations reported undercounts: a day counts as known only when at least half the usual
number of locations reported, and unknown days are NaN, never 0.

A forecast costs about 0.4 s and one dashboard load needs two dozen of them, so finished
forecasts are kept in a small LRU keyed by the data they saw (engine, target, area,
as-of day, and the newest submission at as_of). The calibrated paths are kept with each
forecast, so any capacity is answered from the cache without running the model again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from kraan.domain.forecast import DEFAULT_PARAMS, with_capacity
from kraan.domain.forecast.model import capacity_answers
from kraan.domain.forecast.params import MIN_HISTORY_DAYS
from kraan.domain.model import CareLevel
from kraan.figures import public_figures
from kraan.services.area_series import KNOWN_SHARE, AreaColumns
from kraan.services.forecast_store import fetch
from kraan.services.forecasting import AreaForecast, forecast_area, forecast_to_json
from kraan.services.live_cache import LruMap
from kraan.services.totals_cache import cached_daily_totals
from kraan.store.reports import submissions_watermark
from kraan.store.series import DailyTotals

#: what the model sees: the calibration origins plus what each of their raw runs reads
#: (stay window + longest stay), so a live forecast equals the backtest's and
#: ``kraan forecast``'s on the same data (docs/forecasting.md, "One forecast")
HISTORY_DAYS = DEFAULT_PARAMS.calibration_window + DEFAULT_PARAMS.raw_history + 7
SHOWN_DAYS = 60  # history returned with a forecast (the fan chart's left part)
ORIGIN_LAG_DAYS = 2  # as_of early in the day: forecast from yesterday's complete data
NATIONAL = "NL"
__all__ = ["KNOWN_SHARE", "ForecastError", "ForecastSource", "LiveForecast"]  # the page reads it
#: LNAZ scale-up plan: IC beds guaranteed and at most; phase 2B's clinical COVID beds
#: (data/public_figures.json, with their sources).
IC_SCALE_UP_BEDS = public_figures().ic_beds_scale_up.value
IC_MAX_BEDS = public_figures().ic_beds_max.value
WARD_2B_COVID_BEDS = public_figures().ward_covid_beds_2b.value
_LEVEL_NAMES = {"ic": "IC", "ward": "ward"}


class ForecastError(ValueError):
    """No forecast for this request; ``field`` names the query field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True, eq=False)
class LiveForecast:
    """One area's forecast with the history and beds it was made against."""

    area: str  # "NL" or a ROAZ region code
    target: str  # "ic" or "ward"
    forecast: AreaForecast  # keeps its calibrated paths
    history_days: tuple[date, ...]
    history: tuple[float | None, ...]  # COVID occupancy, None = no reports that day
    observed: float  # COVID occupancy (incl. ontlabeld) at the origin
    staffed: float | None  # staffed beds of the level at the origin
    non_covid: float | None

    @property
    def origin(self) -> date:
        return self.forecast.as_of

    @property
    def covid_able(self) -> float | None:
        """Beds left for COVID patients when non-COVID occupancy holds: over it = full."""
        if self.staffed is None or self.non_covid is None:
            return None
        room = self.staffed - self.non_covid
        return room if room > 0 else None

    def quantile(self, horizon: int, column: int) -> float:
        return float(self.forecast.result.occupancy[horizon - 1, column])


@dataclass(frozen=True, slots=True)
class CapacityCheck:
    """The capacity question for one bed count: probabilities and crossing days."""

    kind: str  # staffed | covid_able | scale_up_plan | given
    label: str
    beds: float
    exceed_probability: tuple[float, ...]
    median_crossing: int | None  # days after the origin
    upper90_crossing: int | None
    above_now: bool
    reliable: bool = True  # False: the forecast behind it is not reliable (no crossings)

    @property
    def warn(self) -> bool:
        return self.above_now or self.upper90_crossing is not None

    @property
    def peak(self) -> tuple[float, int]:
        """(highest daily probability of exceeding, its day)."""
        day = int(np.argmax(self.exceed_probability))
        return self.exceed_probability[day], day + 1


def check(live: LiveForecast, beds: float, kind: str, label: str) -> CapacityCheck:
    result = live.forecast.result
    assert result.paths is not None  # every cached forecast keeps its paths
    exceed, median_x, upper_x = capacity_answers(result.occupancy, result.paths, beds)
    if not result.reliable:  # no crossing warning from a forecast nobody should rely on
        median_x = upper_x = None
    return CapacityCheck(
        kind=kind,
        label=label,
        beds=float(beds),
        exceed_probability=tuple(round(float(p), 4) for p in exceed),
        median_crossing=median_x,
        upper90_crossing=upper_x,
        above_now=live.observed > beds,
        reliable=result.reliable,
    )


def checks(live: LiveForecast) -> list[CapacityCheck]:
    """Staffed beds, the room for COVID patients, and nationally the scale-up plan."""
    name = _LEVEL_NAMES[live.target]
    out = []
    if live.staffed:
        out.append(check(live, live.staffed, "staffed", f"all staffed {name} beds"))
    if live.covid_able is not None:
        label = f"staffed {name} beds minus non-COVID patients"
        out.append(check(live, live.covid_able, "covid_able", label))
    if live.area == NATIONAL and live.target == "ic":
        label = f"LNAZ scale-up plan: {IC_SCALE_UP_BEDS:,} IC beds"
        out.append(check(live, IC_SCALE_UP_BEDS, "scale_up_plan", label))
    elif live.area == NATIONAL:
        label = f"phase 2B plan: {WARD_2B_COVID_BEDS:,} clinical COVID beds"
        out.append(check(live, WARD_2B_COVID_BEDS, "scale_up_plan", label))
    return out


class _Cache:
    """A small thread-safe LRU; concurrent requests for one key compute it once."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                if key in self._data:
                    return self._data[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._flights.pop(key, None)
            with self._lock:
                self._data[key] = value
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


#: about 115 kB per entry (paths 1000 x 14); a dashboard day needs 24 entries
CACHE = _Cache(maxsize=96)


#: about 2.3 kB per raw forecast (at most ~90 MB); the whole demo (26 series x ~850 days) fits
RAW_MEMO = LruMap(maxsize=40_000)


def engine_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class ForecastSource:
    """The forecasts one request needs, from at most one read of the daily totals."""

    def __init__(self, conn: Connection, *, as_of: datetime, engine: str) -> None:
        self.conn, self.as_of, self.engine = conn, as_of, engine
        self.fingerprint = submissions_watermark(conn, as_of=as_of)
        self._totals: DailyTotals | None = None

    @property
    def totals(self) -> DailyTotals:
        if self._totals is None:
            end = self.as_of.date()
            start = end - timedelta(days=HISTORY_DAYS - 1)
            self._totals = cached_daily_totals(
                self.conn, engine=self.engine, start=start, end=end, until=self.as_of
            )
        return self._totals

    def regions(self) -> list[str]:
        return list(self.totals.region_codes)

    def get(self, target: str, region: str | None = None) -> LiveForecast:
        """The cached forecast, or ForecastError saying why there is none.

        Stable interface (the spreading snapshot calls it): ``get(target, region=None)`` ->
        :class:`LiveForecast`. Check ``live.forecast.result.reliable`` before planning on
        it: an unreliable forecast (too short a history, a failed fit) has no calibrated
        band and answers no capacity question (``result.unreliable`` says why).
        """
        if target not in _LEVEL_NAMES:
            raise ForecastError("target", f"target must be 'ic' or 'ward', not {target!r}")
        area = region or NATIONAL
        key = (self.engine, target, area, self.as_of.date(), self.fingerprint)
        return CACHE.get(key, lambda: _compute(self.totals, area, target, self.conn))  # type: ignore[no-any-return]


def _prefetch(conn: Connection | None) -> Callable[[list[Hashable]], None] | None:
    """Fill the memo from the stored runs (forecast_store.py) before a forecast."""
    if conn is None:
        return None

    def fetch_stored(keys: list[Hashable]) -> None:
        fetch(conn, keys, RAW_MEMO)

    return fetch_stored


def _compute(
    totals: DailyTotals, area: str, target: str, conn: Connection | None = None
) -> LiveForecast:
    if area != NATIONAL and area not in totals.region_codes:
        raise ForecastError("region", f"region {area} has no reporting locations")
    columns = AreaColumns(totals, None if area == NATIONAL else area)
    known, imputed, series = columns.known, columns.imputed, columns.series
    level = CareLevel(target)
    occupancy = series(level, "covid", "ontlabeld")
    last = len(totals.days) - 1
    candidates = [i for i in range(last, last - ORIGIN_LAG_DAYS - 1, -1) if known[i]]
    if not candidates:
        raise ForecastError(
            "as_of",
            f"no reports for {area} in the {ORIGIN_LAG_DAYS + 1} days up to {totals.days[-1]}: "
            "nothing to forecast from",
        )
    origin = candidates[0]
    first = int(np.argmax(known))
    if origin - first < MIN_HISTORY_DAYS - 1:
        first_possible = totals.days[first] + timedelta(days=MIN_HISTORY_DAYS - 1)
        raise ForecastError(
            "as_of",
            f"reports for {area} start on {totals.days[first]}; a forecast needs "
            f"{MIN_HISTORY_DAYS} days of reports, so the first possible as_of is {first_possible}",
        )
    try:
        forecast = forecast_area(
            admissions=series(level, "admissions"),
            occupancy=occupancy,
            dates=totals.days,
            as_of=totals.days[origin],
            target=target,
            location=area,
            imputed=imputed,
            ward_admissions=series(CareLevel.WARD, "admissions"),
            keep_paths=True,
            memo=RAW_MEMO,
            prefetch=_prefetch(conn),
        )
    except ValueError as error:
        raise ForecastError(
            "as_of", f"no forecast for {area} from {totals.days[origin]}: {error}"
        ) from error
    lo = max(0, origin - SHOWN_DAYS + 1)
    staffed = series(level, "staffed")[origin]
    non_covid = series(level, "non_covid")[origin]
    return LiveForecast(
        area=area,
        target=target,
        forecast=forecast,
        history_days=tuple(totals.days[lo : origin + 1]),
        history=tuple(None if v != v else float(v) for v in occupancy[lo : origin + 1]),
        observed=float(occupancy[origin]),
        staffed=float(staffed) if staffed > 0 else None,
        non_covid=float(non_covid),
    )


def _check_document(c: CapacityCheck, live: LiveForecast) -> dict[str, Any]:
    days = [d.isoformat() for d in live.forecast.target_dates]

    def when(h: int | None) -> str | None:
        return None if h is None else days[h - 1]

    return {
        "kind": c.kind,
        "label": c.label,
        "beds": c.beds,
        "exceed_probability": list(c.exceed_probability),
        "median_crossing": when(c.median_crossing),
        "upper90_crossing": when(c.upper90_crossing),
        "median_crossing_days": c.median_crossing,
        "upper90_crossing_days": c.upper90_crossing,
        "above_now": c.above_now,
        "reliable": c.reliable,
    }


def forecast_document(
    live: LiveForecast, *, capacity: float | None = None, as_of: datetime | None = None
) -> dict[str, Any]:
    """:func:`forecast_to_json` plus the area, the history and every capacity check.

    ``capacity`` defaults to the staffed beds of the level at the origin.
    """
    beds = capacity if capacity is not None else live.staffed
    result = with_capacity(live.forecast.result, beds)
    doc = forecast_to_json(replace(live.forecast, result=result))
    if doc["capacity"] is not None and beds is not None:
        primary = check(live, beds, "given" if capacity is not None else "staffed", "")
        doc["capacity"].update(
            basis=primary.kind,
            median_crossing_days=primary.median_crossing,
            upper90_crossing_days=primary.upper90_crossing,
            above_now=primary.above_now,
        )
    doc.update(
        area=live.area,
        requested_as_of=as_of.isoformat() if as_of else None,
        data_through=live.origin.isoformat(),
        observed_now=live.observed,
        staffed=live.staffed,
        non_covid=live.non_covid,
        capacities=[_check_document(c, live) for c in checks(live)],
        history={
            "dates": [d.isoformat() for d in live.history_days],
            "occupancy": list(live.history),
        },
    )
    return doc
