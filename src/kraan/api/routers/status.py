"""The monitor: status, regions, locations and daily series (public aggregate reads)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException

from kraan.api.deps import AsOfDep, EngineDep, SettingsDep
from kraan.api.responses import LocationDocument, Region, StatusDocument, documented
from kraan.domain.model import MONITORED_LEVELS
from kraan.services.contract import status_document
from kraan.services.overview import build_overview
from kraan.store.reference import load_locations, load_regions
from kraan.store.series import FIELDS, daily_totals

router = APIRouter(prefix="/api/v1", tags=["monitor"])


@router.get(
    "/status",
    summary="National phase and regional picture at as_of (the CLI contract)",
    responses=documented(StatusDocument),
    response_model=None,
)
def get_status(as_of: AsOfDep, engine: EngineDep, settings: SettingsDep) -> dict[str, Any]:
    with engine.connect() as conn:
        return status_document(build_overview(conn, as_of=as_of, settings=settings))


@router.get(
    "/regions",
    summary="ROAZ regions (an approximation; editable data)",
    responses=documented(list[Region]),
    response_model=None,
)
def get_regions(engine: EngineDep) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            {
                "code": r.code,
                "name": r.name,
                "safety_regions": list(r.safety_regions),
                "population": r.population,
                "approximation": True,
            }
            for r in load_regions(conn)
        ]


@router.get(
    "/locations",
    summary="Care locations (synthetic where flagged)",
    responses=documented(list[LocationDocument]),
    response_model=None,
)
def get_locations(engine: EngineDep, region: str | None = None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        located = load_locations(conn)
    return [
        {
            "code": loc.code,
            "name": loc.name,
            "kind": loc.kind.value,
            "region_code": loc.region_code,
            "safety_region_code": loc.safety_region_code,
            "lat": loc.lat,
            "lon": loc.lon,
            "planned_beds": {k.value: v for k, v in loc.planned_beds.items()},
            "synthetic": loc.synthetic,
        }
        for _, loc in located
        if region is None or loc.region_code == region
    ]


@router.get("/series", summary="Daily totals per care level, nationally or for one region")
def get_series(
    engine: EngineDep,
    as_of: AsOfDep,
    region: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    end = end or as_of.date()
    start = start or end - timedelta(days=120)
    if start > end:
        raise HTTPException(422, detail=[{"field": "start", "message": "must not be after end"}])
    if (end - start).days > 3660:
        raise HTTPException(422, detail=[{"field": "start", "message": "at most ten years"}])
    with engine.connect() as conn:
        totals = daily_totals(conn, start=start, end=end, until=as_of)
    if region is not None and region not in totals.region_codes:
        raise HTTPException(404, detail=f"unknown region '{region}'")
    row = totals.region_codes.index(region) if region else None
    levels: dict[str, Any] = {}
    for level in MONITORED_LEVELS:
        levels[level.value] = {
            field: (
                totals.get(level, field)[row] if row is not None else totals.national(level, field)
            ).tolist()
            for field in FIELDS
        }
    reporting = totals.reporting[row] if row is not None else totals.reporting.sum(axis=0)
    abroad = [None if v != v else int(v) for v in totals.abroad_ic.tolist()]
    return {
        "area": region or "NL",
        "days": [d.isoformat() for d in totals.days],
        "levels": levels,
        "reporting": reporting.tolist(),
        "abroad_ic": abroad if region is None else None,
    }
