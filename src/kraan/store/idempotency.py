"""Idempotency keys: the first answer to a keyed request, replayed for a repeat."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from kraan.store.tables import idempotency_keys


@dataclass(frozen=True, slots=True)
class Remembered:
    """What a key was first used for: the request's hash and the answer given."""

    request_hash: str
    response: Any


def recall(conn: Connection, *, key: str, actor: str) -> Remembered | None:
    """The stored answer for ``key`` of ``actor``, if the key was used before."""
    row = conn.execute(
        select(idempotency_keys.c.request_hash, idempotency_keys.c.response).where(
            idempotency_keys.c.key == key, idempotency_keys.c.actor == actor
        )
    ).first()
    return None if row is None else Remembered(row.request_hash, json.loads(row.response))


def remember(
    conn: Connection, *, key: str, actor: str, request_hash: str, response: Any, now: datetime
) -> None:
    """Keep the answer to a keyed request (JSON), for replays of the same request."""
    conn.execute(
        insert(idempotency_keys).values(
            key=key,
            actor=actor,
            request_hash=request_hash,
            response=json.dumps(response),
            created_at=now,
        )
    )
