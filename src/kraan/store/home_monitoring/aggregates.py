"""Regional aggregates: no patient-level data leaves these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from kraan.store.care_at_home_tables import (
    home_alerts,
    home_patients,
)


def episode_rows(conn: Connection, *, as_of: datetime) -> list[dict[str, Any]]:
    """Enrolled by ``as_of``: region, pathway, outcome (if signed off by then), days."""
    rows = conn.execute(
        select(
            home_patients.c.region_code,
            home_patients.c.pathway,
            home_patients.c.outcome,
            home_patients.c.signed_off_at,
            home_patients.c.expected_remaining_days,
            home_patients.c.readmission_days,
            home_patients.c.team_code,
        ).where(home_patients.c.enrolled_at <= as_of)
    ).mappings()
    out = []
    for r in rows:
        finished = r["signed_off_at"] is not None and r["signed_off_at"] <= as_of
        out.append({**dict(r), "outcome": r["outcome"] if finished else None})
    return out


def alert_rows(conn: Connection, *, as_of: datetime) -> list[dict[str, Any]]:
    """Alerts raised by ``as_of`` with their state then: region, team, kind, due, done."""
    rows = conn.execute(
        select(
            home_alerts.c.kind,
            home_alerts.c.due_at,
            home_alerts.c.state,
            home_alerts.c.acknowledged_at,
            home_alerts.c.team_code,
            home_patients.c.region_code,
            home_patients.c.signed_off_at,
        )
        .join(home_patients, home_patients.c.id == home_alerts.c.patient_id)
        .where(home_alerts.c.raised_at <= as_of)
    ).mappings()
    out = []
    for r in rows:
        acked = r["acknowledged_at"] is not None and r["acknowledged_at"] <= as_of
        closed = r["signed_off_at"] is not None and r["signed_off_at"] <= as_of
        out.append({**dict(r), "open_then": not acked and not closed})
    return out
