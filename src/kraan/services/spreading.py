"""Spreading around the store: the live snapshot as an input document.

The JSON contract (docs/spreading.md): ``{"areas": [...], "settings": {...}}`` in,
``{"plan": [...], "before": {...}, "after": {...}, "solve_seconds": ...}`` out.
By concern:

- :mod:`kraan.services.spreading_parse`: input documents -> domain values, each
  problem with its field, e.g. ``areas[2].capacity: must be a whole number >= 0``;
- :mod:`kraan.services.spreading_render`: plans -> output documents, ``solve_document``;
- this module: :func:`export_snapshot`, the store at ``as_of`` as an input document;
- :mod:`kraan.services.spreading_replay`: the evaluation replay of a real period.

The names below are the public interface the API, the web and the CLI use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection

from kraan.domain.model import CareLevel, LocationKind
from kraan.domain.spreading.model import Area
from kraan.services.spreading_parse import parse_document
from kraan.services.spreading_render import (
    MAX_TIME_LIMIT_SECONDS,
    area_document,
    capped_document,
    plan_document,
    plan_transfers,
    solve_document,
)
from kraan.settings import Settings

#: Germany as the last resort when the store has no capacity for it: the demo's LCPS
#: series shows at most 11 Dutch IC patients in Germany in Oct 2020 - Jan 2021;
#: 20 beds offered is an assumption, configurable per request.
LAST_RESORT_BEDS = 20
LAST_RESORT_CODE = "DE-ABROAD"


def export_snapshot(
    conn: Connection, *, as_of: datetime, settings: Settings, care_level: str = "ic"
) -> dict[str, Any]:
    """The input document for the live system at ``as_of``: regions, plus Germany.

    Each region looks ahead by Kraan's own forecast (``settings.spread_forecast_quantile``,
    the median by default; a region without a forecast is held flat and named in
    ``forecast.held_flat``); a region's place is the bed-weighted centroid of its
    hospitals; its own acute inflow is the last 24 h of COVID admissions reported.
    """
    from kraan.services.overview import take_snapshot
    from kraan.services.spread_forecast import forecast_note, region_forecasts
    from kraan.store.reference import load_locations, load_regions

    level = CareLevel.IC if care_level == "ic" else CareLevel.WARD
    snapshot = take_snapshot(conn, as_of=as_of, settings=settings)
    quantile = settings.spread_forecast_quantile
    paths, missing = region_forecasts(
        conn, as_of=as_of, regions=[r.code for r in snapshot.regions], target=care_level,
        quantile=quantile,
    )  # fmt: skip
    population = {r.code: r.population for r in load_regions(conn)}
    located = [loc for _, loc in load_locations(conn)]
    areas: list[Area] = []
    for region in snapshot.regions:
        totals = region.level(level)
        hospitals = [
            loc for loc in located
            if loc.region_code == region.code and loc.kind is LocationKind.HOSPITAL
        ]  # fmt: skip
        weights = np.array([max(loc.planned_beds.get(level, 0), 1) for loc in hospitals], float)
        lat = float(np.average([h.lat for h in hospitals], weights=weights)) if hospitals else 0.0
        lon = float(np.average([h.lon for h in hospitals], weights=weights)) if hospitals else 0.0
        areas.append(
            Area(
                code=region.code,
                capacity=totals.staffed,
                covid_occupied=totals.covid + totals.ontlabeld,
                non_covid_occupied=totals.non_covid,
                lat=round(lat, 5),
                lon=round(lon, 5),
                population=population.get(region.code, 0),
                acute_inflow=float(totals.admissions_24h),
                forecast=paths.get(region.code, {}).get(0.5, ()),
                forecast_quantiles=(
                    {quantile: paths[region.code][quantile]}
                    if region.code in paths and quantile != 0.5
                    else {}
                ),
            )
        )
    abroad = next((loc for loc in located if loc.kind is LocationKind.ABROAD), None)
    if abroad is not None and level is CareLevel.IC:
        beds = max(abroad.planned_beds.get(level, 0), LAST_RESORT_BEDS, snapshot.abroad_ic)
        areas.append(
            Area(abroad.code, beds, snapshot.abroad_ic, lat=abroad.lat, lon=abroad.lon,
                 is_last_resort=True, cost_weight=1.0)
        )  # fmt: skip
    spread: dict[str, Any] = {"care_level": care_level}
    if quantile != 0.5:
        spread["quantile"] = quantile
    return {
        "as_of": as_of.isoformat(),
        "areas": [area_document(a) for a in areas],
        "settings": spread,
        "forecast": forecast_note(quantile, len(paths), missing),
    }


__all__ = [
    "LAST_RESORT_BEDS",
    "LAST_RESORT_CODE",
    "MAX_TIME_LIMIT_SECONDS",
    "area_document",
    "capped_document",
    "export_snapshot",
    "parse_document",
    "plan_document",
    "plan_transfers",
    "solve_document",
]
