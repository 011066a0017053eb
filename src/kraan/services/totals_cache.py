"""Daily totals for the forecasts, with whole past days reused between requests.

A forecast reads 210 days of :func:`kraan.store.series.daily_totals`. Reading them costs
more than the forecast itself once its raw model runs are memoised (live_forecast.py), and
the next day's forecast reads 209 of the same days again. The totals of a *whole* day
depend only on the current reports of that day, and those change only when a submission is
stored (a correction is a new submission too). So a whole day is kept under the key
(engine, newest submission id, number of submissions, day); any new submission changes
the key, and the as-of day itself (cut at ``until``) is always read fresh.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection

from kraan.services.live_cache import LruMap
from kraan.store.reports import submissions_watermark
from kraan.store.series import DailyTotals, daily_totals

#: one day of totals is about 2 kB per region; 26 x 850 demo days fit
DAYS = LruMap(maxsize=30_000)


def store_state(conn: Connection) -> tuple[int | None, int]:
    """(newest submission id, number of submissions): changes whenever anything is stored."""
    return submissions_watermark(conn, as_of=datetime.max)


def _one_day(totals: DailyTotals, i: int) -> DailyTotals:
    """Day ``i`` of ``totals`` as totals of its own."""
    out: dict[str, Any] = {}
    for f in fields(totals):
        value = getattr(totals, f.name)
        if f.name == "days":
            out[f.name] = [value[i]]
        elif f.name == "region_codes":
            out[f.name] = value
        elif isinstance(value, dict):
            out[f.name] = {k: v[:, i : i + 1].copy() for k, v in value.items()}
        elif value is None:
            out[f.name] = None
        elif value.ndim == 1:
            out[f.name] = value[i : i + 1].copy()
        else:
            out[f.name] = value[:, i : i + 1].copy()
    return replace(totals, **out)


def _join(parts: list[DailyTotals]) -> DailyTotals:
    """Totals of consecutive parts, in order (all with the same regions)."""
    first = parts[0]
    out: dict[str, Any] = {}
    for f in fields(first):
        values = [getattr(p, f.name) for p in parts]
        if f.name == "days":
            out[f.name] = [d for v in values for d in v]
        elif f.name == "region_codes":
            out[f.name] = first.region_codes
        elif isinstance(values[0], dict):
            out[f.name] = {k: np.concatenate([v[k] for v in values], axis=1) for k in values[0]}
        elif any(v is None for v in values):
            out[f.name] = None
        else:
            out[f.name] = np.concatenate(values, axis=values[0].ndim - 1)
    return replace(first, **out)


def cached_daily_totals(
    conn: Connection, *, engine: str, start: date, end: date, until: datetime
) -> DailyTotals:
    """:func:`daily_totals` ``(start, end, until)``, whole days before ``until`` reused."""
    last_whole = min(end, until.date() - timedelta(days=1))
    if until >= datetime.combine(until.date(), time.max):
        last_whole = min(end, until.date())
    state = store_state(conn)
    whole = [start + timedelta(days=i) for i in range((last_whole - start).days + 1)]
    keys = {day: (engine, state, day) for day in whole}
    missing = [day for day in whole if keys[day] not in DAYS]
    if missing:
        fresh = daily_totals(conn, start=missing[0], end=missing[-1])
        for i, day in enumerate(fresh.days):
            DAYS[(engine, state, day)] = _one_day(fresh, i)
    parts = []
    for day in whole:
        part = DAYS.get(keys[day])
        if part is None:  # evicted meanwhile: read everything in one go
            return daily_totals(conn, start=start, end=end, until=until)
        parts.append(part)
    if last_whole < end:
        rest = daily_totals(conn, start=last_whole + timedelta(days=1), end=end, until=until)
        parts.append(rest)
    if not parts:
        return daily_totals(conn, start=start, end=end, until=until)
    joined = _join(parts)
    if joined.region_codes != parts[-1].region_codes or any(
        p.region_codes != joined.region_codes for p in parts
    ):
        return daily_totals(conn, start=start, end=end, until=until)
    return joined
