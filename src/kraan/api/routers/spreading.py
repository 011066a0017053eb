"""Spreading workflow: plans become transfers; regions offer beds and move transfers.

Who may do what (kraan.domain.access): the national coordinator plans and may do all;
the receiving region offers, accepts or declines; the sending region reports the
patient on the road and arrived. A step that lost a race, or is not allowed from the
current state, answers 409 and changes nothing (docs/spreading.md, section 3).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from kraan.api.bounds import BigId, BodyId, CleanText, Day
from kraan.api.deps import EngineDep, PrincipalDep, SettingsDep, parse_as_of, utc_now
from kraan.domain.access import Principal, can_move_transfer, can_offer_beds, can_plan_spreading
from kraan.domain.spreading.solve import SpreadInputError
from kraan.domain.spreading.workflow import InvalidTransition, TransferState
from kraan.services.spreading import export_snapshot, solve_document
from kraan.store import transfers as store
from kraan.store.reference import load_regions

router = APIRouter(prefix="/api/v1/spreading", tags=["spreading"])

#: A request thread must not solve for minutes; longer runs belong to ``kraan spread``.
MAX_TIME_LIMIT_SECONDS = 20.0

States = Literal["requested", "offered", "accepted", "in_transport", "arrived", "cancelled"]


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region_code: CleanText = Field(min_length=1, max_length=16)
    day: Day
    care_level: Literal["ic", "ward"] = "ic"
    beds: int = Field(ge=1, le=500, description="Free beds offered for transfers that day.")


class AdvanceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_state: States
    offer_id: BodyId | None = Field(None, description="Bed offer to take beds from (accept).")
    note: CleanText = Field(
        "", max_length=2000, description="Required when cancelling: the reason."
    )
    version: BodyId | None = Field(None, description="Version you saw; a stale one gets 409.")


def _problem(error: store.TransferError | InvalidTransition) -> HTTPException:
    if isinstance(error, InvalidTransition):
        return HTTPException(409, detail=f"not allowed now: {error}")
    if error.status == 422:
        return HTTPException(422, detail=[{"field": "body", "message": str(error)}])
    return HTTPException(error.status, detail=str(error))


def capped_document(document: dict[str, Any]) -> dict[str, Any]:
    """The solver's time limit, capped server-side (a bad value is left for the parser)."""
    settings = document.get("settings")
    settings = dict(settings) if isinstance(settings, dict) else {}
    asked = settings.get("time_limit_seconds", MAX_TIME_LIMIT_SECONDS)
    if isinstance(asked, int | float) and not isinstance(asked, bool) and math.isfinite(asked):
        settings["time_limit_seconds"] = min(float(asked), MAX_TIME_LIMIT_SECONDS)
    return {**document, "settings": settings}


async def solve_capped(document: dict[str, Any]) -> dict[str, Any]:
    """Solve off the event loop; input problems become one 422 entry per field."""
    try:
        return await run_in_threadpool(solve_document, capped_document(document))
    except SpreadInputError as error:
        raise HTTPException(
            422, detail=[{"field": name, "message": message} for name, message in error.problems]
        ) from error


@router.post("/plans", status_code=201, summary="Solve and store a plan (national coordinator)")
async def create_plan(
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    document: Annotated[dict[str, Any], Body(description="A snapshot document, or {as_of}")],
) -> dict[str, Any]:
    """Each plan row becomes one transfer in state ``requested``."""
    if not can_plan_spreading(principal):
        raise HTTPException(403, detail="only a national coordinator makes spreading plans")
    now = utc_now()
    as_of = parse_as_of(str(document["as_of"])) if document.get("as_of") else None
    if "areas" not in document:
        if as_of is None:
            raise HTTPException(
                422, detail=[{"field": "as_of", "message": "send 'areas' or an 'as_of' date"}]
            )
        extra = document.get("settings") if isinstance(document.get("settings"), dict) else {}
        with engine.connect() as conn:
            snapshot = export_snapshot(conn, as_of=as_of, settings=settings)
        document = {**snapshot, "settings": {**snapshot["settings"], **extra}}
    document = capped_document(document)
    result = await solve_capped(document)
    with engine.begin() as conn:
        plan_id, ids = store.create_plan(
            conn, as_of=as_of or now, settings=document["settings"], result=result,
            actor=principal.username, now=now,
        )  # fmt: skip
        created = store.list_transfers(conn, plan_id=plan_id)
    return {
        "id": plan_id,
        "as_of": (as_of or now).isoformat(),
        "result": result,
        "transfers": [t.as_dict() for t in created],
        "transfer_ids": ids,
    }


