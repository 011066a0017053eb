"""The IC stockpiles in the store: CCV medicine figures and the central ventilator stock.

Medicine figures are append-only versions per code (a correction is a new version), so
any ``as_of`` reads the figures that stood then. Ventilator reservations follow the bed
offers of the transfer workflow: one conditional UPDATE
``reserved + n + shipped <= total`` decides who gets the last units, and a CHECK
constraint backs it up, so concurrent grants can never reserve more than the stock.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from kraan.domain.requests.rules import RuleViolation, StepConflict
from kraan.domain.requests.stock import Decision, Medicine, check_assessment, check_medicine
from kraan.store.audit import write_audit
from kraan.store.help_requests import NotFound, VersionConflict
from kraan.store.requests_tables import ccv_medicines, ventilator_applications, ventilator_pools
from kraan.store.tables import audit_log

__all__ = ["NotFound", "VersionConflict"]


def record_medicine(conn: Connection, *, data: dict[str, Any], actor: str, now: datetime) -> int:
    check_medicine(data)
    values = {k: data[k] for k in ("code", "name", "unit")}
    numbers = {k: float(data[k]) for k in ("stock", "regular_per_month", "per_ic_patient_day")}
    new_id = int(conn.execute(
        insert(ccv_medicines).values(**values, **numbers, recorded_at=now, recorded_by=actor)
        .returning(ccv_medicines.c.id)).scalar_one())  # fmt: skip
    write_audit(conn, at=now, actor=actor, action="ccv.record", entity="ccv_medicine",
                entity_key=str(data["code"]), before=None, after={**values, **numbers})  # fmt: skip
    return new_id


def medicines_as_of(conn: Connection, *, as_of: datetime) -> list[Medicine]:
    newest = (
        select(ccv_medicines.c.code, func.max(ccv_medicines.c.id).label("id"))
        .where(ccv_medicines.c.recorded_at <= as_of)
        .group_by(ccv_medicines.c.code)
        .subquery()
    )
    rows = conn.execute(
        select(ccv_medicines).join(newest, ccv_medicines.c.id == newest.c.id)
        .order_by(ccv_medicines.c.code)
    )  # fmt: skip
    return [Medicine(r.code, r.name, r.unit, r.stock, r.regular_per_month, r.per_ic_patient_day)
            for r in rows]  # fmt: skip


# ---- ventilators -------------------------------------------------------------------------


def set_pool(conn: Connection, *, name: str, total: int, actor: str, now: datetime) -> int:
    """Create the pool or change its count; never below what is reserved and shipped."""
    if total < 0:
        raise RuleViolation("stock_non_negative", "a stock cannot be negative", "total")
    row = conn.execute(select(ventilator_pools).where(ventilator_pools.c.name == name)).first()
    if row is None:
        pool_id = int(conn.execute(
            insert(ventilator_pools).values(name=name, total=total, reserved=0, shipped=0,
                                            version=1, updated_at=now)
            .returning(ventilator_pools.c.id)).scalar_one())  # fmt: skip
    else:
        pool_id = int(row.id)
        changed = conn.execute(
            update(ventilator_pools)
            .where(ventilator_pools.c.id == pool_id,
                   ventilator_pools.c.reserved + ventilator_pools.c.shipped <= total)
            .values(total=total, version=ventilator_pools.c.version + 1, updated_at=now)
        ).rowcount  # fmt: skip
        if changed != 1:
            text = "more units are reserved or shipped than that"
            raise RuleViolation("stock_below_reserved", text, "total")
    write_audit(conn, at=now, actor=actor, action="ventilators.count", entity="ventilator_pool",
                entity_key=name, before=None, after={"total": total})  # fmt: skip
    return pool_id


def pool(conn: Connection, *, pool_id: int | None = None) -> dict[str, Any] | None:
    query = select(ventilator_pools).order_by(ventilator_pools.c.id).limit(1)
    if pool_id is not None:
        query = select(ventilator_pools).where(ventilator_pools.c.id == pool_id)
    row = conn.execute(query).first()
    if row is None:
        return None
    out = dict(row._mapping)
    return {**out, "available": out["total"] - out["reserved"] - out["shipped"]}


def apply_for(
    conn: Connection, *, pool_id: int, location_code: str, region_code: str, units: int,
    reason: str, actor: str, now: datetime,
) -> int:  # fmt: skip
    if not 1 <= units <= 200:
        raise RuleViolation("application_fields", "apply for 1 to 200 units", "units")
    if len(reason.strip()) < 10:
        raise RuleViolation("application_fields", "say why (at least 10 characters)", "reason")
    app_id = int(conn.execute(
        insert(ventilator_applications).values(
            pool_id=pool_id, location_code=location_code, region_code=region_code, units=units,
            reason=reason.strip(), state="applied", units_granted=0, assessment="", version=1,
            applied_at=now, applied_by=actor)
        .returning(ventilator_applications.c.id)).scalar_one())  # fmt: skip
    write_audit(conn, at=now, actor=actor, action="ventilators.apply",
                entity="ventilator_application", entity_key=str(app_id), before=None,
                after={"location": location_code, "units": units})  # fmt: skip
    return app_id


def application(conn: Connection, *, app_id: int) -> dict[str, Any]:
    row = conn.execute(
        select(ventilator_applications).where(ventilator_applications.c.id == app_id)
    ).first()
    if row is None:
        raise NotFound(f"no ventilator application {app_id}")
    return dict(row._mapping)


def _move(conn: Connection, app: dict[str, Any], now: datetime, **values: Any) -> None:
    changed = conn.execute(
        update(ventilator_applications)
        .where(ventilator_applications.c.id == app["id"],
               ventilator_applications.c.version == app["version"])
        .values(**values, version=app["version"] + 1)
    ).rowcount  # fmt: skip
    if changed != 1:
        raise VersionConflict(f"application {app['id']} was changed at the same moment; reload")


def assess(
    conn: Connection, *, app_id: int, decision: str, granted: int, reason: str, actor: str,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """Grant, grant partly or refuse; granted units are reserved in one conditional UPDATE."""
    app = application(conn, app_id=app_id)
    if app["state"] != "applied":
        raise StepConflict(f"application {app_id} is already {app['state']}; reload")
    chosen = check_assessment(app["units"], decision, granted, reason)
    if granted:
        taken = conn.execute(
            update(ventilator_pools)
            .where(ventilator_pools.c.id == app["pool_id"],
                   ventilator_pools.c.reserved + ventilator_pools.c.shipped + granted
                   <= ventilator_pools.c.total)
            .values(reserved=ventilator_pools.c.reserved + granted,
                    version=ventilator_pools.c.version + 1, updated_at=now)
        ).rowcount  # fmt: skip
        if taken != 1:
            left = pool(conn, pool_id=app["pool_id"])
            raise RuleViolation(
                "reservation_over_stock",
                f"only {left['available'] if left else 0} units are free; {granted} is over "
                "the stock",
                "units",
            )
    _move(conn, app, now, state=chosen.value, units_granted=granted, assessment=reason.strip(),
          assessed_at=now, assessed_by=actor)  # fmt: skip
    write_audit(conn, at=now, actor=actor, action=f"ventilators.{chosen.value}",
                entity="ventilator_application", entity_key=str(app_id),
                before={"state": "applied"},
                after={"state": chosen.value, "granted": granted, "reason": reason})  # fmt: skip
    return application(conn, app_id=app_id)


def ship(conn: Connection, *, app_id: int, actor: str, now: datetime) -> dict[str, Any]:
    app = application(conn, app_id=app_id)
    if app["state"] == "shipped":  # somebody shipped it first: the state moved on (409)
        raise StepConflict(f"application {app_id} is already shipped; reload")
    if app["state"] not in (Decision.GRANTED, Decision.PARTLY):
        raise RuleViolation("ship_after_grant", "only granted units are shipped", "step")
    conn.execute(
        update(ventilator_pools)
        .where(ventilator_pools.c.id == app["pool_id"],
               ventilator_pools.c.reserved >= app["units_granted"])
        .values(reserved=ventilator_pools.c.reserved - app["units_granted"],
                shipped=ventilator_pools.c.shipped + app["units_granted"],
                version=ventilator_pools.c.version + 1, updated_at=now)
    )  # fmt: skip
    _move(conn, app, now, state="shipped", shipped_at=now, shipped_by=actor)
    write_audit(conn, at=now, actor=actor, action="ventilators.ship",
                entity="ventilator_application", entity_key=str(app_id),
                before={"state": app["state"]}, after={"state": "shipped"})  # fmt: skip
    return application(conn, app_id=app_id)


def pool_as_of(conn: Connection, *, as_of: datetime) -> dict[str, Any] | None:
    """The pool as it stood at ``as_of``: its count from the audit rows of ``set_pool``,
    reserved and shipped units from the applications replayed to that moment."""
    current = pool(conn)
    if current is None:
        return None
    counted = conn.execute(
        select(audit_log.c.after)
        .where(audit_log.c.entity == "ventilator_pool", audit_log.c.entity_key == current["name"],
               audit_log.c.action == "ventilators.count", audit_log.c.at <= as_of)
        .order_by(audit_log.c.id.desc()).limit(1)
    ).scalar()  # fmt: skip
    if counted is None:
        return None
    apps = applications_as_of(conn, as_of=as_of)
    reserved = sum(a["units_granted"] for a in apps if a["state"] in ("granted", "partly"))
    shipped = sum(a["units_granted"] for a in apps if a["state"] == "shipped")
    total = int(json.loads(counted)["total"])
    return {**current, "total": total, "reserved": reserved, "shipped": shipped,
            "available": total - reserved - shipped}  # fmt: skip


def applications_as_of(conn: Connection, *, as_of: datetime) -> list[dict[str, Any]]:
    """Applications filed by ``as_of``, each in the state it had then."""
    rows = conn.execute(
        select(ventilator_applications)
        .where(ventilator_applications.c.applied_at <= as_of)
        .order_by(ventilator_applications.c.id)
    )
    out = []
    for r in rows:
        item = dict(r._mapping)
        if item["shipped_at"] is not None and item["shipped_at"] > as_of:
            item["state"] = "granted" if item["units_granted"] == item["units"] else "partly"
        if item["assessed_at"] is not None and item["assessed_at"] > as_of:
            item.update(state="applied", units_granted=0, assessment="")
        out.append(item)
    return out
