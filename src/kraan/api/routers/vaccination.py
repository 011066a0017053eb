"""Vaccination order and schedule (docs/vaccination.md). Aggregate planning data: public.

- ``GET  /api/v1/vaccination/priority``: the versioned order with sizes and sources;
- ``POST /api/v1/vaccination/schedule``: greedy and LP schedules for given deliveries
  (or the real 2021 pattern) with what-ifs; nothing is stored;
- ``GET  /api/v1/vaccination/schedule.csv|.json``: the 2021-pattern schedule as an export;
- ``GET  /api/v1/vaccination/compare-2021``: model against the real programme.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from kraan.api.vaccination_actions import ScheduleRequest, build_document
from kraan.domain.care_at_home.vaccination_order import VaccinationDataError
from kraan.services.care_at_home import vaccination as service

router = APIRouter(prefix="/api/v1/vaccination", tags=["vaccination"])


def _problems(error: VaccinationDataError) -> HTTPException:
    return HTTPException(
        422, detail=[{"field": name, "message": message} for name, message in error.problems]
    )


default_document = service.default_document


@router.get("/priority", summary="The versioned priority order, sizes and sources")
def priority() -> dict[str, Any]:
    return service.priority_data()


@router.post("/schedule", summary="Greedy and LP schedules for deliveries and what-ifs")
async def schedule(request: ScheduleRequest) -> dict[str, Any]:
    try:
        if request == ScheduleRequest(real_2021=True):
            return await run_in_threadpool(default_document)
        return await run_in_threadpool(build_document, request)
    except VaccinationDataError as error:
        raise _problems(error) from error


@router.get(
    "/schedule.csv",
    summary="Export: one row per cohort (2021 pattern)",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def schedule_csv(method: Literal["lp", "greedy"] = "lp") -> PlainTextResponse:
    document = await run_in_threadpool(default_document)
    return PlainTextResponse(
        service.export_csv(document, method),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="vaccination-{method}.csv"'},
    )


@router.get("/schedule.json", summary="Export: the whole document (2021 pattern)")
async def schedule_json() -> JSONResponse:
    document = await run_in_threadpool(default_document)
    return JSONResponse(
        document, headers={"Content-Disposition": 'attachment; filename="vaccination.json"'}
    )


@router.get("/compare-2021", summary="Model first-dose weeks of the over-60s against 2021")
async def compare_2021() -> dict[str, Any]:
    document = await run_in_threadpool(default_document)
    return service.compare_2021(document)
