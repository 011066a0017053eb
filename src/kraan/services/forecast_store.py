"""Raw forecast runs kept in the database, so a fresh process forecasts a new date quickly.

Why: a forecast calibrates on the raw model runs of the 60 origins before it, so the phase
outlook of a date (22 regional forecasts) needs about 1,350 runs, 6 s of CPU; a fresh
process without them took 10-25 s on the loaded benchmark machine (docs/forecasting.md,
"Speed"). The runs depend only on what each one read, so they are computed when data is
loaded (:func:`kraan.services.forecast_warmup.warm_up`, called by ``kraan demo`` and
``kraan import`` and in the background by ``kraan serve``) and stored
(:mod:`kraan.store.forecast_tables`). A forecast then fetches the runs it needs in one
query (:func:`fetch`) and runs the model once, at its own origin.

The store key is a hash of everything a run depends on: the source code of the raw
model's modules and the numpy version (a new release or another random stream never
reuses an old run), the level, the parameters, the calendar day and the hash of the days
the run read (:func:`kraan.domain.forecast.target.raw_key`; a correction changes it). A
stored run is therefore the run the model would make now, bit for bit, and a forecast
from stored runs equals one computed from scratch (tests/integration/test_forecast_store.py).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Hashable, Iterable, Mapping, MutableMapping, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Connection

from kraan.domain.forecast import (
    ForecastParams,
    admissions,
    history,
    los,
    occupancy,
    params,
    quantiles,
    target,
)
from kraan.domain.forecast.occupancy import RawForecast
from kraan.domain.forecast.quantiles import QUANTILE_LEVELS
from kraan.store.forecast_tables import delete_other_models, load_runs, save_runs, stored_keys

#: the modules a raw run depends on; any change to their source invalidates stored runs
RAW_MODEL_MODULES = (occupancy, admissions, los, quantiles, target, history, params)
_EPOCH = date(1970, 1, 1)
_SCALARS = 3  # growth rate, mean stay, stay scale


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the raw model's source code and the numpy version (its random streams)."""
    digest = hashlib.blake2b(digest_size=16)
    for module in RAW_MODEL_MODULES:
        digest.update(inspect.getsource(module).encode("utf-8"))
    digest.update(f"numpy {np.__version__}".encode())
    return digest.hexdigest()


@lru_cache(maxsize=16)
def _params_text(p: ForecastParams) -> str:
    return repr(p)


def store_key(memo_key: Hashable) -> str:
    """The database key of a memo key ``(level, params, day number, data hash)``."""
    level, p, day, data = memo_key  # type: ignore[misc]
    text = f"{code_fingerprint()}|{level}|{_params_text(p)}|{day}|{data}"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


def encode(raw: RawForecast | None) -> tuple[str | None, bytes | None]:
    """(mode, payload) of a run; (None, None) records that no forecast was possible."""
    if raw is None:
        return None, None
    values = np.concatenate(
        [
            [raw.growth_rate, raw.mean_stay, raw.stay_scale],
            raw.occupancy.ravel(),
            raw.admissions.ravel(),
        ]
    )
    return raw.mode, values.astype("<f8").tobytes()


def decode(mode: str | None, payload: bytes | None) -> RawForecast | None:
    """The run stored by :func:`encode` (None: no forecast was possible at that origin)."""
    if mode is None or payload is None:
        return None
    values = np.frombuffer(payload, dtype="<f8").astype(np.float64)
    q = QUANTILE_LEVELS.size
    horizon = (values.size - _SCALARS) // (2 * q)
    body = values[_SCALARS:]
    return RawForecast(
        occupancy=body[: horizon * q].reshape(horizon, q).copy(),
        admissions=body[horizon * q :].reshape(horizon, q).copy(),
        mode=mode,
        growth_rate=float(values[0]),
        mean_stay=float(values[1]),
        stay_scale=float(values[2]),
    )


def fetch(conn: Connection, keys: Sequence[Hashable], memo: MutableMapping[Hashable, Any]) -> int:
    """Put the stored runs of those ``keys`` not yet in ``memo`` into it; returns how many."""
    wanted = {store_key(k): k for k in keys if k not in memo}
    if not wanted:
        return 0
    found = load_runs(conn, list(wanted))
    for skey, (mode, payload) in found.items():
        memo[wanted[skey]] = decode(mode, payload)
    return len(found)


def forget_other_models(conn: Connection) -> int:
    """Delete the runs of earlier model versions (their keys can no longer match)."""
    return delete_other_models(conn, code_fingerprint())


def missing(conn: Connection, keys: Sequence[Hashable]) -> list[Hashable]:
    """Those ``keys`` whose run is not stored."""
    by_store = {store_key(k): k for k in keys}
    present = stored_keys(conn, list(by_store))
    return [k for s, k in by_store.items() if s not in present]


def _day(memo_key: Hashable) -> date:
    return _EPOCH + timedelta(days=int(memo_key[2]))  # type: ignore[index]


def persist(
    conn: Connection, runs: Mapping[Hashable, RawForecast | None] | Iterable[Any], *, now: datetime
) -> int:
    """Store runs by memo key (a run of None: no forecast possible); returns how many new."""
    items = runs.items() if isinstance(runs, Mapping) else runs
    rows = []
    for memo_key, raw in items:
        mode, payload = encode(raw)
        rows.append(
            {
                "key": store_key(memo_key),
                "model": code_fingerprint(),
                "level": str(memo_key[0]),
                "day": _day(memo_key),
                "mode": mode,
                "payload": payload,
            }
        )
    return save_runs(conn, rows, now=now)