@router.get("/plans/{plan_id}", summary="A stored plan with its transfers (any token)")
def get_plan(plan_id: BigId, engine: EngineDep, _: PrincipalDep) -> dict[str, Any]:
    with engine.connect() as conn:
        try:
            plan = store.get_plan(conn, plan_id=plan_id)
        except store.NotFound as error:
            raise _problem(error) from error
        rows = store.list_transfers(conn, plan_id=plan_id)
    return {**plan, "transfers": [t.as_dict() for t in rows]}


@router.get("/transfers", summary="Transfers by day, region (either side) and state (any token)")
def get_transfers(
    engine: EngineDep,
    _: PrincipalDep,
    day: Annotated[Day | None, Query()] = None,
    region: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
    state: Annotated[States | None, Query()] = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = store.list_transfers(conn, day=day, region=region, state=state)
    return [t.as_dict() for t in rows]


@router.get("/transfers/{transfer_id}", summary="One transfer with its history (any token)")
def get_transfer(transfer_id: BigId, engine: EngineDep, _: PrincipalDep) -> dict[str, Any]:
    """The history names the people who moved it and why they cancelled: not public."""
    with engine.connect() as conn:
        try:
            item = store.get_transfer(conn, transfer_id=transfer_id)
        except store.NotFound as error:
            raise _problem(error) from error
        history = store.transfer_history(conn, transfer_id=transfer_id)
    return {**item.as_dict(), "history": history}


@router.get("/offers", summary="Bed offers by day and region")
def get_offers(
    engine: EngineDep,
    day: Annotated[Day | None, Query()] = None,
    region: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [o.as_dict() for o in store.list_offers(conn, day=day, region=region)]


@router.post("/offers", status_code=201, summary="Offer free beds (the region's coordinator)")
def create_offer(body: OfferCreate, engine: EngineDep, principal: PrincipalDep) -> dict[str, Any]:
    if not can_offer_beds(principal, region_code=body.region_code):
        raise HTTPException(
            403, detail=f"only the coordinators of {body.region_code} may offer its beds"
        )
    with engine.begin() as conn:
        if body.region_code not in {r.code for r in load_regions(conn)}:
            raise HTTPException(404, detail=f"unknown region '{body.region_code}'")
        offer_id = store.create_offer(
            conn, region_code=body.region_code, day=body.day, care_level=body.care_level,
            beds=body.beds, actor=principal.username, now=utc_now(),
        )  # fmt: skip
        return store.get_offer(conn, offer_id=offer_id).as_dict()


def advance(
    engine: Engine, principal: Principal, transfer_id: int, body: AdvanceBody
) -> store.StoredTransfer:
    """Check the role against the transfer's two sides, then move it in one transaction."""
    with engine.connect() as conn:
        try:
            item = store.get_transfer(conn, transfer_id=transfer_id)
        except store.NotFound as error:
            raise _problem(error) from error
    allowed = can_move_transfer(
        principal, to_state=body.to_state, from_area=item.from_area, to_area=item.to_area
    )
    if not allowed:
        raise HTTPException(
            403,
            detail=f"{principal.username} may not move transfer {transfer_id} "
            f"({item.from_area} -> {item.to_area}) to {body.to_state}: the receiving region "
            "offers, accepts and declines, the sending region reports transport and arrival",
        )
    try:
        with engine.begin() as conn:
            return store.advance_transfer(
                conn, transfer_id=transfer_id, to_state=TransferState(body.to_state),
                actor=principal.username, now=utc_now(), note=body.note.strip(),
                offer_id=body.offer_id, expected_version=body.version,
            )  # fmt: skip
    except (store.TransferError, InvalidTransition) as error:
        raise _problem(error) from error


@router.post("/transfers/{transfer_id}/advance", summary="Move a transfer one step")
def advance_route(
    transfer_id: BigId, body: AdvanceBody, engine: EngineDep, principal: PrincipalDep
) -> dict[str, Any]:
    return advance(engine, principal, transfer_id, body).as_dict()
