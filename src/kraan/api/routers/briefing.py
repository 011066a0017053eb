"""The weekly briefing as JSON, and module readiness per region (issue 11).

The briefing is built from public aggregates only (no patient data, no names of
reporters), so, like ``/api/v1/status``, it is public. Recording readiness is a
write: the region's coordinators or a national coordinator, audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from kraan.api.deps import EngineDep, PrincipalDep, SettingsDep, parse_as_of, utc_now
from kraan.domain.access import can_declare_status
from kraan.domain.briefing.compare import compare
from kraan.domain.briefing.readiness import ReadinessError, check_record
from kraan.services.briefing import BriefingInputError, build_briefing, readiness_document
from kraan.services.briefing import resolve_as_of as resolve
from kraan.services.live_forecast import engine_key
from kraan.store.readiness import record_readiness
from kraan.store.reference import load_regions

router = APIRouter(prefix="/api/v1", tags=["briefing"])

AsOfQuery = Annotated[
    str | None, Query(description="YYYY-MM-DD (end of that day) or an ISO 8601 moment")
]


def resolve_as_of(raw: str | None, field: str = "as_of") -> tuple[datetime, str]:
    """(moment, the value the figure sources repeat); a clear 422 for a bad value."""
    try:
        return resolve(raw, now=utc_now(), field=field)
    except BriefingInputError as error:
        raise HTTPException(422, detail=[{"field": error.field, "message": str(error)}]) from None


@router.get("/briefing", summary="The weekly Hand aan de Kraan briefing at as_of (document model)")
def get_briefing(
    engine: EngineDep,
    settings: SettingsDep,
    as_of: AsOfQuery = None,
    compare_with: Annotated[
        str | None, Query(alias="compare", description="another date: what changed since then")
    ] = None,
) -> dict[str, Any]:
    moment, param = resolve_as_of(as_of)
    key = engine_key(engine)
    with engine.connect() as conn:
        doc = build_briefing(
            conn, as_of=moment, as_of_param=param, settings=settings, engine_key=key,
            generated_at=utc_now(),
        )  # fmt: skip
        out = doc.as_dict()
        if compare_with:
            other_moment, other_param = resolve_as_of(compare_with, "compare")
            other = build_briefing(
                conn, as_of=other_moment, as_of_param=other_param, settings=settings,
                engine_key=key, generated_at=utc_now(),
            )  # fmt: skip
            out["compare"] = {
                "as_of": other.as_of,
                "changes": [c.as_dict() for c in compare(other, doc)],
            }
    return out


@router.get("/modules/readiness", summary="Module readiness per region at as_of")
def get_readiness(engine: EngineDep, as_of: AsOfQuery = None) -> dict[str, Any]:
    moment, _ = resolve_as_of(as_of)
    with engine.connect() as conn:
        return readiness_document(conn, as_of=moment)


class ReadinessCreate(BaseModel):
    state: str = Field(description="not_started | in_preparation | ready | active")
    valid_from: datetime | None = Field(
        None, description="from when the state holds (default: now); with a zone, or UTC"
    )
    note: str = Field("", max_length=500)


@router.post(
    "/regions/{region_code}/modules/{module}",
    status_code=201,
    summary="Record a module's readiness in a region (its coordinators, or national)",
)
def post_readiness(
    region_code: str, module: str, body: ReadinessCreate, engine: EngineDep,
    principal: PrincipalDep,
) -> dict[str, Any]:  # fmt: skip
    region_code = region_code.upper()
    if not can_declare_status(principal, region_code=region_code):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"only the coordinators of {region_code} or a national coordinator may "
            "record its module readiness",
        )
    try:
        state = check_record(module.upper(), body.state)
    except ReadinessError as error:
        raise HTTPException(422, detail=[{"field": error.field, "message": str(error)}]) from None
    now = utc_now()
    valid_from = now
    if body.valid_from is not None:
        parsed = parse_as_of(body.valid_from.isoformat())
        valid_from = parsed if parsed is not None else now
    if valid_from.year < 2020 or valid_from.year >= 2100:
        raise HTTPException(
            422, detail=[{"field": "valid_from", "message": "must lie in 2020-2099"}]
        )
    with engine.begin() as conn:
        if region_code not in {r.code for r in load_regions(conn)}:
            raise HTTPException(404, detail=f"unknown region '{region_code}'")
        record_id = record_readiness(
            conn, region_code=region_code, module=module.upper(), state=state,
            valid_from=valid_from, actor=principal.username, now=now, note=body.note,
        )  # fmt: skip
    return {
        "id": record_id,
        "region_code": region_code,
        "module": module.upper(),
        "state": state.value,
        "valid_from": valid_from.isoformat(),
    }
