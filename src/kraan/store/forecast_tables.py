"""Stored raw forecast runs (issue 13, "Speed"): computed when data is loaded, read on request.

A forecast calibrates on the raw model runs of the 60 origins before it
(docs/forecasting.md, "Calibration"), so the first outlook of a date needs about 1,350
runs. They depend only on the days each run reads, so they are computed once (``kraan
demo``, ``kraan import``, the background warm-up of ``kraan serve``) and kept here under a
content key (:mod:`kraan.services.forecast_store`): the model code, the parameters, the
calendar day and a hash of the data the run read. A correction changes the hash and the
code a new release, so a stored run is never stale, only unused. Nothing in it identifies
a patient: it holds aggregate quantiles of one area's COVID census.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    LargeBinary,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kraan.store.tables import metadata

forecast_raw_runs = Table(
    "forecast_raw_runs",
    metadata,
    Column("key", String(64), primary_key=True),  # hex content key (forecast_store.store_key)
    Column("model", String(32), nullable=False),  # code fingerprint of the raw model
    Column("level", String(8), nullable=False),  # ic | ward
    Column("day", Date, nullable=False),  # the origin's calendar day
    Column("mode", String(20), nullable=True),  # NULL: no forecast possible at this origin
    Column("payload", LargeBinary, nullable=True),  # little-endian float64 (forecast_store)
    Column("created_at", DateTime, nullable=False),
    Index("ix_forecast_raw_runs_day", "day"),
    Index("ix_forecast_raw_runs_model", "model"),
)

#: keys per SELECT ... IN: below SQLite's older limit of 999 bound parameters
CHUNK = 900


def load_runs(conn: Connection, keys: Sequence[str]) -> dict[str, tuple[str | None, bytes | None]]:
    """Stored (mode, payload) by key, for those of ``keys`` that are stored."""
    out: dict[str, tuple[str | None, bytes | None]] = {}
    t = forecast_raw_runs
    for i in range(0, len(keys), CHUNK):
        part = list(keys[i : i + CHUNK])
        rows = conn.execute(select(t.c.key, t.c.mode, t.c.payload).where(t.c.key.in_(part)))
        for key, mode, payload in rows:
            out[key] = (mode, None if payload is None else bytes(payload))
    return out


def stored_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    """Those of ``keys`` that are stored (without reading the payloads)."""
    t = forecast_raw_runs
    found: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        part = list(keys[i : i + CHUNK])
        found.update(conn.execute(select(t.c.key).where(t.c.key.in_(part))).scalars())
    return found


def save_runs(conn: Connection, rows: Iterable[Mapping[str, object]], *, now: datetime) -> int:
    """Insert runs ``{key, level, day, mode, payload}``; keys already stored are skipped
    (another process may have stored the same run meanwhile: it is the same run)."""
    batch = [dict(r, created_at=now) for r in rows]
    if not batch:
        return 0
    present = stored_keys(conn, [str(r["key"]) for r in batch])
    fresh = {str(r["key"]): r for r in batch if r["key"] not in present}
    if fresh:
        conn.execute(_insert_new(conn), list(fresh.values()))
    return len(fresh)


def _insert_new(conn: Connection) -> Any:
    """INSERT that skips a key another process stored since :func:`stored_keys` looked."""
    if conn.dialect.name == "postgresql":
        return pg_insert(forecast_raw_runs).on_conflict_do_nothing(index_elements=["key"])
    if conn.dialect.name == "sqlite":
        return sqlite_insert(forecast_raw_runs).on_conflict_do_nothing(index_elements=["key"])
    return insert(forecast_raw_runs)


def delete_other_models(conn: Connection, model: str) -> int:
    """Forget the runs of any other model version: no key of today's model can match them."""
    t = forecast_raw_runs
    return int(conn.execute(t.delete().where(t.c.model != model)).rowcount or 0)
