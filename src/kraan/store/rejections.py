"""Every rejected input is logged with its reasons, so nothing is silently lost."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select

from kraan.store.tables import rejections


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
) -> None:
    conn.execute(
        insert(rejections).values(
            received_at=now,
            actor=actor,
            source=source,
            location_code=location_code,
            reference=reference,
            errors=json.dumps(list(errors)),
            payload=json.dumps(payload, default=str),
        )
    )


def recent_rejections(conn: Connection, *, limit: int = 100) -> list[dict[str, object]]:
    rows = conn.execute(select(rejections).order_by(rejections.c.id.desc()).limit(limit)).mappings()
    return [{**dict(row), "errors": json.loads(row["errors"])} for row in rows]
