"""Replay a real period day by day under a spreading policy (issue part 5).

Each day the policy sees every region's COVID occupancy as the data had it plus the
patients its own earlier transfers moved in or out, decides today's transfers, and
those patients then stay in the receiving region. Simplification (documented in
docs/spreading.md): moved patients leave at the receiving region's own daily discharge
rate, estimated from the data as discharges / occupancy over the period; the patients a
sender gave away would have left at its rate. With no transfers the replay reproduces
the data exactly. Germany (the last resort) holds only the patients sent there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kraan.domain.spreading.fairshare import fair_share
from kraan.domain.spreading.model import Area, FloatArray, Plan, SpreadSettings
from kraan.domain.spreading.network import haversine_km

#: A policy: (areas of today, settings) -> plan whose day-0 transfers are carried out.
Policy = Callable[[list[Area], SpreadSettings], Plan]


@dataclass(frozen=True, slots=True)
class RegionSeries:
    """Arrays [region, day] of one care level, as the store's DailyTotals give them."""

    codes: tuple[str, ...]
    lat: FloatArray
    lon: FloatArray
    population: FloatArray
    covid: FloatArray  # COVID incl. ontlabeld
    non_covid: FloatArray
    staffed: FloatArray
    admissions: FloatArray


@dataclass(frozen=True, slots=True)
class ReplayResult:
    policy: str
    max_load_deviation: float  # largest |load - national load| over regions and days
    mean_abs_deviation: float  # mean over days of sum |occupancy - fair share|, patients
    overflow_bed_days: float
    transfers: int  # patients moved
    moves: int  # transfers as batches: (from, to, day) with patients
    patient_km: float
    last_resort_patients: int
    seconds: float


def discharge_rates(series: RegionSeries) -> FloatArray:
    """Per region: discharges / occupancy over the period (national rate where undefined)."""
    covid, adm = series.covid, series.admissions
    discharged = covid[:, :-1] + adm[:, 1:] - covid[:, 1:]
    national = discharged.sum() / max(covid[:, :-1].sum(), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = discharged.sum(axis=1) / covid[:, :-1].sum(axis=1)
    rate = np.where(np.isfinite(rate) & (rate > 0), rate, national)
    clipped: FloatArray = np.clip(rate, 0.01, 0.5)
    return clipped


def _areas(
    series: RegionSeries, day: int, extra: FloatArray, settings: SpreadSettings,
    last_resort: Area | None, forecast: FloatArray | None,
) -> list[Area]:  # fmt: skip
    occ = np.maximum(series.covid[:, day] + extra[: len(series.codes)], 0.0)
    areas = [
        Area(
            code=code,
            capacity=int(series.staffed[i, day]),
            covid_occupied=int(round(occ[i])),
            non_covid_occupied=int(series.non_covid[i, day]),
            forecast=() if forecast is None else tuple(float(v) for v in forecast[i]),
            lat=float(series.lat[i]),
            lon=float(series.lon[i]),
            population=int(series.population[i]),
            acute_inflow=float(series.admissions[i, day]),
        )
        for i, code in enumerate(series.codes)
    ]
    if last_resort is not None and settings.use_last_resort:
        areas.append(
            Area(
                code=last_resort.code,
                capacity=last_resort.capacity,
                covid_occupied=int(round(max(extra[-1], 0.0))),
                lat=last_resort.lat,
                lon=last_resort.lon,
                is_last_resort=True,
                cost_weight=last_resort.cost_weight,
            )
        )
    return areas


def replay(
    series: RegionSeries, policy: Policy | None, settings: SpreadSettings, *,
    name: str, last_resort: Area | None = None, perfect_forecast: bool = False,
) -> ReplayResult:  # fmt: skip
    """Run ``policy`` (None = no coordination) over every day of ``series``."""
    n, days = series.covid.shape
    rate = discharge_rates(series)
    rate_all = np.r_[rate, np.median(rate)]
    extra = np.zeros(n + 1)  # last slot: patients in Germany
    index = {code: i for i, code in enumerate(series.codes)}
    if last_resort is not None:
        index[last_resort.code] = n
    coords = np.c_[series.lat, series.lon]
    if last_resort is not None:
        coords = np.r_[coords, [[last_resort.lat, last_resort.lon]]]
    after = np.zeros((n, days))
    transfers = moves = abroad = 0
    km = 0.0
    began = time.perf_counter()
    for day in range(days):
        forecast = None
        if perfect_forecast:
            ahead = np.arange(1, settings.horizon_days)
            cols = np.minimum(day + ahead, days - 1)
            decay = (1 - rate[:, None]) ** ahead[None, :]
            forecast = np.maximum(series.covid[:, cols] + extra[:n, None] * decay, 0.0)
        areas = _areas(series, day, extra, settings, last_resort, forecast)
        if policy is not None:
            plan = policy(areas, settings)
            for t in plan.transfers:
                if t.day != 0:
                    continue
                i, j = index[t.source], index[t.target]
                extra[i] -= t.patients
                extra[j] += t.patients
                transfers += t.patients
                moves += 1
                abroad += t.patients if j == n else 0
                km += t.patients * float(haversine_km(*coords[i], *coords[j]))
        after[:, day] = np.maximum(series.covid[:, day] + extra[:n], 0.0)
        extra *= 1.0 - rate_all
    return _result(series, after, settings, name, transfers, moves, km, abroad, began)


def _result(
    series: RegionSeries, after: FloatArray, settings: SpreadSettings, name: str,
    transfers: int, moves: int, km: float, abroad: int, began: float,
) -> ReplayResult:  # fmt: skip
    days = after.shape[1]
    worst = 0.0
    mean_abs = 0.0
    overflow = 0.0
    for day in range(days):
        # agreed capacity of that day (staffed and non-COVID change over time)
        today = [
            Area(code, int(series.staffed[i, day]), 0, int(series.non_covid[i, day]),
                 population=int(series.population[i]))
            for i, code in enumerate(series.codes)
        ]  # fmt: skip
        share = fair_share(today, after[:, day], settings.basis)
        gap = np.abs(share.load - share.national_load)
        worst = max(worst, float(np.nanmax(gap)))
        mean_abs += float(np.nansum(np.abs(share.deviation)))
        limit = series.staffed[:, day] - series.non_covid[:, day]
        overflow += float(np.maximum(after[:, day] - limit, 0.0).sum())
    return ReplayResult(
        policy=name,
        max_load_deviation=worst,
        mean_abs_deviation=mean_abs / max(days, 1),
        overflow_bed_days=overflow,
        transfers=transfers,
        moves=moves,
        patient_km=km,
        last_resort_patients=abroad,
        seconds=time.perf_counter() - began,
    )


def run_policies(
    series: RegionSeries, settings: SpreadSettings,
    policies: Sequence[tuple[str, Policy | None, bool]], last_resort: Area | None = None,
) -> list[ReplayResult]:  # fmt: skip
    """Replay each (name, policy, perfect_forecast) on the same data."""
    return [
        replay(series, policy, settings, name=name, last_resort=last_resort,
               perfect_forecast=perfect)
        for name, policy, perfect in policies
    ]  # fmt: skip
