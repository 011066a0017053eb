"""Bottleneck signals, ELV scale-up orders and the IC stockpiles (docs/requests.md, 5-8).

Thin routes over :mod:`kraan.services.chain_actions` (shared with the pages), where the
role rules, the named rules and the conflicts live; :mod:`kraan.api.domain_errors` turns
their refusals into 422 (naming the rule), 409, 403 and 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kraan.api.deps import AsOfDep, EngineDep, PrincipalDep, SettingsDep, utc_now
from kraan.api.domain_errors import domain_errors
from kraan.services import chain_actions as act

router = APIRouter(prefix="/api/v1", tags=["signals, ELV orders, stockpiles"])
Region = Annotated[str | None, Query(description="A ROAZ region code")]


@router.get("/signals", summary="Bottleneck signals at as_of, with the region's ELV/VVT figures")
def get_signals(engine: EngineDep, settings: SettingsDep, principal: PrincipalDep,
                as_of: AsOfDep, region: Region = None) -> list[dict[str, Any]]:  # fmt: skip
    return act.get_signals(engine, settings, principal, as_of, region)  # type: ignore[no-any-return]


@router.post("/signals", status_code=201, summary="File a bottleneck signal")
def post_signal(body: act.SignalCreate, engine: EngineDep,
                principal: PrincipalDep) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return act.post_signal(body, engine, principal, now=utc_now())


@router.post("/signals/{signal_id}/steps", summary="Escalate, classify, act, close")
def post_signal_step(signal_id: int, body: act.SignalStepBody, engine: EngineDep,
                     settings: SettingsDep, principal: PrincipalDep) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return act.signal_step(engine, settings, principal, signal_id, body, now=utc_now())


@router.get("/elv-orders", summary="ELV orders: ordered, available, overdue (public figures)")
def get_orders(engine: EngineDep, as_of: AsOfDep, region: Region = None) -> dict[str, Any]:
    return act.get_orders(engine, as_of, region)


@router.post("/elv-orders", status_code=201, summary="Order ELV beds up from standby (72 h)")
def post_order(body: act.OrderCreate, engine: EngineDep, settings: SettingsDep,
               principal: PrincipalDep) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return act.post_order(body, engine, settings, principal, now=utc_now())


@router.post("/elv-orders/{order_id}/beds", status_code=201, summary="Report beds up")
def post_beds(order_id: int, body: act.BedsUpBody, engine: EngineDep,
              principal: PrincipalDep) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return act.post_beds(order_id, body, engine, principal, now=utc_now())


@router.get("/stock/medicines", summary="CCV medicines: coverage in months against the norm")
def get_medicines(
    engine: EngineDep, settings: SettingsDep, as_of: AsOfDep,
    scenarios: Annotated[bool, Query(description="Also under the simulation's four quadrant "
                                                 "waves (a few seconds the first time)")] = False,
) -> dict[str, Any]:  # fmt: skip
    return act.get_medicines(engine, settings, as_of, scenarios)


@router.post("/stock/medicines", status_code=201, summary="Record a CCV medicine's figures")
def post_medicine(body: act.MedicineBody, engine: EngineDep,
                  principal: PrincipalDep) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return act.post_medicine(body, engine, principal, now=utc_now())


@router.get("/stock/ventilators", summary="The central ventilator stock and its applications")
def get_ventilators(engine: EngineDep, principal: PrincipalDep, as_of: AsOfDep) -> dict[str, Any]:
    return act.get_ventilators(engine, principal, as_of)


@router.put("/stock/ventilators", summary="Set the count of the central stock (stock office)")
def put_pool(body: act.PoolBody, engine: EngineDep, principal: PrincipalDep) -> dict[str, Any]:
    with domain_errors():
        return act.put_pool(body, engine, principal, now=utc_now())


@router.post("/stock/ventilators/applications", status_code=201, summary="Apply for units")
def post_application(body: act.ApplicationBody, engine: EngineDep,
                     principal: PrincipalDep) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return act.post_application(body, engine, principal, now=utc_now())


@router.post("/stock/ventilators/applications/{app_id}/assess", summary="Assess (stock office)")
def post_assess(app_id: int, body: act.AssessBody, engine: EngineDep,
                principal: PrincipalDep) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return act.post_assess(app_id, body, engine, principal, now=utc_now())


@router.post("/stock/ventilators/applications/{app_id}/ship", summary="Ship (stock office)")
def post_ship(app_id: int, engine: EngineDep, principal: PrincipalDep) -> dict[str, Any]:
    with domain_errors():
        return act.post_ship(app_id, engine, principal, now=utc_now())


@router.post("/chain/reports", status_code=201,
             summary="Report GRZ / care-hotel beds or district-nursing / GP pressure")
def post_chain_report(body: act.ChainReportBody, engine: EngineDep, settings: SettingsDep,
                      principal: PrincipalDep) -> dict[str, Any]:  # fmt: skip
    with domain_errors():
        return act.post_chain_report(body, engine, settings, principal, now=utc_now())


@router.get("/chain/picture", summary="The chain outside the hospital per region (public)")
def get_chain_picture(engine: EngineDep, as_of: AsOfDep, region: Region = None) -> dict[str, Any]:
    return act.get_chain_picture(engine, as_of, region)


@router.get("/chain/briefing", summary="The help-request and chain figures for the briefing")
def get_briefing(engine: EngineDep, settings: SettingsDep, as_of: AsOfDep) -> dict[str, Any]:
    return act.get_briefing(engine, settings, as_of)
