"""Staff-help requests and the ladder (issue 14, docs/requests.md).

Who may do what (kraan.domain.access): the location's reporter files and re-confirms;
the region's coordinator (or DPG) answers rungs 1 and 2, escalates, records deployments
and closes; the chair of the location's safety region signs an MSOB; LOT-C takes it in
and records VWS's and GGD-GHOR/LOCC's decision; Defence records the fact-finding report
and its own decision. A broken rule answers 422 naming it; a step somebody else made
first answers 409. Either way nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from kraan.api.deps import AsOfDep, EngineDep, PrincipalDep, SettingsDep, utc_now
from kraan.api.domain_errors import domain_errors, http_error
from kraan.domain.access import can_read_request
from kraan.services import requests as service
from kraan.services.request_actions import (
    DeploymentCreate,
    RequestCreate,
    StepBody,
    add_deployment,
    create_request,
    refused,
    take_step,
)
from kraan.store import help_requests as store

router = APIRouter(prefix="/api/v1/requests", tags=["help requests"])


# ---- routes -----------------------------------------------------------------------------------


@router.get("/summary", summary="Open requests by rung and kind of worker (public aggregate)")
def get_summary(
    engine: EngineDep, settings: SettingsDep, as_of: AsOfDep,
    region: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:  # fmt: skip
    stale = settings.request_stale_after
    with engine.connect() as conn:
        views = service.request_views(conn, as_of=as_of, stale_after=stale, region=region)
    return {"region": region, **service.summarise(views, as_of=as_of)}


@router.get("", summary="Requests at as_of: details where your role allows, figures otherwise")
def list_requests(
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    as_of: AsOfDep,
    region: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return service.request_views(
            conn, as_of=as_of, stale_after=settings.request_stale_after, region=region,
            principal=principal,
        )  # fmt: skip


@router.get("/{request_id}", summary="One request with its history (those involved)")
def get_request(
    request_id: int, engine: EngineDep, settings: SettingsDep, principal: PrincipalDep,
    as_of: AsOfDep,
) -> dict[str, Any]:  # fmt: skip
    stale = settings.request_stale_after
    with engine.connect() as conn:
        try:
            item = store.load_request(conn, request_id=request_id, stale_after=stale, as_of=as_of)
        except store.NotFound as error:
            raise HTTPException(404, detail=str(error)) from error
        deployed = [d for _, _, d in store.deployments(conn, request_id=request_id, as_of=as_of)]
    if not can_read_request(
        principal, location_code=item.location_code, region_code=item.region_code,
        safety_region_code=item.safety_region_code,
    ):  # fmt: skip
        raise http_error(refused(principal, f"read help request {request_id} in detail"))
    return service.request_view(request_id, item, as_of=as_of, stale_after=stale,
                                deployments=deployed, detail=True)  # fmt: skip


@router.post("", status_code=201, summary="File a staff-help request (rung 1: the region)")
def post_request(
    body: RequestCreate, engine: EngineDep, principal: PrincipalDep, settings: SettingsDep
) -> dict[str, Any]:
    with domain_errors():
        return create_request(engine, settings, principal, body, now=utc_now())


@router.post("/{request_id}/steps", summary="One ladder step: answer, escalate, sign, ...")
def post_step(
    request_id: int, body: StepBody, engine: EngineDep, principal: PrincipalDep,
    settings: SettingsDep,
) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return take_step(engine, settings, principal, request_id, body, now=utc_now())


@router.post("/{request_id}/deployments", status_code=201, summary="Record who came")
def post_deployment(
    request_id: int, body: DeploymentCreate, engine: EngineDep, principal: PrincipalDep,
    settings: SettingsDep,
) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return add_deployment(engine, settings, principal, request_id, body, now=utc_now())
