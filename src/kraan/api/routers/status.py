"""The monitor: status, regions, locations and daily series (public aggregate reads)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from kraan.api.bounds import Day
from kraan.api.deps import AsOfDep, AsOfQuery, EngineDep, parse_as_of, utc_now
from kraan.api.responses import LocationDocument, Region, StatusDocument, documented
from kraan.domain.model import MONITORED_LEVELS
from kraan.services.status_cache import StatusCache, etag_for, now_bucket, uncached
from kraan.settings import Settings
from kraan.store.reference import load_locations, load_regions
from kraan.store.series import FIELDS, daily_totals

router = APIRouter(prefix="/api/v1", tags=["monitor"])


@router.get(
    "/status",
    summary="National phase and regional picture at as_of (the CLI contract)",
    responses={
        **documented(StatusDocument),
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
)
async def get_status(request: Request, as_of: AsOfQuery = None) -> Response:
    """Cached per (as_of, data version), with an ETag: a written report changes both.

    Async: a cache hit is answered on the event loop without a thread or a query; a miss,
    or a data version due for a re-read, runs in the thread pool.
    """
    settings: Settings = request.app.state.settings
    engine = request.app.state.engine
    cache: StatusCache | None = request.app.state.status_cache
    asked = parse_as_of(as_of)
    now = utc_now()
    moment = asked or now_bucket(now, settings.status_now_seconds)  # the key and the ETag
    entry = None
    if cache is None:
        entry, version = await run_in_threadpool(
            uncached, engine, as_of=asked or now, settings=settings
        )
    else:
        version = cache.known_version() or await run_in_threadpool(cache.version, engine)
    etag = etag_for("status", moment.isoformat(), version)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={settings.status_max_age_seconds}"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if cache is not None:
        entry = cache.peek(moment, version) or await run_in_threadpool(
            cache.compute, engine, as_of=asked or now, settings=settings, version=version,
            key_as_of=moment,
        )  # fmt: skip
    assert entry is not None
    return Response(entry.body, media_type="application/json", headers=headers)


@router.get(
    "/regions",
    summary="ROAZ regions: their municipalities, the safety regions they overlap, population",
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
                "municipalities": list(r.municipalities),
                "population": r.population,
                # kept for compatibility: regions are made of municipalities by the RIVM
                # table (municipality_roaz.csv), no longer approximated by safety region
                "approximation": False,
            }
            for r in load_regions(conn)
        ]


@router.get(
    "/locations",
    summary="Care locations (synthetic where flagged)",
    responses=documented(list[LocationDocument]),
    response_model=None,
)
def get_locations(
    engine: EngineDep, region: Annotated[str | None, Query(max_length=16)] = None
) -> list[dict[str, Any]]:
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
    region: Annotated[str | None, Query(max_length=16)] = None,
    start: Annotated[Day | None, Query()] = None,
    end: Annotated[Day | None, Query()] = None,
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
