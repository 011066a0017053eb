"""Every rejected input is logged with its reasons, so nothing is silently lost.

The log never fails the request that is being rejected: what it stores is cut to the
column sizes and cleaned of NUL characters, and one actor's rejections are capped per
hour (beyond the cap the request still gets its per-row answer; the log keeps one note).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, or_, select

from kraan.domain.bounds import clip
from kraan.store.tables import locations, rejections, users

#: A rejection logged when an actor reached the hourly cap (written once per hour).
CAPPED = "rejection-log-capped"


def log_rejection(
    conn: Connection,
    *,
    now: datetime,
    actor: str,
    source: str,
    location_code: str | None,
    reference: str,
    errors: Sequence[dict[str, str]],
    payload: object,
    hourly_cap: int | None = None,
) -> bool:
    """Store one rejection; False when the actor's hourly cap was reached (not stored)."""
    actor = clip(actor, 100) or ""
    if hourly_cap is not None:
        logged = conn.execute(
            select(func.count())
            .select_from(rejections)
            .where(rejections.c.actor == actor, rejections.c.received_at > now - timedelta(hours=1))
        ).scalar_one()
        if logged > hourly_cap:
            return False
        if logged == hourly_cap:
            location_code, reference = None, CAPPED
            errors = [{"field": "log", "message": f"more than {hourly_cap} rejections this hour"}]
            payload = {}
    conn.execute(
        insert(rejections).values(
            received_at=now,
            actor=actor,
            source=clip(source, 16) or "",
            location_code=clip(location_code, 64),
            reference=clip(reference, 200) or "",
            errors=json.dumps(list(errors), default=str),
            payload=json.dumps(payload, default=str),
        )
    )
    return True


def recent_rejections(
    conn: Connection, *, limit: int = 100, region: str | None = None
) -> list[dict[str, object]]:
    """Newest first. ``region``: rejections for its locations or sent by its users."""
    query = select(rejections).order_by(rejections.c.id.desc()).limit(limit)
    if region is not None:
        codes = select(locations.c.code).where(locations.c.region_code == region)
        members = select(users.c.username).where(users.c.region_code == region)
        query = query.where(
            or_(rejections.c.location_code.in_(codes), rejections.c.actor.in_(members))
        )
    rows = conn.execute(query).mappings()
    return [{**dict(row), "errors": json.loads(row["errors"])} for row in rows]
