"""The audit log: who changed what, when, with before and after.

Append-only twice over (issue 8): on PostgreSQL and SQLite a trigger refuses UPDATE and
DELETE (migration 0007_hardening), and each row carries ``row_hash``, a SHA-256 over the
previous row's hash and its own content, so an edit anywhere breaks the chain that
:func:`verify_chain` (``kraan audit verify``) walks. Writers serialise on a transaction-level
advisory lock on PostgreSQL, so concurrent transactions chain one after the other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, or_, select, text

from kraan.store.tables import audit_log, users

#: The advisory lock key audit writers share (any constant; "kraan audit" in ASCII).
AUDIT_LOCK = 0x6B7261616E415544
CONTENT = ("at", "actor", "action", "entity", "entity_key", "before", "after")


def row_digest(prev_hash: str | None, row: Mapping[str, Any]) -> str:
    """The chain link: sha256 of the previous hash and the row's stored content."""
    at = row["at"]
    values = [
        prev_hash or "",
        at.isoformat(timespec="microseconds") if isinstance(at, datetime) else str(at),
        *(row[name] for name in CONTENT[1:]),
    ]
    encoded = json.dumps(values, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def chained(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their hashes, linked to the newest stored row.

    Call right before inserting them, in the same transaction: on PostgreSQL this takes
    the audit lock, held until commit, so no other writer links to the same row.
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        conn.execute(text("select pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    prev = conn.execute(
        select(audit_log.c.row_hash).order_by(audit_log.c.id.desc()).limit(1)
    ).scalar()
    out = []
    for row in rows:
        link = {**row, "prev_hash": prev}
        prev = link["row_hash"] = row_digest(prev, link)
        out.append(link)
    return out


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
    row = {
        "at": at,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_key": entity_key,
        "before": json.dumps(before, default=str) if before is not None else None,
        "after": json.dumps(after, default=str) if after is not None else None,
    }
    conn.execute(insert(audit_log).values(**chained(conn, [row])[0]))


@dataclass(frozen=True, slots=True)
class ChainCheck:
    rows: int
    broken_at: int | None  # the id of the first row whose hash does not hold
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(conn: Connection, *, batch: int = 5000) -> ChainCheck:
    """Walk the log in id order and recompute every link."""
    prev: str | None = None
    seen = 0
    last_id = 0
    columns = [audit_log.c.id, audit_log.c.prev_hash, audit_log.c.row_hash]
    columns += [audit_log.c[name] for name in CONTENT]
    while True:
        rows = conn.execute(
            select(*columns).where(audit_log.c.id > last_id).order_by(audit_log.c.id).limit(batch)
        ).mappings().all()  # fmt: skip
        if not rows:
            return ChainCheck(seen, None)
        for row in rows:
            seen += 1
            if row["prev_hash"] != prev:
                return ChainCheck(seen, int(row["id"]), "does not link to the row before it")
            if row["row_hash"] != row_digest(prev, row):
                return ChainCheck(seen, int(row["id"]), "its content does not match its hash")
            prev = row["row_hash"]
        last_id = int(rows[-1]["id"])


def in_scope(region: str) -> ColumnElement[bool]:
    """The audit rows a regional coordinator of ``region`` may read, one rule for the
    API (``GET /api/v1/audit``) and the audit page: rows about the region itself, rows
    whose before/after name the region code, and rows made by the region's users."""
    quoted = f'%"{region}"%'
    members = select(users.c.username).where(users.c.region_code == region)
    return or_(
        audit_log.c.entity_key == region,
        audit_log.c.after.like(quoted),
        audit_log.c.before.like(quoted),
        audit_log.c.actor.in_(members),
    )


def audit_entries(
    conn: Connection, *, entity: str | None = None, limit: int = 200, region: str | None = None
) -> list[dict[str, object]]:
    """Newest first. ``region``: only the rows in that region's scope (:func:`in_scope`)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if entity:
        query = query.where(audit_log.c.entity == entity)
    if region is not None:
        query = query.where(in_scope(region))
    return [
        {
            **{k: v for k, v in row.items() if k not in ("prev_hash", "row_hash")},
            "before": json.loads(row["before"]) if row["before"] else None,
            "after": json.loads(row["after"]) if row["after"] else None,
        }
        for row in conn.execute(query).mappings()
    ]
