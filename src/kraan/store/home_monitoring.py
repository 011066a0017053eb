"""Home monitoring rows: teams, patients, measurements, alerts, interventions, sign-off.

Audit rows name the internal patient id only, never the pseudonym or values, so the audit
log (readable by coordinators) carries no patient data. Changes to alerts and patients use
optimistic locking (``... WHERE id = :id AND version = :seen``), as the transfers do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kraan.store.audit import write_audit
from kraan.store.care_at_home_tables import (
    home_alerts,
    home_interventions,
    home_measurements,
    home_patients,
    home_teams,
)

VALUE_COLUMNS = ("spo2", "resp_rate", "heart_rate", "temperature", "o2_flow")


class HomeError(Exception):
    """A request that cannot be done; ``status`` is the HTTP status it maps to."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


# ---- teams ----------------------------------------------------------------------------------


def upsert_team(
    conn: Connection,
    *,
    code: str,
    name: str,
    kind: str,
    region_code: str,
    nurses: int,
    actor: str,
    now: datetime,
    synthetic: bool = True,
) -> None:
    values = {
        "name": name,
        "kind": kind,
        "region_code": region_code,
        "nurses": nurses,
        "synthetic": synthetic,
    }
    existing = conn.execute(select(home_teams).where(home_teams.c.code == code)).mappings().first()
    if existing is None:
        conn.execute(insert(home_teams).values(code=code, **values))
    else:
        conn.execute(update(home_teams).where(home_teams.c.code == code).values(**values))
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="team.upsert",
        entity="home_team",
        entity_key=code,
        before=dict(existing) if existing else None,
        after=values,
    )


def list_teams(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(home_teams).order_by(home_teams.c.code)).mappings()
    return [dict(r) for r in rows]


def get_team(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(select(home_teams).where(home_teams.c.code == code)).mappings().first()
    return dict(row) if row else None


# ---- patients -------------------------------------------------------------------------------


def enrol_patient(conn: Connection, *, values: Mapping[str, Any], actor: str, now: datetime) -> int:
    """Insert one patient; a pseudonym already enrolled in the team is a 409."""
    try:
        with conn.begin_nested():
            patient_id = conn.execute(
                insert(home_patients)
                .values(**values, created_by=actor, status="active", version=1)
                .returning(home_patients.c.id)
            ).scalar_one()
    except IntegrityError as error:
        raise HomeError(
            409, "this pseudonym is already enrolled in this team", "pseudonym"
        ) from error
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="patient.enrol",
        entity="home_patient",
        entity_key=str(patient_id),
        before=None,
        after={"team": values["team_code"], "pathway": values["pathway"]},
    )
    return int(patient_id)


def get_patient(conn: Connection, patient_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(select(home_patients).where(home_patients.c.id == patient_id))
        .mappings()
        .first()
    )
    return dict(row) if row else None


def patients_by_pseudonym(
    conn: Connection, pseudonym: str, team_codes: Iterable[str]
) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(home_patients).where(
            home_patients.c.pseudonym == pseudonym,
            home_patients.c.team_code.in_(sorted(team_codes)),
        )
    ).mappings()
    return [dict(r) for r in rows]


def active_patients(
    conn: Connection, team_codes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    query = select(home_patients).where(home_patients.c.status == "active")
    if team_codes is not None:
        query = query.where(home_patients.c.team_code.in_(sorted(team_codes)))
    return [dict(r) for r in conn.execute(query.order_by(home_patients.c.id)).mappings()]


def has_synthetic_patients(conn: Connection) -> bool:
    found = conn.execute(
        select(home_patients.c.id).where(home_patients.c.synthetic == True).limit(1)  # noqa: E712
    ).first()
    return found is not None


def sign_off(
    conn: Connection,
    *,
    patient: Mapping[str, Any],
    outcome: str,
    at: datetime,
    readmission_days: float,
    actor: str,
    now: datetime,
) -> None:
    done = conn.execute(
        update(home_patients)
        .where(
            home_patients.c.id == patient["id"],
            home_patients.c.version == patient["version"],
            home_patients.c.status == "active",
        )
        .values(
            status="signed_off",
            outcome=outcome,
            signed_off_at=at,
            signed_off_by=actor,
            readmission_days=readmission_days,
            version=patient["version"] + 1,
        )
    )
    if done.rowcount != 1:
        raise HomeError(409, "the patient was changed or signed off meanwhile; reload")
    conn.execute(
        update(home_alerts)
        .where(home_alerts.c.patient_id == patient["id"], home_alerts.c.state == "open")
        .values(state="closed", note="closed at sign-off", version=home_alerts.c.version + 1)
    )
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="patient.sign_off",
        entity="home_patient",
        entity_key=str(patient["id"]),
        before={"status": "active"},
        after={"status": "signed_off", "outcome": outcome},
    )


# ---- measurements ---------------------------------------------------------------------------


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


# ---- alerts and interventions -------------------------------------------------------------


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
    done = conn.execute(
        update(home_alerts)
        .where(
            home_alerts.c.id == alert["id"],
            home_alerts.c.version == alert["version"],
            home_alerts.c.state == "open",
        )
        .values(
            state="acknowledged",
            acknowledged_at=now,
            acknowledged_by=actor,
            note=note,
            version=alert["version"] + 1,
        )
    )
    if done.rowcount != 1:
        raise HomeError(409, "the alert was acknowledged or changed meanwhile; reload")
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


# ---- aggregates (no patient-level data leaves these) ---------------------------------------


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
