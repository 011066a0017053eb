"""Spreading workflow: plans become transfers; regions offer beds and move transfers.

Who may do what (kraan.domain.access): the national coordinator plans and may do all;
the receiving region offers, accepts or declines; the sending region reports the
patient on the road and arrived. A step that lost a race, or is not allowed from the
current state, answers 409 and changes nothing (docs/spreading.md, section 3).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from kraan.api.bounds import BigId, BodyId, CleanText, Day
from kraan.api.deps import (
    EngineDep,
    OptionalPrincipalDep,
    PrincipalDep,
    SettingsDep,
    parse_as_of,
    utc_now,
)
from kraan.domain.access import Principal, can_offer_beds, can_plan_spreading
from kraan.domain.spreading.solve import SpreadInputError
from kraan.domain.spreading.workflow import InvalidTransition
from kraan.services import transfers as transfer_service
from kraan.services.spreading import capped_document, export_snapshot, solve_document
from kraan.services.transfers import TransferRefused, refusal
from kraan.store import transfers as store
from kraan.store.reference import load_regions

router = APIRouter(prefix="/api/v1/spreading", tags=["spreading"])

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


def _refused(refused: TransferRefused) -> HTTPException:
    if refused.field is not None:
        return HTTPException(
            refused.status, detail=[{"field": refused.field, "message": refused.message}]
        )
    return HTTPException(refused.status, detail=refused.message)


def _problem(error: store.TransferError | InvalidTransition) -> HTTPException:
    return _refused(refusal(error))


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


#: Who moved a transfer and why it was cancelled: for token holders only (issue 8).
PERSONAL = ("created_by", "updated_by", "reason")


def _public(item: dict[str, Any], principal: Principal | None) -> dict[str, Any]:
    if principal is not None:
        return item
    return {k: v for k, v in item.items() if k not in PERSONAL}


@router.get("/plans/{plan_id}", summary="A stored plan with its transfers (names: any token)")
def get_plan(plan_id: BigId, engine: EngineDep, principal: OptionalPrincipalDep) -> dict[str, Any]:
    with engine.connect() as conn:
        try:
            plan = store.get_plan(conn, plan_id=plan_id)
        except store.NotFound as error:
            raise _problem(error) from error
        rows = store.list_transfers(conn, plan_id=plan_id)
    transfers = [_public(t.as_dict(), principal) for t in rows]
    return {**_public(plan, principal), "transfers": transfers}


@router.get("/transfers", summary="Transfers by day, region (either side) and state")
def get_transfers(
    engine: EngineDep,
    principal: OptionalPrincipalDep,
    day: Annotated[Day | None, Query()] = None,
    region: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
    state: Annotated[States | None, Query()] = None,
    start: Annotated[Day | None, Query(description="first day (inclusive)")] = None,
    end: Annotated[Day | None, Query(description="last day (inclusive)")] = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = store.list_transfers(conn, day=day, region=region, state=state, start=start, end=end)
    return [_public(t.as_dict(), principal) for t in rows]


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
    start: Annotated[Day | None, Query(description="first day (inclusive)")] = None,
    end: Annotated[Day | None, Query(description="last day (inclusive)")] = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        offers = store.list_offers(conn, day=day, region=region, start=start, end=end)
    return [o.as_dict() for o in offers]


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


@router.post("/transfers/{transfer_id}/advance", summary="Move a transfer one step")
def advance_route(
    transfer_id: BigId, body: AdvanceBody, engine: EngineDep, principal: PrincipalDep
) -> dict[str, Any]:
    try:
        item = transfer_service.advance(
            engine, principal, transfer_id, to_state=body.to_state, now=utc_now(),
            note=body.note, offer_id=body.offer_id, version=body.version,
        )  # fmt: skip
    except TransferRefused as refused:
        raise _refused(refused) from refused
    return item.as_dict()
