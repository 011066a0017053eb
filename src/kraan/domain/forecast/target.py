"""One care level of one area as the forecasters see it, and the per-origin runs.

``TargetSeries`` is plain arrays (no dates): index ``t`` is day ``day0 + t`` counted
from 1970-01-01, which is only used to seed the random numbers, so that a forecast
for a given day is the same whether it comes from a backtest or from a live call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from kraan.domain.forecast.baselines import linear_trend, persistence
from kraan.domain.forecast.history import BoolArray, scoreable_truth, visible_at
from kraan.domain.forecast.occupancy import ForecastInputError, RawForecast, kraan_raw
from kraan.domain.forecast.params import ForecastParams
from kraan.domain.forecast.quantiles import QUANTILE_LEVELS, FloatArray
from kraan.domain.forecast.sir import chime_sir

IntArray = npt.NDArray[np.int64]

KRAAN = "kraan"
BASELINES = ("persistence", "linear_trend", "chime_sir")
METHODS = (KRAAN, *BASELINES)
_METHOD_IDS = {name: i for i, name in enumerate(METHODS)}
LEVELS = ("ic", "ward")


@dataclass(frozen=True, slots=True, eq=False)
class TargetSeries:
    """Daily census and admissions of one care level in one area (NaN = unknown)."""

    occupancy: FloatArray
    admissions: FloatArray | None
    imputed: BoolArray
    level: str  # "ic" or "ward"
    day0: int  # day number of index 0 (days since 1970-01-01)
    helper_admissions: FloatArray | None = None  # ward admissions when level == "ic"

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {self.level!r}")
        n = self.occupancy.shape[0]
        for name in ("admissions", "helper_admissions"):
            arr = getattr(self, name)
            if arr is not None and arr.shape[0] != n:
                raise ValueError(f"{name} has {arr.shape[0]} days, occupancy {n}")
        if self.imputed.shape[0] != n:
            raise ValueError("imputed flags and occupancy differ in length")

    def __len__(self) -> int:
        return int(self.occupancy.shape[0])

    def first_origin(self) -> int:
        """Earliest index with 14 days of census behind it (the forecasters' minimum)."""
        known = np.flatnonzero(np.isfinite(self.occupancy))
        return int(known[0]) + 13 if known.size else len(self)

    def truth(self) -> FloatArray:
        return scoreable_truth(self.occupancy, self.imputed)

    def admissions_truth(self) -> FloatArray | None:
        if self.admissions is None:
            return None
        return scoreable_truth(self.admissions, self.imputed)

    def seen(self, origin: int) -> tuple[FloatArray, FloatArray | None, FloatArray | None]:
        """(occupancy, admissions, helper admissions) visible at ``origin``."""

        def cut(arr: FloatArray | None) -> FloatArray | None:
            return None if arr is None else visible_at(arr, self.imputed, origin)

        occ = visible_at(self.occupancy, self.imputed, origin)
        return occ, cut(self.admissions), cut(self.helper_admissions)


def rng_for(
    params: ForecastParams, series: TargetSeries, origin: int, method: str
) -> np.random.Generator:
    """Random numbers that depend on seed, calendar day and method only."""
    return np.random.default_rng([params.seed, series.day0 + origin, _METHOD_IDS[method]])


def raw_inputs(
    series: TargetSeries, origin: int, params: ForecastParams
) -> tuple[FloatArray, FloatArray | None, FloatArray | None]:
    """What the raw ``kraan`` forecast at ``origin`` reads: the last ``raw_history`` visible days.

    Cutting to a fixed window makes the raw forecast a function of those days alone, not
    of where the series happens to start (days before the first census value are dropped
    too), so a live call that reads 210 days, a backtest
    over two years and ``kraan forecast`` give the same raw forecast, and it can be reused
    (see :func:`raw_key`).
    """
    occ, adm, helper = series.seen(origin)
    known = np.flatnonzero(np.isfinite(occ))
    start = int(known[0]) if known.size else 0  # days before any census are not data
    lo = max(start, origin + 1 - params.raw_history)

    def cut(arr: FloatArray | None) -> FloatArray | None:
        return None if arr is None else arr[lo:]

    return occ[lo:], cut(adm), cut(helper)


def raw_key(series: TargetSeries, origin: int, params: ForecastParams) -> Hashable:
    """A key that changes whenever anything the raw forecast at ``origin`` reads changes."""
    digest = hashlib.blake2b(digest_size=16)
    for arr in raw_inputs(series, origin, params):
        digest.update(b"-" if arr is None else np.ascontiguousarray(arr).tobytes())
    return (series.level, params, series.day0 + origin, digest.hexdigest())


def raw_kraan_at(
    series: TargetSeries,
    origin: int,
    params: ForecastParams,
    *,
    keep_samples: bool = False,
    memo: MutableMapping[Hashable, RawForecast] | None = None,
) -> RawForecast:
    """The uncalibrated ``kraan`` forecast from the data visible at ``origin``.

    ``memo`` (any mapping, e.g. an LRU kept by the caller) holds raw forecasts by
    :func:`raw_key`, without their samples; a hit is returned as is (a run that needs
    samples always runs, and leaves its samples-free copy in the memo). A
    :class:`ForecastInputError` is memoised too (as None), so a gap costs one try.
    """
    key = None
    if memo is not None:
        key = raw_key(series, origin, params)
        hit = memo.get(key, _MISSING)
        if hit is None:
            raise ForecastInputError("no census at this origin (memoised)")
        if hit is not _MISSING and not keep_samples:
            return hit  # type: ignore[return-value]
    try:
        raw = _raw_kraan(series, origin, params, keep_samples=keep_samples)
    except ForecastInputError:
        if key is not None:
            memo[key] = None  # type: ignore[index, assignment]
        raise
    if key is not None:
        memo[key] = replace(raw, occupancy_samples=None, admissions_samples=None)  # type: ignore[index]
    return raw


_MISSING = object()


def _raw_kraan(
    series: TargetSeries, origin: int, params: ForecastParams, *, keep_samples: bool
) -> RawForecast:
    occ, adm, helper = raw_inputs(series, origin, params)
    return kraan_raw(
        adm,
        occ,
        params=params,
        rng=rng_for(params, series, origin, KRAAN),
        helper_admissions=helper if series.level == "ic" else None,
        census_weekday=series.level in params.census_weekday,
        keep_samples=keep_samples,
    )


def baseline_at(
    method: str, series: TargetSeries, origin: int, params: ForecastParams
) -> FloatArray:
    """Quantiles ``(H, Q)`` of a baseline from the data visible at ``origin``."""
    occ, adm, _ = series.seen(origin)
    if method not in BASELINES:
        raise ValueError(f"unknown baseline {method!r}; use one of {BASELINES}")
    if occ.shape[0] < 2 or not np.isfinite(occ[-1]):
        return np.full((params.horizon, QUANTILE_LEVELS.size), np.nan)  # no census: no forecast
    rng = rng_for(params, series, origin, method)
    if method == "persistence":
        return persistence(occ, params, rng)
    if method == "linear_trend":
        return linear_trend(occ, params)
    return chime_sir(adm, occ, params=params, rng=rng, level=series.level)


def truth_matrix(values: FloatArray, origins: IntArray, horizon: int) -> FloatArray:
    """``Y[m, h-1]`` = value on day origins[m] + h (NaN beyond the series)."""
    idx = origins[:, None] + np.arange(1, horizon + 1)[None, :]
    inside = idx < values.shape[0]
    out = np.full(idx.shape, np.nan)
    out[inside] = values[idx[inside]]
    return out


def known_by(truth: FloatArray, past_origins: IntArray, origin: int) -> FloatArray:
    """Mask of the past truth to the outcomes already observed at ``origin``."""
    target_day = past_origins[:, None] + np.arange(1, truth.shape[1] + 1)[None, :]
    return np.where(target_day <= origin, truth, np.nan)
