"""Fair-share targets: who carries how much of the national COVID load.

LCPS aimed to spread the COVID workload "as evenly as possible" so every region keeps
regular care with equal waiting times (domain.md, "Forecasting and spreading"); the
expert team asks for a smarter fair-share model with proportional access per ROAZ
region (seed 001, "Landelijke spreiding"). Here an area's *load* is its COVID occupancy
divided by its agreed COVID capacity; the agreed capacities split the national COVID
beds in proportion to the chosen basis. An area's *fair share* is the occupancy it
would have if every area carried the national load; the *deviation* is what it carries
above (+) or below (-) that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kraan.domain.spreading.model import Area, Basis, FloatArray


def domestic_mask(areas: Sequence[Area]) -> np.ndarray:
    """True for areas that share the load; last-resort areas (Germany) do not."""
    return np.array([not a.is_last_resort for a in areas], dtype=bool)


def basis_weights(areas: Sequence[Area], basis: Basis) -> FloatArray:
    """The basis figure per area (0 for last-resort areas)."""
    values = []
    for area in areas:
        if area.is_last_resort:
            values.append(0.0)
        elif basis is Basis.STAFFED:
            values.append(float(area.capacity))
        elif basis is Basis.SCALE_UP:
            scale_up = area.scale_up_capacity
            values.append(float(area.capacity if scale_up is None else scale_up))
        else:
            values.append(float(area.population))
    return np.asarray(values, dtype=np.float64)


def agreed_capacity(areas: Sequence[Area], basis: Basis) -> FloatArray:
    """National COVID beds split in proportion to the basis; sums to the national total.

    With ``Basis.STAFFED`` and no non-COVID patients this is each area's own COVID beds.
    A basis that sums to zero (e.g. no populations given) falls back to COVID beds.
    """
    domestic = domestic_mask(areas)
    covid_beds = np.array([a.beds_for_covid for a in areas], dtype=np.float64)
    total = covid_beds[domestic].sum()
    weights = basis_weights(areas, basis)
    if weights[domestic].sum() <= 0:
        weights = np.where(domestic, covid_beds, 0.0)
    if weights.sum() <= 0:
        return np.where(domestic, 1.0, 0.0)
    agreed = weights / weights.sum() * total
    # an area with no agreed beds still gets a sliver, so loads stay finite
    return np.where(domestic, np.maximum(agreed, 1e-6), 0.0)


def base_occupancy(areas: Sequence[Area], horizon: int, quantile: float = 0.5) -> FloatArray:
    """COVID occupancy per [area, day] without transfers.

    Day 0 is the snapshot's occupancy; day t >= 1 is forecast value t-1 (the median, or
    the chosen quantile); the last known value is held flat to the horizon.
    """
    base = np.empty((len(areas), horizon), dtype=np.float64)
    for i, area in enumerate(areas):
        path = _forecast_path(area, quantile)
        row = [float(area.covid_occupied), *path][:horizon]
        row += [row[-1]] * (horizon - len(row))
        base[i] = row
    return base


def _forecast_path(area: Area, quantile: float) -> tuple[float, ...]:
    if abs(quantile - 0.5) < 1e-9 and area.forecast:
        return area.forecast
    for q, values in area.forecast_quantiles.items():
        if abs(q - quantile) < 1e-9:
            return values
    if abs(quantile - 0.5) < 1e-9:
        return ()
    raise KeyError(f"area {area.code} has no forecast for quantile {quantile}")


@dataclass(frozen=True, slots=True)
class FairShare:
    """Arrays shaped like the occupancy given ([area] or [area, day])."""

    agreed: FloatArray  # agreed COVID capacity per area
    load: FloatArray  # occupancy / agreed (NaN for last-resort areas)
    national_load: FloatArray  # per day (or scalar array)
    target: FloatArray  # fair-share occupancy
    deviation: FloatArray  # occupancy - target, patients


def fair_share(areas: Sequence[Area], occupancy: FloatArray, basis: Basis) -> FairShare:
    """Loads, fair-share targets and deviations for an occupancy of shape [n] or [n, T]."""
    occupancy = np.asarray(occupancy, dtype=np.float64)
    domestic = domestic_mask(areas)
    agreed = agreed_capacity(areas, basis)
    shape = (-1,) + (1,) * (occupancy.ndim - 1)
    agreed_b = agreed.reshape(shape)
    national = occupancy[domestic].sum(axis=0) / max(agreed[domestic].sum(), 1e-9)
    target = np.where(domestic.reshape(shape), agreed_b * national, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        load = np.where(domestic.reshape(shape), occupancy / agreed_b, np.nan)
    return FairShare(
        agreed=agreed,
        load=load,
        national_load=np.asarray(national, dtype=np.float64),
        target=target,
        deviation=occupancy - target,
    )


@dataclass(frozen=True, slots=True)
class LoadSummary:
    max_load: float
    min_load: float
    max_deviation: float  # largest |load - national load| over areas and days
    overflow: float  # bed-days above staffed capacity (COVID + non-COVID), domestic


def overflow_bed_days(areas: Sequence[Area], occupancy: FloatArray) -> float:
    """Bed-days above staffed beds, with non-COVID occupancy held flat."""
    occupancy = np.asarray(occupancy, dtype=np.float64).reshape(len(areas), -1)
    domestic = domestic_mask(areas)
    limit = np.array([a.capacity - a.non_covid_occupied for a in areas], dtype=np.float64)
    excess = np.maximum(occupancy - limit[:, None], 0.0)
    return float(excess[domestic].sum())


def summarise(areas: Sequence[Area], occupancy: FloatArray, basis: Basis) -> LoadSummary:
    """The before/after figures of the CLI contract.

    Loads are those of the horizon's last day, where the plan leads (on day 0 the
    transfers have not arrived yet, so a maximum over all days could never show what a
    plan achieves); overflow is counted in bed-days over the whole horizon.
    """
    share = fair_share(areas, occupancy, basis)
    domestic = domestic_mask(areas)
    loads = share.load[domestic][:, -1]
    if loads.size == 0:
        return LoadSummary(0.0, 0.0, 0.0, 0.0)
    national = np.asarray(share.national_load)
    gap = np.abs(loads - (national[-1] if national.ndim else national))
    return LoadSummary(
        max_load=float(np.nanmax(loads)),
        min_load=float(np.nanmin(loads)),
        max_deviation=float(np.nanmax(gap)),
        overflow=overflow_bed_days(areas, occupancy),
    )
