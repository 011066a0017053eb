"""Small read-only questions about the report store (briefing cut-off)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from kraan.store.tables import submissions


def newest_report_at(conn: Connection, *, as_of: datetime) -> datetime | None:
    """The reference time of the newest report at or before ``as_of`` (the data cut-off)."""
    value = conn.execute(
        select(func.max(submissions.c.reported_at)).where(submissions.c.reported_at <= as_of)
    ).scalar()
    return value if isinstance(value, datetime) else None
