"""Alerts, interventions, and the audit of every read of patient-level data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from kraan.store.audit import write_audit
from kraan.store.care_at_home_tables import (
    home_alerts,
    home_interventions,
)
from kraan.store.home_monitoring.common import compare_and_set


def raise_alert(
    conn: Connection,
    *,
    patient_id: int,
    team_code: str,
    kind: str,
    measurement_id: int | None,
    raised_at: datetime,
    due_at: datetime,
    actor: str,
) -> int:
    alert_id = conn.execute(
        insert(home_alerts)
        .values(
            patient_id=patient_id,
            team_code=team_code,
            kind=kind,
            measurement_id=measurement_id,
            raised_at=raised_at,
            due_at=due_at,
            state="open",
            note="",
            version=1,
        )
        .returning(home_alerts.c.id)
    ).scalar_one()
    write_audit(
        conn,
        at=raised_at,
        actor=actor,
        action="alert.raise",
        entity="home_alert",
        entity_key=str(alert_id),
        before=None,
        after={"patient_id": patient_id, "kind": kind, "due_at": due_at},
    )
    return int(alert_id)


def get_alert(conn: Connection, alert_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(home_alerts).where(home_alerts.c.id == alert_id)).mappings().first()
    return dict(row) if row else None


def alerts_for(
    conn: Connection, *, patient_ids: Iterable[int] | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    query = select(home_alerts)
    if patient_ids is not None:
        query = query.where(home_alerts.c.patient_id.in_(sorted(set(patient_ids))))
    if state is not None:
        query = query.where(home_alerts.c.state == state)
    return [dict(r) for r in conn.execute(query.order_by(home_alerts.c.due_at)).mappings()]


def latest_alert_time(conn: Connection, patient_id: int, kind: str) -> datetime | None:
    return conn.execute(  # type: ignore[no-any-return]
        select(func.max(home_alerts.c.raised_at)).where(
            home_alerts.c.patient_id == patient_id, home_alerts.c.kind == kind
        )
    ).scalar()


def acknowledge(
    conn: Connection, *, alert: Mapping[str, Any], actor: str, now: datetime, note: str
) -> None:
    compare_and_set(
        conn,
        home_alerts,
        alert,
        state=("state", "open"),
        values={
            "state": "acknowledged",
            "acknowledged_at": now,
            "acknowledged_by": actor,
            "note": note,
        },
        conflict="the alert was acknowledged or changed meanwhile; reload",
    )
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="alert.acknowledge",
        entity="home_alert",
        entity_key=str(alert["id"]),
        before={"state": "open"},
        after={"state": "acknowledged", "overdue": now > alert["due_at"]},
    )


def add_intervention(
    conn: Connection,
    *,
    patient_id: int,
    at: datetime,
    kind: str,
    note: str,
    alert_id: int | None,
    actor: str,
    now: datetime,
) -> int:
    intervention_id = conn.execute(
        insert(home_interventions)
        .values(
            patient_id=patient_id,
            at=at,
            recorded_at=now,
            actor=actor,
            kind=kind,
            note=note,
            alert_id=alert_id,
        )
        .returning(home_interventions.c.id)
    ).scalar_one()
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="intervention.add",
        entity="home_patient",
        entity_key=str(patient_id),
        before=None,
        after={"kind": kind},
    )
    return int(intervention_id)


def interventions(conn: Connection, patient_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(home_interventions)
        .where(home_interventions.c.patient_id == patient_id)
        .order_by(home_interventions.c.at, home_interventions.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def audit_read(conn: Connection, *, actor: str, now: datetime, what: str, key: str) -> None:
    """Every read of patient-level data leaves a row (internal ids only)."""
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="read",
        entity=what,
        entity_key=key,
        before=None,
        after=None,
    )
