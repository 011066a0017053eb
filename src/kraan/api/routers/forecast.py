"""Forecasts and the phase outlook (public aggregate reads, like /api/v1/status).

Method, quantiles and the capacity answers: docs/forecasting.md. Forecasts are made
from the stored reports up to ``as_of`` and cached (:mod:`kraan.services.live_forecast`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from kraan.api.deps import AsOfDep, EngineDep, SettingsDep
from kraan.services.live_forecast import ForecastError, ForecastSource, engine_key
from kraan.services.live_forecast import forecast_document as live_document
from kraan.services.outlook import build_outlook, outlook_document
from kraan.services.overview import build_overview, criteria_for
from kraan.store.reference import load_regions

router = APIRouter(prefix="/api/v1", tags=["forecast"])


def _unprocessable(error: ForecastError) -> HTTPException:
    return HTTPException(422, detail=[{"field": error.field, "message": str(error)}])


@router.get(
    "/forecast/{target}",
    summary="COVID occupancy forecast 1-14 days ahead, nationally or for one region",
)
def get_forecast(
    target: Literal["ic", "ward"],
    as_of: AsOfDep,
    engine: EngineDep,
    region: Annotated[
        str | None, Query(max_length=16, description="ROAZ region code; none = national")
    ] = None,
    capacity: Annotated[
        float | None,
        Query(
            gt=0,
            le=100_000,
            allow_inf_nan=False,
            description="beds to test; default: the area's staffed beds at as_of",
        ),
    ] = None,
) -> dict[str, Any]:
    """Quantiles per day, the capacity question, and every standard capacity check."""
    with engine.connect() as conn:
        if region is not None and region not in {r.code for r in load_regions(conn)}:
            raise HTTPException(404, detail=f"unknown region '{region}'")
        source = ForecastSource(conn, as_of=as_of, engine=engine_key(engine))
        try:
            live = source.get(target, region)
        except ForecastError as error:
            raise _unprocessable(error) from error
    return live_document(live, capacity=capacity, as_of=as_of)


@router.get("/outlook", summary="Expected LNAZ phase in 7 and 14 days (median and worse case)")
def get_outlook(as_of: AsOfDep, engine: EngineDep, settings: SettingsDep) -> dict[str, Any]:
    with engine.connect() as conn:
        overview = build_overview(conn, as_of=as_of, settings=settings)
        source = ForecastSource(conn, as_of=as_of, engine=engine_key(engine))
        outlook = build_outlook(source, overview, criteria_for(settings))
    return outlook_document(outlook)
