"""Searching the audit log for the audit page: by actor, kind (action) and time, within
a coordinator's scope."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from kraan.store.audit import in_scope
from kraan.store.tables import audit_log


def search_audit(
    conn: Connection,
    *,
    actor: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    region: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Newest first. ``kind`` matches the action or its prefix ("login" finds
    login.ok and login.failed); ``region`` keeps the rows in that region's scope, by the
    same rule as the API (:func:`kraan.store.audit.in_scope`)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    if kind:
        query = query.where(or_(audit_log.c.action == kind, audit_log.c.action.like(f"{kind}.%")))
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at <= until)
    if region is not None:
        query = query.where(in_scope(region))
    return [
        {
            **dict(row),
            "before": json.loads(row["before"]) if row["before"] else None,
            "after": json.loads(row["after"]) if row["after"] else None,
        }
        for row in conn.execute(query).mappings()
    ]


def audit_kinds(conn: Connection) -> list[str]:
    """The actions present, for the search form."""
    return sorted(set(conn.execute(select(audit_log.c.action).distinct()).scalars()))
