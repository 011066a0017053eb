"""GP early-warning rows: practices, pseudonymous patients with their score, follow-up actions.

No names, birth dates or BSNs: a practice-held pseudonym, an age in years and risk-group
codes. Audit rows carry internal ids only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update

from kraan.store.audit import write_audit
from kraan.store.care_at_home_tables import gp_actions, gp_patients, gp_practices


def upsert_practice(
    conn: Connection,
    *,
    code: str,
    name: str,
    region_code: str,
    actor: str,
    now: datetime,
    synthetic: bool = True,
) -> None:
    values = {"name": name, "region_code": region_code, "synthetic": synthetic}
    found = conn.execute(select(gp_practices.c.code).where(gp_practices.c.code == code)).first()
    if found is None:
        conn.execute(insert(gp_practices).values(code=code, **values))
    else:
        conn.execute(update(gp_practices).where(gp_practices.c.code == code).values(**values))
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="practice.upsert",
        entity="gp_practice",
        entity_key=code,
        before=None,
        after=values,
    )


def get_practice(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(select(gp_practices).where(gp_practices.c.code == code)).mappings().first()
    return dict(row) if row else None


def list_practices(conn: Connection) -> list[dict[str, Any]]:
    return [
        dict(r) for r in conn.execute(select(gp_practices).order_by(gp_practices.c.code)).mappings()
    ]


def upsert_patient(
    conn: Connection,
    *,
    practice_code: str,
    pseudonym: str,
    age: int,
    risk_groups: Sequence[str],
    points: int,
    listed: bool,
    model_version: str,
    actor: str,
    now: datetime,
    synthetic: bool = False,
) -> tuple[int, bool]:
    """(id, changed). Sending the same patient again changes nothing (idempotent)."""
    values = {
        "age": age,
        "risk_groups": ",".join(sorted(risk_groups)),
        "points": points,
        "listed": listed,
        "model_version": model_version,
    }
    row = (
        conn.execute(
            select(gp_patients).where(
                gp_patients.c.practice_code == practice_code, gp_patients.c.pseudonym == pseudonym
            )
        )
        .mappings()
        .first()
    )
    if row is not None:
        if all(row[k] == v for k, v in values.items()):
            return int(row["id"]), False
        conn.execute(
            update(gp_patients)
            .where(gp_patients.c.id == row["id"])
            .values(**values, updated_at=now)
        )
        patient_id = int(row["id"])
    else:
        patient_id = int(
            conn.execute(
                insert(gp_patients)
                .values(
                    practice_code=practice_code,
                    pseudonym=pseudonym,
                    updated_at=now,
                    synthetic=synthetic,
                    **values,
                )
                .returning(gp_patients.c.id)
            ).scalar_one()
        )
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="gp_patient.upsert",
        entity="gp_patient",
        entity_key=str(patient_id),
        before=None,
        after={"practice": practice_code, "points": points, "listed": listed},
    )
    return patient_id, True


def get_patient(conn: Connection, patient_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(gp_patients).where(gp_patients.c.id == patient_id)).mappings().first()
    return dict(row) if row else None


def practice_patients(
    conn: Connection, practice_code: str, *, listed_only: bool
) -> list[dict[str, Any]]:
    query = select(gp_patients).where(gp_patients.c.practice_code == practice_code)
    if listed_only:
        query = query.where(gp_patients.c.listed == True)  # noqa: E712
    rows = conn.execute(query.order_by(gp_patients.c.points.desc(), gp_patients.c.id)).mappings()
    return [dict(r) for r in rows]


def add_action(
    conn: Connection,
    *,
    patient_id: int,
    action: str,
    at: datetime,
    note: str,
    actor: str,
    now: datetime,
) -> int:
    action_id = conn.execute(
        insert(gp_actions)
        .values(patient_id=patient_id, action=action, at=at, actor=actor, note=note)
        .returning(gp_actions.c.id)
    ).scalar_one()
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="gp_action.add",
        entity="gp_patient",
        entity_key=str(patient_id),
        before=None,
        after={"action": action},
    )
    return int(action_id)


def actions_for(conn: Connection, patient_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not patient_ids:
        return []
    rows = conn.execute(
        select(gp_actions)
        .where(gp_actions.c.patient_id.in_(sorted(set(patient_ids))))
        .order_by(gp_actions.c.at, gp_actions.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def region_counts(conn: Connection) -> list[dict[str, Any]]:
    """Per region and practice: patients, listed, and actions by kind (aggregates only)."""
    listed = conn.execute(
        select(
            gp_practices.c.region_code,
            gp_practices.c.code,
            func.count(gp_patients.c.id),
            func.sum(case((gp_patients.c.listed == True, 1), else_=0)),  # noqa: E712
        )
        .join(gp_patients, gp_patients.c.practice_code == gp_practices.c.code, isouter=True)
        .group_by(gp_practices.c.region_code, gp_practices.c.code)
    ).all()
    actions = conn.execute(
        select(gp_patients.c.practice_code, gp_actions.c.action, func.count(gp_actions.c.id))
        .join(gp_patients, gp_patients.c.id == gp_actions.c.patient_id)
        .group_by(gp_patients.c.practice_code, gp_actions.c.action)
    ).all()
    by_practice: dict[str, dict[str, int]] = {}
    for practice, action, n in actions:
        by_practice.setdefault(practice, {})[action] = int(n)
    return [
        {
            "region_code": region,
            "practice_code": code,
            "patients": int(n or 0),
            "listed": int(k or 0),
            "actions": by_practice.get(code, {}),
        }
        for region, code, n, k in listed
    ]
