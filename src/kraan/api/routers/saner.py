"""HL7 FHIR SANER in and out (docs/saner.md).

``POST /fhir/MeasureReport``: a SANER bed-capacity MeasureReport about one location
becomes a Kraan report, through the same validation, idempotency (``Idempotency-Key``)
and audit as ``POST /api/v1/reports``.

``GET /fhir/MeasureReport?subject=...&period=...``: Kraan's figures as MeasureReports
in a searchset Bundle: per location (``Location/<code>``; the location's own users),
per ROAZ region (``Region/<code>``) and nationally (``Country/NL`` or no subject), the
last two public. ``period`` is a date (the end of that Dutch day) or an ISO time.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.responses import JSONResponse

from kraan.api.deps import (
    EngineDep,
    OptionalPrincipalDep,
    PrincipalDep,
    SettingsDep,
    parse_as_of,
    utc_now,
)
from kraan.api.routers.reports import IdempotencyKey, _remember, _replay
from kraan.domain.access import can_report_for
from kraan.services.ingest import ingest_reports
from kraan.services.saner import (
    COUNTRY_IDS,
    REGION_IDS,
    SanerError,
    aggregate,
    bundle,
    from_measure_report,
    to_measure_report,
)
from kraan.store.reference import load_locations
from kraan.store.reports import latest_reports

router = APIRouter(prefix="/fhir", tags=["fhir (SANER)"])
FHIR_JSON = "application/fhir+json"


@router.post("/MeasureReport", summary="Submit a SANER bed-capacity MeasureReport")
def post_measure_report(
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    document: Annotated[dict[str, Any], Body(description="A FHIR R4 MeasureReport (SANER)")],
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    body = json.dumps(document, sort_keys=True).encode()
    replay = _replay(engine, idempotency_key, principal.username, body)
    if replay:
        return replay
    try:
        report = from_measure_report(document)
    except SanerError as error:
        detail = [{"field": f, "message": m} for f, m in error.problems]
        return JSONResponse({"detail": detail, "message": "nothing was stored: fix the fields "
                             "listed and send again"}, status_code=422)  # fmt: skip
    results = ingest_reports(engine, [report], principal=principal, source="fhir",
                             settings=settings, now=utc_now(), all_or_nothing=True)  # fmt: skip
    result = results[0].as_dict()
    if results[0].errors:
        return JSONResponse({"detail": result["errors"], "message": "nothing was stored: fix "
                             "the fields listed and send again"}, status_code=422)  # fmt: skip
    _remember(engine, idempotency_key, principal.username, body, result)
    return JSONResponse(result, status_code=201 if result["outcome"] == "created" else 200)


def _subject(value: str | None) -> tuple[str, str]:
    """("location" | "region" | "country", code) from ``Location/X``, ``Region/X`` ..."""
    if not value or value in ("Country/NL", "NL"):
        return "country", "NL"
    kind, _, code = value.partition("/")
    kinds = {"location": "location", "region": "region", "country": "country"}
    if not code or kind.lower() not in kinds:
        raise HTTPException(422, detail=[{"field": "subject", "message": "use Location/<code>, "
                                          "Region/<code> or Country/NL"}])  # fmt: skip
    return kinds[kind.lower()], code


@router.get(
    "/MeasureReport",
    summary="Kraan's figures as SANER MeasureReports (Bundle)",
    responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}},
                     "description": "A searchset Bundle of MeasureReports"}},  # fmt: skip
)
def get_measure_reports(
    engine: EngineDep,
    principal: OptionalPrincipalDep,
    subject: Annotated[str | None, Query(description="Location/<code>, Region/<code>, "
                                         "Country/NL (default)")] = None,  # fmt: skip
    period: Annotated[str | None, Query(description="YYYY-MM-DD (end of that day) or ISO "
                                        "time; default now")] = None,  # fmt: skip
) -> JSONResponse:
    kind, code = _subject(subject)
    as_of: datetime = parse_as_of(period) or utc_now()
    with engine.connect() as conn:
        located = load_locations(conn)
        if kind == "location":
            match = [(i, loc) for i, loc in located if loc.code == code]
            if not match:
                raise HTTPException(404, detail=f"no location {code}")
            location = match[0][1]
            allowed = principal is not None and can_report_for(
                principal, location_code=location.code, region_code=location.region_code
            )
            if not allowed:
                raise HTTPException(403, detail="a location's figures are for its own users")
            latest = latest_reports(conn, as_of=as_of, location_ids={match[0][0]: code})
            resources = [to_measure_report(r) for r in latest.values()]
        else:
            chosen = {i: loc.code for i, loc in located
                      if kind == "country" or loc.region_code == code.upper()}  # fmt: skip
            if not chosen:
                raise HTTPException(404, detail=f"no region {code}")
            latest = latest_reports(conn, as_of=as_of, location_ids=chosen)
            ident = (REGION_IDS, code.upper()) if kind == "region" else (COUNTRY_IDS, "NL")
            first = min((r.reported_at for r in latest.values()), default=as_of)
            total = aggregate(latest.values(), as_of=as_of)
            resources = [to_measure_report(total, subject=ident, period=(first, as_of))]
    return JSONResponse(bundle(resources), media_type=FHIR_JSON)
