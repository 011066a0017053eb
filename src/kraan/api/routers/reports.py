"""Capacity reports: write one, a batch (all-or-nothing), or a CSV; read versions."""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager, nullcontext, suppress
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, UploadFile, status
from fastapi.responses import JSONResponse

from kraan.api.bounds import CleanText, Moment, limit_query
from kraan.api.deps import EngineDep, PrincipalDep, SettingsDep, utc_now
from kraan.api.schemas import BatchCreate, ReportCreate
from kraan.domain.access import can_read_details, can_report_for, detail_scope
from kraan.ingest.csv_reports import CsvFormatError
from kraan.services.ingest import import_csv, ingest_reports
from kraan.store.faults import IntegrityError
from kraan.store.idempotency import recall, remember
from kraan.store.locks import named_lock
from kraan.store.reference import load_locations
from kraan.store.rejections import recent_rejections
from kraan.store.reports import report_as_dict, report_versions

router = APIRouter(prefix="/api/v1", tags=["reports"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Replays return the first answer.",
    ),
]


def _replay(engine: Any, key: str | None, actor: str, body: bytes) -> JSONResponse | None:
    if not key:
        return None
    digest = hashlib.sha256(body).hexdigest()
    with engine.connect() as conn:
        row = recall(conn, key=key, actor=actor)
    if row is None:
        return None
    if row.request_hash != digest:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail="this Idempotency-Key was used for a different request; use a new key",
        )
    return JSONResponse(row.response, status_code=200, headers={"Idempotent-Replay": "true"})


def _key_lock(engine: Any, key: str | None, actor: str) -> AbstractContextManager[None]:
    """Requests with the same key wait for each other: the second one replays the first."""
    return named_lock(engine, f"idempotency:{actor}:{key}") if key else nullcontext()


def _remember(engine: Any, key: str | None, actor: str, body: bytes, response: dict) -> None:  # type: ignore[type-arg]
    if not key:
        return
    # another process may have stored the answer first; it describes the same data
    with suppress(IntegrityError):
        _insert_key(engine, key, actor, body, response)


def _insert_key(engine: Any, key: str, actor: str, body: bytes, response: dict) -> None:  # type: ignore[type-arg]
    with engine.begin() as conn:
        remember(
            conn,
            key=key,
            actor=actor,
            request_hash=hashlib.sha256(body).hexdigest(),
            response=response,
            now=utc_now(),
        )


def _write(
    engine: Any, settings: Any, principal: Any, reports: list[ReportCreate], source: str
) -> tuple[int, dict[str, Any]]:
    results = ingest_reports(
        engine,
        [r.to_domain() for r in reports],
        principal=principal,
        source=source,
        settings=settings,
        now=utc_now(),
        all_or_nothing=True,
    )
    if any(r.errors for r in results):
        detail = [
            {"field": f"reports[{r.index}].{e.field}", "message": e.message}
            for r in results
            for e in r.errors
        ]
        return 422, {
            "detail": detail,
            "message": "nothing was stored: fix the fields listed and send the batch again",
            "results": [r.as_dict() for r in results],
        }
    return 200, {"results": [r.as_dict() for r in results]}


