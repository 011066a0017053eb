"""Regional statuses declared by people (audited, with a reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, or_, select

from kraan.store.audit import write_audit
from kraan.store.tables import status_declarations


@dataclass(frozen=True, slots=True)
class Declaration:
    id: int
    region_code: str
    status: str
    reason: str
    declared_by: str
    declared_at: datetime
    valid_from: datetime
    valid_until: datetime | None


def declare_status(
    conn: Connection,
    *,
    region_code: str,
    status: str,
    reason: str,
    actor: str,
    now: datetime,
    valid_from: datetime,
    valid_until: datetime | None,
) -> int:
    before = active_declaration(conn, region_code=region_code, as_of=valid_from)
    declaration_id = conn.execute(
        insert(status_declarations)
        .values(
            region_code=region_code,
            status=status,
            reason=reason,
            declared_by=actor,
            declared_at=now,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        .returning(status_declarations.c.id)
    ).scalar_one()
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="status.declare",
        entity="region_status",
        entity_key=region_code,
        before={"status": before.status, "reason": before.reason} if before else None,
        after={
            "status": status,
            "reason": reason,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return int(declaration_id)


def _from_row(row: object) -> Declaration:
    return Declaration(**{k: getattr(row, k) for k in Declaration.__slots__})  # type: ignore[attr-defined]


def active_declaration(
    conn: Connection, *, region_code: str, as_of: datetime
) -> Declaration | None:
    """The newest declaration in force at ``as_of`` (declared at or before it)."""
    row = conn.execute(
        select(status_declarations)
        .where(
            status_declarations.c.region_code == region_code,
            status_declarations.c.valid_from <= as_of,
            or_(
                status_declarations.c.valid_until.is_(None),
                status_declarations.c.valid_until > as_of,
            ),
        )
        .order_by(status_declarations.c.valid_from.desc(), status_declarations.c.id.desc())
        .limit(1)
    ).first()
    return _from_row(row) if row is not None else None


def active_declarations(conn: Connection, *, as_of: datetime) -> dict[str, Declaration]:
    rows = conn.execute(
        select(status_declarations)
        .where(
            status_declarations.c.valid_from <= as_of,
            or_(
                status_declarations.c.valid_until.is_(None),
                status_declarations.c.valid_until > as_of,
            ),
        )
        .order_by(status_declarations.c.valid_from, status_declarations.c.id)
    ).all()
    return {row.region_code: _from_row(row) for row in rows}
