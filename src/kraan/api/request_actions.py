"""Staff-help request actions shared by the API router and the requests page.

The request bodies (pydantic) and the checked writes: filing a request, one ladder
step, a deployment. Errors are ``HTTPException``s that the router passes on and the
page (:mod:`kraan.web.requests_pages`) shows; the page imports this module, never the
router (import-linter: "The web pages use services, never an API router").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field

from kraan.api.deps import utc_now
from kraan.domain.access import (
    Principal,
    can_file_request,
    can_handle_regionally,
    can_sign_msob,
    can_take_msob_step,
)
from kraan.domain.requests.ladder import Deployment, Step
from kraan.domain.requests.rules import RuleViolation, StepConflict
from kraan.services import requests as service
from kraan.settings import Settings
from kraan.store import help_requests as store
from kraan.store.db import Engine

Kind = Literal["ic_nurse", "ward_nurse", "care_assistant", "doctor", "support"]
StepName = Literal[
    "answer", "escalate", "reconfirm", "sign", "intake", "fact_finding", "vote", "close",
    "withdraw",
]  # fmt: skip


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_code: str = Field(min_length=1, max_length=32)
    workers: dict[Kind, Annotated[int, Field(ge=0, le=500)]] = Field(
        description="People asked for per kind of care worker, e.g. {'ic_nurse': 4}."
    )
    period_start: date
    period_end: date
    shifts: str = Field(min_length=1, max_length=200, description="e.g. 'day, evening, night'")
    reason: str = Field(min_length=10, max_length=2000)
    measures: str = Field(min_length=10, max_length=2000, description="Measures already taken.")


class StepBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: StepName
    version: int | None = Field(None, description="Version you saw; a stale one gets 409.")
    answer: Literal["filled", "partly", "cannot_fill"] | None = None
    asked: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, description="Who was asked at this rung (answer)."
    )
    provided: dict[Kind, Annotated[int, Field(ge=0, le=500)]] = Field(default_factory=dict)
    party: Literal["defence", "vws", "ggd_ghor_locc"] | None = None
    approve: bool | None = None
    granted: dict[Kind, Annotated[int, Field(ge=0, le=500)]] = Field(default_factory=dict)
    workers: dict[Kind, Annotated[int, Field(ge=0, le=500)]] = Field(
        default_factory=dict, description="Re-confirm: the numbers still needed (optional)."
    )
    note: str = Field("", max_length=4000)


class DeploymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    count: int = Field(1, ge=1, le=500)
    person_ref: str = Field("", max_length=100, description="Required for medical staff.")
    source: str = Field(min_length=2, max_length=100, description="Who sent them.")
    start: datetime
    end: datetime


def rule_error(error: RuleViolation) -> HTTPException:
    return HTTPException(
        422,
        detail=[{"field": f, "message": m, "rule": error.rule} for f, m in error.problems],
    )


def refused(principal: Principal, what: str) -> HTTPException:
    return HTTPException(403, detail=f"{principal.username} ({principal.role.value}) may not "
                         f"{what}")  # fmt: skip


def may_take(principal: Principal, header: dict[str, Any], body: StepBody) -> bool:
    """The role rule of one ladder step, against the request's location and rung."""
    region, location = header["region_code"], header["location_code"]
    if body.step in ("sign",):
        return can_sign_msob(principal, safety_region_code=header["safety_region_code"])
    if body.step in ("intake", "fact_finding", "vote"):
        return can_take_msob_step(principal, step=body.step, party=body.party)
    if body.step == "reconfirm":
        return can_file_request(principal, location_code=location, region_code=region)
    if body.step == "withdraw":
        return can_file_request(principal, location_code=location, region_code=region)
    return can_handle_regionally(principal, region_code=region)


def step_data(body: StepBody) -> dict[str, Any]:
    data: dict[str, Any] = {"note": body.note.strip()}
    if body.step == "answer":
        data.update(answer=body.answer, asked=body.asked, provided=dict(body.provided))
    if body.step == "vote":
        data.update(party=body.party, approve=bool(body.approve), granted=dict(body.granted))
    if body.step == "reconfirm" and body.workers:
        data["workers"] = dict(body.workers)
    return data


def take_step(
    engine: Engine, settings: Settings, principal: Principal, request_id: int, body: StepBody
) -> dict[str, Any]:
    """Role check, then the step in one transaction; the shared path of API and pages."""
    with engine.connect() as conn:
        try:
            header = store.request_header(conn, request_id=request_id)
        except store.NotFound as error:
            raise HTTPException(404, detail=str(error)) from error
    if not may_take(principal, header, body):
        raise refused(principal, f"take step '{body.step}' on help request {request_id}")
    now = utc_now()
    try:
        with engine.begin() as conn:
            item = store.take_step(
                conn, request_id=request_id, step=Step(body.step), data=step_data(body),
                actor=principal.username, now=now, stale_after=settings.request_stale_after,
                expected_version=body.version,
            )  # fmt: skip
            deployed = [d for _, _, d in store.deployments(conn, request_id=request_id)]
    except RuleViolation as error:
        raise rule_error(error) from error
    except StepConflict as error:
        raise HTTPException(409, detail=str(error)) from error
    return service.request_view(
        request_id, item, as_of=now, stale_after=settings.request_stale_after,
        deployments=deployed, detail=True,
    )  # fmt: skip


def create_request(
    engine: Engine, settings: Settings, principal: Principal, body: RequestCreate
) -> dict[str, Any]:
    now = utc_now()
    with engine.begin() as conn:
        location = service.location_of(conn, body.location_code)
        if location is None:
            raise HTTPException(
                422, detail=[{"field": "location_code", "message": "unknown location",
                              "rule": "request_fields"}],
            )  # fmt: skip
        if not can_file_request(
            principal, location_code=location.code, region_code=location.region_code
        ):
            raise refused(principal, f"file a help request for {location.code}")
        data = {
            **body.model_dump(),
            "region_code": location.region_code,
            "safety_region_code": location.safety_region_code,
            **service.capacity_link(conn, location_code=location.code, as_of=now),
        }
        try:
            request_id, item = store.create_request(
                conn, data=data, actor=principal.username, now=now
            )
        except RuleViolation as error:
            raise rule_error(error) from error
    return service.request_view(
        request_id, item, as_of=now, stale_after=settings.request_stale_after, deployments=[],
        detail=True,
    )  # fmt: skip


def add_deployment(
    engine: Engine, settings: Settings, principal: Principal, request_id: int,
    body: DeploymentCreate,
) -> dict[str, Any]:  # fmt: skip
    with engine.connect() as conn:
        try:
            header = store.request_header(conn, request_id=request_id)
        except store.NotFound as error:
            raise HTTPException(404, detail=str(error)) from error
    allowed = can_handle_regionally(principal, region_code=header["region_code"]) or (
        header["rung"] == 3 and can_take_msob_step(principal, step="vote", party="defence")
    )
    if not allowed:
        raise refused(principal, f"record deployments on help request {request_id}")
    deployment = Deployment(body.kind, body.count, body.person_ref, body.source,
                            _naive(body.start), _naive(body.end))  # fmt: skip
    try:
        with engine.begin() as conn:
            new_id = store.add_deployment(
                conn, request_id=request_id, deployment=deployment, actor=principal.username,
                now=utc_now(), stale_after=settings.request_stale_after,
            )  # fmt: skip
    except RuleViolation as error:
        raise rule_error(error) from error
    except StepConflict as error:
        raise HTTPException(409, detail=str(error)) from error
    return {"id": new_id, "request_id": request_id, **body.model_dump(mode="json")}


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
