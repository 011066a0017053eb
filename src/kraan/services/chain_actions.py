"""Signal, ELV-order and stock actions shared by the API router and the pages.

The request bodies (pydantic) and the checked reads and writes of docs/requests.md,
sections 5-7. Roles (kraan.domain.access): a provider's reporter or its region files a
signal, the region escalates it to ActiZ or ZN, the umbrella body classifies, acts and
closes; the region (or national) orders ELV beds and the region's providers report them
up; the stock office keeps the CCV figures and assesses and ships ventilator
applications, which a hospital's reporter (or its region) files. Refusals are the
domain's errors (kraan.domain.requests.rules): a named rule (the API's 422), a lost race
(409), a role that may not (403), an unknown id (404); the router maps them to HTTP
(kraan.api.domain_errors), the pages to a form error with the same words.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kraan.domain.access import (
    NATIONAL_DESK,
    Principal,
    can_classify_signal,
    can_file_signal,
    can_handle_regionally,
    can_manage_stock,
    can_order_elv,
    can_report_for,
)
from kraan.domain.requests.rules import RuleViolation, StepConflict
from kraan.domain.requests.signals import SignalStep
from kraan.services import chain as service
from kraan.services.ingest import rules_from
from kraan.services.request_actions import refused
from kraan.services.requests import briefing_summary, location_of
from kraan.settings import Settings
from kraan.store import chain_reports as chain_store
from kraan.store import signals as signal_store
from kraan.store import stock as stock_store
from kraan.store.db import Engine
from kraan.store.reference import load_regions

Sector = Literal["elv", "grz", "vvt", "home_care", "gp", "care_hotel"]


class SignalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region_code: str = Field(min_length=1, max_length=16)
    location_code: str = Field("", max_length=32)
    sector: Sector
    blocked: str = Field(min_length=10, max_length=2000, description="What is blocked.")
    since: date


class SignalStepBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["escalate", "classify", "act", "close"]
    version: int | None = None
    umbrella: Literal["actiz", "zn"] | None = None
    classification: Literal["recognisable", "general", "specific"] | None = None
    needs_action: bool = False
    action: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region_code: str = Field(min_length=1, max_length=16)
    beds: int = Field(ge=1, le=2000)
    note: str = Field("", max_length=2000)


class BedsUpBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_code: str = Field(min_length=1, max_length=32)
    beds: int = Field(ge=1, le=2000)


class MedicineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=32)
    stock: float = Field(ge=0)
    regular_per_month: float = Field(ge=0)
    per_ic_patient_day: float = Field(ge=0)


class PoolBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("central", min_length=1, max_length=100)
    total: int = Field(ge=0, le=100_000)


class ApplicationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_code: str = Field(min_length=1, max_length=32)
    units: int = Field(ge=1, le=200)
    reason: str = Field(min_length=10, max_length=2000)


class AssessBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["granted", "partly", "refused"]
    units_granted: int = Field(ge=0, le=200)
    reason: str = Field("", max_length=2000)


class ChainReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reporter_code: str = Field(min_length=1, max_length=32, description="A location code.")
    region_code: str = Field(min_length=1, max_length=16)
    kind: Literal["grz", "care_hotel", "district_nursing", "gp_practice", "gp_post"]
    reported_at: datetime
    beds: int | None = Field(None, ge=0, le=999)
    occupied: int | None = Field(None, ge=0, le=999)
    covid: int | None = Field(None, ge=0, le=999)
    status: Literal["normal", "under_pressure", "no_new_patients"] | None = None
    reason: str = Field("", max_length=2000)
    staff_absence_pct: float | None = Field(None, ge=0, le=100)


def _run(engine: Engine, work: Any) -> Any:
    """One write transaction; a refusal (rule, race, unknown id) rolls it back and rises."""
    with engine.begin() as conn:
        return work(conn)


# ---- signals --------------------------------------------------------------------------------


def get_signals(
    engine: Engine, settings: Settings, principal: Principal, as_of: datetime,
    region: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    with engine.connect() as conn:
        return service.signal_views(conn, as_of=as_of, settings=settings, region=region)


def post_signal(
    body: SignalCreate, engine: Engine, principal: Principal, *, now: datetime
) -> dict[str, Any]:
    if not can_file_signal(principal, region_code=body.region_code,
                           location_code=body.location_code):  # fmt: skip
        raise refused(principal, f"file a signal for {body.location_code or body.region_code}")
    data = body.model_dump(mode="json")
    signal_id = _run(engine, lambda conn: signal_store.file_signal(
        conn, data=data, actor=principal.username, now=now))  # fmt: skip
    return {"id": signal_id, **data, "state": "filed"}


def signal_step(
    engine: Engine, settings: Settings, principal: Principal, signal_id: int,
    body: SignalStepBody, *, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    with engine.connect() as conn:
        header = signal_store.signal_header(conn, signal_id=signal_id)
    allowed = (
        can_handle_regionally(principal, region_code=header.region_code)
        if body.step == "escalate" else can_classify_signal(principal)
    )  # fmt: skip
    if not allowed:
        raise refused(principal, f"take step '{body.step}' on signal {signal_id}")
    data = body.model_dump(exclude={"step", "version"})
    item = _run(engine, lambda conn: signal_store.signal_step(
        conn, signal_id=signal_id, step=SignalStep(body.step), data=data,
        actor=principal.username, now=now, expected_version=body.version))  # fmt: skip
    return service.signal_view(signal_id, item, None)


# ---- ELV scale-up orders ---------------------------------------------------------------------


def get_orders(
    engine: Engine, as_of: datetime, region: str | None = None
) -> dict[str, Any]:
    with engine.connect() as conn:
        views = service.order_views(conn, as_of=as_of, region=region)
    return {"as_of": as_of.isoformat(), "by_region": service.elv_by_region(views),
            "orders": views}  # fmt: skip


def post_order(
    body: OrderCreate, engine: Engine, settings: Settings, principal: Principal, *,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    if not can_order_elv(principal, region_code=body.region_code):
        raise refused(principal, f"order ELV beds for {body.region_code}")
    order_id = _run(engine, lambda conn: signal_store.create_order(
        conn, region_code=body.region_code, beds=body.beds, note=body.note,
        actor=principal.username, now=now, scale_up=settings.elv_scale_up))  # fmt: skip
    return {"id": order_id, **body.model_dump()}


def post_beds(
    order_id: int, body: BedsUpBody, engine: Engine, principal: Principal, *, now: datetime
) -> dict[str, Any]:
    with engine.connect() as conn:
        location = location_of(conn, body.location_code)
        order = signal_store.get_order(conn, order_id=order_id)
    if location is None or location.region_code != order.region_code:
        raise RuleViolation("elv_report_region", f"not a location in {order.region_code}",
                            field="location_code")  # fmt: skip
    if not can_report_for(principal, location_code=location.code,
                          region_code=location.region_code):  # fmt: skip
        raise refused(principal, f"report beds for {location.code}")
    report_id = _run(engine, lambda conn: signal_store.report_beds(
        conn, order_id=order_id, location_code=location.code, beds=body.beds,
        actor=principal.username, now=now))  # fmt: skip
    return {"id": report_id, "order_id": order_id, **body.model_dump()}


# ---- stockpiles ------------------------------------------------------------------------------


def get_medicines(
    engine: Engine, settings: Settings, as_of: datetime, scenarios: bool = False
) -> dict[str, Any]:
    with engine.connect() as conn:
        views, basis = service.medicine_views(conn, as_of=as_of, settings=settings)
    out = {"as_of": as_of.isoformat(), "forecast_basis": basis, "medicines": views}
    if scenarios and views:
        out["scenarios"] = service.scenario_coverage(views, settings)
    return out


def post_medicine(
    body: MedicineBody, engine: Engine, principal: Principal, *, now: datetime
) -> dict[str, Any]:
    if not can_manage_stock(principal):
        raise refused(principal, "record CCV figures")
    data = body.model_dump()
    new_id = _run(engine, lambda conn: stock_store.record_medicine(
        conn, data=data, actor=principal.username, now=now))  # fmt: skip
    return {"id": new_id, **data}


def _may_read_applications(principal: Principal) -> bool:
    return can_manage_stock(principal) or principal.role in NATIONAL_DESK


def get_ventilators(engine: Engine, principal: Principal, as_of: datetime) -> dict[str, Any]:
    with engine.connect() as conn:
        pool = stock_store.pool_as_of(conn, as_of=as_of)
        apps = stock_store.applications_as_of(conn, as_of=as_of)
    everything = _may_read_applications(principal)
    visible = [a for a in apps if everything or a["location_code"] in principal.location_codes
               or principal.region_code == a["region_code"]]  # fmt: skip
    return {"as_of": as_of.isoformat(), "pool": pool,
            "applications": [{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                              for k, v in a.items()} for a in visible]}  # fmt: skip


def put_pool(
    body: PoolBody, engine: Engine, principal: Principal, *, now: datetime
) -> dict[str, Any]:
    if not can_manage_stock(principal):
        raise refused(principal, "set the ventilator stock")
    pool_id = _run(engine, lambda conn: stock_store.set_pool(
        conn, name=body.name, total=body.total, actor=principal.username,
        now=now))  # fmt: skip
    with engine.connect() as conn:
        return stock_store.pool(conn, pool_id=pool_id) or {}


def post_application(
    body: ApplicationBody, engine: Engine, principal: Principal, *, now: datetime
) -> dict[str, Any]:
    with engine.connect() as conn:
        location = location_of(conn, body.location_code)
        pool = stock_store.pool(conn)
    if location is None:
        raise RuleViolation("application_fields", "unknown location", field="location_code")
    if not can_report_for(principal, location_code=location.code,
                          region_code=location.region_code):  # fmt: skip
        raise refused(principal, f"apply for ventilators for {location.code}")
    if pool is None:
        raise StepConflict("there is no central ventilator stock yet")
    app_id = _run(engine, lambda conn: stock_store.apply_for(
        conn, pool_id=pool["id"], location_code=location.code, region_code=location.region_code,
        units=body.units, reason=body.reason, actor=principal.username, now=now))  # fmt: skip
    return {"id": app_id, "state": "applied", **body.model_dump()}


def post_assess(
    app_id: int, body: AssessBody, engine: Engine, principal: Principal, *, now: datetime
) -> dict[str, Any]:
    if not can_manage_stock(principal):
        raise refused(principal, "assess ventilator applications")
    app = _run(engine, lambda conn: stock_store.assess(
        conn, app_id=app_id, decision=body.decision, granted=body.units_granted,
        reason=body.reason, actor=principal.username, now=now))  # fmt: skip
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in app.items()}


def post_ship(
    app_id: int, engine: Engine, principal: Principal, *, now: datetime
) -> dict[str, Any]:
    if not can_manage_stock(principal):
        raise refused(principal, "ship ventilators")
    app = _run(engine, lambda conn: stock_store.ship(
        conn, app_id=app_id, actor=principal.username, now=now))  # fmt: skip
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in app.items()}


# ---- the chain outside the hospital ---------------------------------------------------------


def post_chain_report(
    body: ChainReportBody, engine: Engine, settings: Settings, principal: Principal, *,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """A GRZ / care-hotel bed report or a district-nursing / GP pressure status."""
    if not can_report_for(principal, location_code=body.reporter_code,
                          region_code=body.region_code):  # fmt: skip
        raise refused(principal, f"report for {body.reporter_code} in {body.region_code}")
    with engine.connect() as conn:
        known = {r.code for r in load_regions(conn)}
    if body.region_code not in known:
        raise RuleViolation("chain_report_fields", "unknown region", field="region_code")
    data = body.model_dump(mode="json")
    new_id, version = _run(engine, lambda conn: chain_store.save_chain_report(
        conn, data=data, rules=rules_from(settings), actor=principal.username,
        now=now))  # fmt: skip
    return {"id": new_id, "version": version, **data}


def get_chain_picture(engine: Engine, as_of: datetime, region: str | None) -> dict[str, Any]:
    with engine.connect() as conn:
        return service.chain_picture(conn, as_of=as_of, region=region)


# ---- the weekly briefing -------------------------------------------------------------------


def get_briefing(engine: Engine, settings: Settings, as_of: datetime) -> dict[str, Any]:
    return briefing_summary(engine, as_of, settings=settings).as_dict()
