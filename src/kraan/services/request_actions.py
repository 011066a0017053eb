"""Staff-help request actions shared by the API router and the requests page.

The request bodies (pydantic) and the checked writes: filing a request, one ladder
step, a deployment. A broken rule raises the domain's errors
(:mod:`kraan.domain.requests.rules`): ``RuleViolation`` (a named rule), ``StepConflict``
(somebody was first), ``Refused`` (the role may not), ``Missing`` (no such request).
Each adapter maps them: the API router to 422 / 409 / 403 / 404
(:mod:`kraan.api.domain_errors`), the page (:mod:`kraan.web.requests_pages`) to a form
error with the same words.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kraan.domain.access import (
    Principal,
    can_file_request,
    can_handle_regionally,
    can_sign_msob,
    can_take_msob_step,
)
from kraan.domain.requests.ladder import Deployment, Step
from kraan.domain.requests.rules import Refused, RuleViolation
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


def refused(principal: Principal, what: str) -> Refused:
    return Refused(principal.username, principal.role.value, what)


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


def may_deploy(principal: Principal, header: dict[str, Any]) -> bool:
    """Deployments: the region (or national), and Defence on an MSOB request (rung 3)."""
    return can_handle_regionally(principal, region_code=header["region_code"]) or (
        header["rung"] == 3 and can_take_msob_step(principal, step="vote", party="defence")
    )


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
    engine: Engine, settings: Settings, principal: Principal, request_id: int, body: StepBody,
    *, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """Role check, then the step in one transaction; the shared path of API and pages."""
    with engine.connect() as conn:
        header = store.request_header(conn, request_id=request_id)
    if not may_take(principal, header, body):
        raise refused(principal, f"take step '{body.step}' on help request {request_id}")
    with engine.begin() as conn:
        item = store.take_step(
            conn, request_id=request_id, step=Step(body.step), data=step_data(body),
            actor=principal.username, now=now, stale_after=settings.request_stale_after,
            expected_version=body.version,
        )  # fmt: skip
        deployed = [d for _, _, d in store.deployments(conn, request_id=request_id)]
    return service.request_view(
        request_id, item, as_of=now, stale_after=settings.request_stale_after,
        deployments=deployed, detail=True,
    )  # fmt: skip


def create_request(
    engine: Engine, settings: Settings, principal: Principal, body: RequestCreate,
    *, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    with engine.begin() as conn:
        location = service.location_of(conn, body.location_code)
        if location is None:
            raise RuleViolation("request_fields", "unknown location", field="location_code")
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
        request_id, item = store.create_request(conn, data=data, actor=principal.username, now=now)
    return service.request_view(
        request_id, item, as_of=now, stale_after=settings.request_stale_after, deployments=[],
        detail=True,
    )  # fmt: skip


def add_deployment(
    engine: Engine, settings: Settings, principal: Principal, request_id: int,
    body: DeploymentCreate, *, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    with engine.connect() as conn:
        header = store.request_header(conn, request_id=request_id)
    if not may_deploy(principal, header):
        raise refused(principal, f"record deployments on help request {request_id}")
    deployment = Deployment(body.kind, body.count, body.person_ref, body.source,
                            _naive(body.start), _naive(body.end))  # fmt: skip
    with engine.begin() as conn:
        new_id = store.add_deployment(
            conn, request_id=request_id, deployment=deployment, actor=principal.username,
            now=now, stale_after=settings.request_stale_after,
        )  # fmt: skip
    return {"id": new_id, "request_id": request_id, **body.model_dump(mode="json")}


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
