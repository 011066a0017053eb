"""Bottleneck signals and ELV scale-up orders in the store (docs/requests.md, 5-6).

Signals follow the ladder's pattern (store/help_requests.py): events, a versioned row
read FOR UPDATE on PostgreSQL and changed only if its version did not move, an audit
row per step. ELV orders are a row plus append-only bed reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kraan.domain.requests.elv import BedsUp, ElvOrder, check_report, new_order
from kraan.domain.requests.rules import StepConflict
from kraan.domain.requests.signals import Signal, SignalEvent, SignalStep, apply, file, replay
from kraan.store.audit import write_audit
from kraan.store.help_requests import NotFound, VersionConflict, _jsonable
from kraan.store.requests_tables import (
    bottleneck_signals,
    elv_order_beds,
    elv_orders,
    signal_events,
)

__all__ = ["NotFound", "StepConflict", "VersionConflict"]


def _signal_events(conn: Connection, ids: list[int], as_of: datetime | None) -> dict[int, list]:  # type: ignore[type-arg]
    query = (
        select(signal_events)
        .where(signal_events.c.signal_id.in_(ids))
        .order_by(signal_events.c.id)
    )
    if as_of is not None:
        query = query.where(signal_events.c.at <= as_of)
    out: dict[int, list[SignalEvent]] = {i: [] for i in ids}
    for r in conn.execute(query):
        out[int(r.signal_id)].append(SignalEvent(SignalStep(r.step), r.at, r.actor, r.data))
    return out


def file_signal(conn: Connection, *, data: dict[str, Any], actor: str, now: datetime) -> int:
    item = file(data, at=now, actor=actor)
    signal_id = int(
        conn.execute(
            insert(bottleneck_signals)
            .values(region_code=item.region_code, location_code=item.location_code,
                    sector=item.sector.value, state=item.state.value, version=1,
                    created_at=now, created_by=actor, updated_at=now, updated_by=actor)
            .returning(bottleneck_signals.c.id)
        ).scalar_one()
    )  # fmt: skip
    conn.execute(insert(signal_events).values(signal_id=signal_id, version=1, step="file", at=now,
                                              actor=actor, data=_jsonable(dict(data))))  # fmt: skip
    write_audit(conn, at=now, actor=actor, action="signal.file", entity="bottleneck_signal",
                entity_key=str(signal_id), before=None, after=_jsonable(dict(data)))  # fmt: skip
    return signal_id


def signal_header(conn: Connection, *, signal_id: int, lock: bool = False) -> Any:
    query = select(bottleneck_signals).where(bottleneck_signals.c.id == signal_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no signal {signal_id}")
    return row


def signal_step(
    conn: Connection, *, signal_id: int, step: SignalStep, data: dict[str, Any], actor: str,
    now: datetime, expected_version: int | None = None,
) -> Signal:  # fmt: skip
    row = signal_header(conn, signal_id=signal_id, lock=True)
    if expected_version is not None and expected_version != row.version:
        raise VersionConflict(f"signal {signal_id} changed meanwhile (now {row.state}); reload")
    before = replay(_signal_events(conn, [signal_id], None)[signal_id])
    after = apply(before, SignalEvent(step, now, actor, data))
    changed = conn.execute(
        update(bottleneck_signals)
        .where(bottleneck_signals.c.id == signal_id, bottleneck_signals.c.version == row.version)
        .values(state=after.state.value, version=row.version + 1, updated_at=now,
                updated_by=actor)  # fmt: skip
    ).rowcount
    if changed != 1:
        raise VersionConflict(f"signal {signal_id} was changed at the same moment; reload")
    conn.execute(insert(signal_events).values(
        signal_id=signal_id, version=row.version + 1, step=step.value, at=now, actor=actor,
        data=_jsonable(dict(data))))  # fmt: skip
    write_audit(conn, at=now, actor=actor, action=f"signal.{step.value}",
                entity="bottleneck_signal", entity_key=str(signal_id),
                before={"state": before.state.value},
                after={"state": after.state.value, "data": _jsonable(dict(data))})  # fmt: skip
    return after


def signals_as_of(
    conn: Connection, *, as_of: datetime, region: str | None = None
) -> list[tuple[int, Signal]]:
    query = select(bottleneck_signals.c.id).where(bottleneck_signals.c.created_at <= as_of)
    if region:
        query = query.where(bottleneck_signals.c.region_code == region)
    ids = [int(r.id) for r in conn.execute(query.order_by(bottleneck_signals.c.id))]
    if not ids:
        return []
    grouped = _signal_events(conn, ids, as_of)
    return [(i, replay(ev)) for i, ev in grouped.items() if ev]


# ---- ELV scale-up orders -----------------------------------------------------------------


def _order(row: Any) -> ElvOrder:
    return ElvOrder(row.region_code, int(row.beds), row.ordered_at, row.deadline)


def create_order(
    conn: Connection, *, region_code: str, beds: int, note: str, actor: str, now: datetime,
    scale_up: timedelta,
) -> int:  # fmt: skip
    order = new_order(region_code, beds, at=now, scale_up=scale_up)
    order_id = int(conn.execute(
        insert(elv_orders).values(region_code=region_code, beds=beds, ordered_at=now,
                                  deadline=order.deadline, ordered_by=actor, note=note)
        .returning(elv_orders.c.id)).scalar_one())  # fmt: skip
    write_audit(conn, at=now, actor=actor, action="elv_order.create", entity="elv_order",
                entity_key=str(order_id), before=None,
                after={"region": region_code, "beds": beds, "deadline": order.deadline,
                       "note": note})  # fmt: skip
    return order_id


def get_order(conn: Connection, *, order_id: int, lock: bool = False) -> ElvOrder:
    query = select(elv_orders).where(elv_orders.c.id == order_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no ELV order {order_id}")
    return _order(row)


def order_reports(conn: Connection, *, order_id: int) -> list[BedsUp]:
    query = select(elv_order_beds).where(elv_order_beds.c.order_id == order_id)
    return [BedsUp(r.location_code, int(r.beds), r.reported_at)
            for r in conn.execute(query.order_by(elv_order_beds.c.id))]  # fmt: skip


def report_beds(
    conn: Connection, *, order_id: int, location_code: str, beds: int, actor: str, now: datetime
) -> int:
    """A provider reports beds up; the order row is locked so reports never overfill it."""
    order = get_order(conn, order_id=order_id, lock=True)
    new = BedsUp(location_code, beds, now)
    check_report(order, order_reports(conn, order_id=order_id), new)
    report_id = int(conn.execute(
        insert(elv_order_beds).values(order_id=order_id, location_code=location_code, beds=beds,
                                      reported_at=now, reported_by=actor)
        .returning(elv_order_beds.c.id)).scalar_one())  # fmt: skip
    write_audit(conn, at=now, actor=actor, action="elv_order.beds_up", entity="elv_order",
                entity_key=str(order_id), before=None,
                after={"location": location_code, "beds": beds})  # fmt: skip
    return report_id


def orders_as_of(
    conn: Connection, *, as_of: datetime, region: str | None = None
) -> list[tuple[int, ElvOrder, list[BedsUp]]]:
    query = select(elv_orders).where(elv_orders.c.ordered_at <= as_of)
    if region:
        query = query.where(elv_orders.c.region_code == region)
    rows = list(conn.execute(query.order_by(elv_orders.c.id)))
    if not rows:
        return []
    reports: dict[int, list[BedsUp]] = {int(r.id): [] for r in rows}
    beds = select(elv_order_beds).where(
        elv_order_beds.c.order_id.in_(list(reports)), elv_order_beds.c.reported_at <= as_of
    )
    for b in conn.execute(beds.order_by(elv_order_beds.c.id)):
        reports[int(b.order_id)].append(BedsUp(b.location_code, int(b.beds), b.reported_at))
    return [(int(r.id), _order(r), reports[int(r.id)]) for r in rows]