@router.post("/reports", summary="Submit one capacity report")
def create_report(
    report: ReportCreate,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    body = report.model_dump_json().encode()
    with _key_lock(engine, idempotency_key, principal.username):
        replay = _replay(engine, idempotency_key, principal.username, body)
        if replay:
            return replay
        code, payload = _write(engine, settings, principal, [report], "api")
        if code == 422:
            payload["detail"] = [
                {**d, "field": d["field"].removeprefix("reports[0].")} for d in payload["detail"]
            ]
            return JSONResponse(payload, status_code=422)
        result = payload["results"][0]
        _remember(engine, idempotency_key, principal.username, body, result)
    return JSONResponse(result, status_code=201 if result["outcome"] == "created" else 200)


@router.post("/reports/batch", summary="Submit a batch of reports (all-or-nothing)")
def create_batch(
    batch: BatchCreate,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    if len(batch.reports) > settings.max_batch_size:
        raise HTTPException(413, detail=f"at most {settings.max_batch_size} reports per batch")
    body = batch.model_dump_json().encode()
    with _key_lock(engine, idempotency_key, principal.username):
        replay = _replay(engine, idempotency_key, principal.username, body)
        if replay:
            return replay
        code, payload = _write(engine, settings, principal, batch.reports, "api")
        if code == 200:
            outcomes = [r["outcome"] for r in payload["results"]]
            payload["summary"] = {k: outcomes.count(k) for k in sorted(set(outcomes))}
            _remember(engine, idempotency_key, principal.username, body, payload)
    return JSONResponse(payload, status_code=code)


@router.post("/reports/csv", summary="Upload a CSV of reports: a result per row")
def upload_csv(
    file: UploadFile, engine: EngineDep, settings: SettingsDep, principal: PrincipalDep
) -> dict[str, Any]:
    raw = file.file.read(settings.max_csv_bytes + 1)
    if len(raw) > settings.max_csv_bytes:
        raise HTTPException(
            413, detail=f"the CSV is larger than {settings.max_csv_bytes} bytes; split it"
        )
    if raw.count(b"\n") > settings.max_csv_rows + 1:
        raise HTTPException(
            413, detail=f"the CSV has more than {settings.max_csv_rows} rows; split it"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise HTTPException(
            422, detail=[{"field": "file", "message": "save the CSV as UTF-8"}]
        ) from error
    try:
        rows = import_csv(engine, text, principal=principal, settings=settings, now=utc_now())
    except CsvFormatError as error:
        raise HTTPException(422, detail=[{"field": "file", "message": str(error)}]) from error
    outcomes = [r["outcome"] for r in rows]
    return {"rows": rows, "summary": {k: outcomes.count(k) for k in sorted(set(outcomes))}}


@router.get("/reports/{location_code}/versions", summary="Every version of one report")
def versions(
    location_code: CleanText,
    reported_at: Annotated[Moment, Query()],
    engine: EngineDep,
    principal: PrincipalDep,
) -> list[dict[str, Any]]:
    """Who recorded each version: the location's reporters, its region's coordinators and
    national coordinators only."""
    with engine.connect() as conn:
        located = {loc.code: (lid, loc) for lid, loc in load_locations(conn, active_only=False)}
        if location_code not in located:
            raise HTTPException(404, detail=f"unknown location '{location_code}'")
        location_id, location = located[location_code]
        allowed = can_report_for(
            principal, location_code=location_code, region_code=location.region_code
        )
        if not allowed:
            raise HTTPException(403, detail="only the location's reporters and coordinators")
        rows = report_versions(
            conn, location_id=location_id, reported_at=reported_at, code=location_code
        )
    return [
        {
            **report_as_dict(report),
            "is_current": bool(meta["is_current"]),
            "recorded_at": meta["recorded_at"].isoformat(),  # type: ignore[attr-defined]
            "recorded_by": meta["recorded_by"],
            "source": meta["source"],
            "warnings": [w for w in str(meta["warnings"]).split("\n") if w],
        }
        for report, meta in rows
    ]


@router.get("/rejections", summary="Rejected inputs and why (coordinators)")
def rejections(
    engine: EngineDep,
    principal: PrincipalDep,
    limit: Annotated[int, limit_query(1000)] = 100,
) -> list[dict[str, Any]]:
    """National coordinators see all; regional ones those of their region's locations."""
    if not can_read_details(principal):
        raise HTTPException(403, detail="coordinators only")
    with engine.connect() as conn:
        rows = recent_rejections(conn, limit=limit, region=detail_scope(principal))
    return [{**r, "received_at": r["received_at"].isoformat()} for r in rows]  # type: ignore[attr-defined]
