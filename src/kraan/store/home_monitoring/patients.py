"""Teams and patients: enrolment, lookup and sign-off."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from kraan.store.audit import write_audit
from kraan.store.care_at_home_tables import (
    home_alerts,
    home_patients,
    home_teams,
)
from kraan.store.home_monitoring.common import HomeError, compare_and_set


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
    compare_and_set(
        conn,
        home_patients,
        patient,
        state=("status", "active"),
        values={
            "status": "signed_off",
            "outcome": outcome,
            "signed_off_at": at,
            "signed_off_by": actor,
            "readmission_days": readmission_days,
        },
        conflict="the patient was changed or signed off meanwhile; reload",
    )
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
