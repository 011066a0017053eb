"""Module readiness records: append-only, audited, read at ``as_of``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from kraan.domain.briefing.readiness import ModuleState, ReadinessRecord
from kraan.store.audit import write_audit
from kraan.store.briefing_tables import module_readiness


def record_readiness(
    conn: Connection,
    *,
    region_code: str,
    module: str,
    state: ModuleState,
    valid_from: datetime,
    actor: str,
    now: datetime,
    note: str = "",
) -> int:
    """Store a new state (a new version; earlier ones stay) and audit it."""
    before = current_readiness(conn, as_of=valid_from).get((region_code, module))
    new_id = conn.execute(
        insert(module_readiness)
        .values(
            region_code=region_code,
            module=module,
            state=state.value,
            valid_from=valid_from,
            recorded_at=now,
            recorded_by=actor,
            note=note,
        )
        .returning(module_readiness.c.id)
    ).scalar_one()
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="readiness.record",
        entity="module_readiness",
        entity_key=f"{region_code}/{module}",
        before=None if before is None else {"state": before.value},
        after={"state": state.value, "valid_from": valid_from.isoformat(), "note": note},
    )
    return int(new_id)


def current_readiness(
    conn: Connection, *, as_of: datetime
) -> dict[tuple[str, str], ModuleState]:
    """(region, module) -> the state in force at ``as_of`` (newest valid_from, then newest id)."""
    rows = conn.execute(
        select(
            module_readiness.c.region_code,
            module_readiness.c.module,
            module_readiness.c.state,
        )
        .where(module_readiness.c.valid_from <= as_of)
        .order_by(module_readiness.c.valid_from, module_readiness.c.id)
    )
    return {(r.region_code, r.module): ModuleState(r.state) for r in rows}


def readiness_history(
    conn: Connection, *, region_code: str, module: str | None = None
) -> list[ReadinessRecord]:
    query = (
        select(module_readiness)
        .where(module_readiness.c.region_code == region_code)
        .order_by(module_readiness.c.valid_from, module_readiness.c.id)
    )
    if module is not None:
        query = query.where(module_readiness.c.module == module)
    return [
        ReadinessRecord(
            region_code=r.region_code,
            module=r.module,
            state=ModuleState(r.state),
            valid_from=r.valid_from.isoformat(),
            recorded_by=r.recorded_by,
            note=r.note,
        )
        for r in conn.execute(query)
    ]
