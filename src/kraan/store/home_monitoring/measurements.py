"""Measurements: device resubmissions are deduplicated by key."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from kraan.store.care_at_home_tables import (
    home_measurements,
)
from kraan.store.home_monitoring.common import VALUE_COLUMNS


def find_duplicate(conn: Connection, patient_id: int, dedupe_key: str) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(home_measurements).where(
                home_measurements.c.patient_id == patient_id,
                home_measurements.c.dedupe_key == dedupe_key,
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def insert_measurement(
    conn: Connection,
    *,
    patient_id: int,
    measured_at: datetime,
    recorded_at: datetime,
    source: str,
    dedupe_key: str | None,
    values: Mapping[str, float | None],
    band: str,
    reasons: list[dict[str, object]],
    protocol_version: str,
    actor: str,
) -> tuple[int, bool]:
    """(id, created). A device resubmission (same dedupe key) returns the stored row."""
    if dedupe_key is not None:
        existing = find_duplicate(conn, patient_id, dedupe_key)
        if existing is not None:
            return int(existing["id"]), False
    row = {name: values.get(name) for name in VALUE_COLUMNS}
    try:
        with conn.begin_nested():
            measurement_id = conn.execute(
                insert(home_measurements)
                .values(
                    patient_id=patient_id,
                    measured_at=measured_at,
                    recorded_at=recorded_at,
                    source=source,
                    dedupe_key=dedupe_key,
                    band=band,
                    reasons=json.dumps(reasons),
                    protocol_version=protocol_version,
                    recorded_by=actor,
                    **row,
                )
                .returning(home_measurements.c.id)
            ).scalar_one()
    except IntegrityError:
        existing = find_duplicate(conn, patient_id, dedupe_key or "")
        if existing is None:
            raise
        return int(existing["id"]), False
    return int(measurement_id), True


def last_measurements(conn: Connection, patient_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The newest measurement of each patient."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    newest = (
        select(
            home_measurements.c.patient_id, func.max(home_measurements.c.measured_at).label("at")
        )
        .where(home_measurements.c.patient_id.in_(ids))
        .group_by(home_measurements.c.patient_id)
        .subquery()
    )
    rows = conn.execute(
        select(home_measurements).join(
            newest,
            and_(
                home_measurements.c.patient_id == newest.c.patient_id,
                home_measurements.c.measured_at == newest.c.at,
            ),
        )
    ).mappings()
    return {int(r["patient_id"]): dict(r) for r in rows}


def measurements(conn: Connection, patient_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(home_measurements)
        .where(home_measurements.c.patient_id == patient_id)
        .order_by(home_measurements.c.measured_at, home_measurements.c.id)
    ).mappings()
    return [{**dict(r), "reasons": json.loads(r["reasons"])} for r in rows]
