"""The audit log: who changed what, when, with before and after."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, insert, or_, select

from kraan.store.tables import audit_log, users


def write_audit(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    before: Mapping[str, object] | None,
    after: Mapping[str, object] | None,
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_key=entity_key,
            before=json.dumps(before, default=str) if before is not None else None,
            after=json.dumps(after, default=str) if after is not None else None,
        )
    )


def audit_entries(
    conn: Connection, *, entity: str | None = None, limit: int = 200, region: str | None = None
) -> list[dict[str, object]]:
    """Newest first. ``region``: only rows about that region or made by its users."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if entity:
        query = query.where(audit_log.c.entity == entity)
    if region is not None:
        members = select(users.c.username).where(users.c.region_code == region)
        query = query.where(or_(audit_log.c.entity_key == region, audit_log.c.actor.in_(members)))
    return [
        {
            **dict(row),
            "before": json.loads(row["before"]) if row["before"] else None,
            "after": json.loads(row["after"]) if row["after"] else None,
        }
        for row in conn.execute(query).mappings()
    ]
