"""GP early warning (module 7): the practice's risk list and actions; regional aggregates.

The list and everything patient-level is for a GP of the practice only
(:func:`kraan.domain.access.can_read_practice_list`), and every read is audited.
``/aggregates`` is public: counts per region with small numbers (< 5) suppressed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from kraan.api.deps import EngineDep, PrincipalDep, SettingsDep, utc_now
from kraan.api.routers.home_monitoring import Pseudonym, problem
from kraan.domain.access import can_manage_access, can_read_practice_list
from kraan.services.care_at_home import early_warning as service
from kraan.store import early_warning as store
from kraan.store.home_monitoring import HomeError, audit_read

router = APIRouter(prefix="/api/v1/early-warning", tags=["early warning"])

RiskGroup = Literal[
    "chronic_respiratory",
    "chronic_heart",
    "diabetes",
    "chronic_kidney",
    "immunodeficiency",
    "cancer",
    "neurological",
    "liver",
    "severe_obesity",
    "down_syndrome",
    "hiv",
    "severe_mental_illness",
]


class PracticeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=2, max_length=200)
    region_code: str = Field(min_length=1, max_length=16)


class PatientBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pseudonym: Pseudonym = Field(description="The practice holds the key; never a name or BSN.")
    age: int = Field(ge=0, le=120)
    risk_groups: list[RiskGroup] = Field(default_factory=list, max_length=12)


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["called", "advised", "oximeter_given", "vaccination_offered", "declined"]
    note: str = Field("", max_length=2000)
    at: datetime | None = None


def _practice(principal: Any, code: str) -> None:
    if not can_read_practice_list(principal, practice_code=code):
        raise HTTPException(403, detail="a practice's list is for the practice's GPs only")


@router.get("/model", summary="The points score with its sources (public)")
def score_model(settings: SettingsDep) -> dict[str, Any]:
    return service.model(settings)


@router.post("/practices", status_code=201, summary="Register a practice (national coordinator)")
def put_practice(body: PracticeBody, engine: EngineDep, principal: PrincipalDep) -> dict[str, Any]:
    if not can_manage_access(principal):
        raise HTTPException(403, detail="only a national coordinator registers practices")
    with engine.begin() as conn:
        store.upsert_practice(conn, **body.model_dump(), actor=principal.username, now=utc_now())
    return body.model_dump()


@router.put("/practices/{code}/patients", summary="Add or update a patient (idempotent)")
def put_patient(
    code: str, body: PatientBody, engine: EngineDep, settings: SettingsDep, principal: PrincipalDep
) -> dict[str, Any]:
    _practice(principal, code)
    try:
        with engine.begin() as conn:
            return service.register(
                conn,
                settings,
                practice_code=code,
                pseudonym=body.pseudonym,
                age=body.age,
                risk_groups=list(body.risk_groups),
                actor=principal.username,
                now=utc_now(),
            )
    except HomeError as error:
        raise problem(error) from error


@router.get("/practices/{code}/list", summary="The practice's risk list, with why (audited)")
def risk_list(
    code: str,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    all_patients: Annotated[bool, "include those under the threshold"] = False,
) -> dict[str, Any]:
    _practice(principal, code)
    with engine.begin() as conn:
        data = service.practice_list(
            conn, settings, practice_code=code, listed_only=not all_patients
        )
        audit_read(conn, actor=principal.username, now=utc_now(), what="gp_list", key=code)
    return data


@router.post("/patients/{patient_id}/actions", status_code=201, summary="Record a follow-up action")
def act(
    patient_id: int,
    body: ActionBody,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    now = utc_now()
    with engine.begin() as conn:
        patient = store.get_patient(conn, patient_id)
        if patient is None:
            raise HTTPException(404, detail="unknown patient")
        _practice(principal, patient["practice_code"])
        at = (
            body.at.astimezone(UTC).replace(tzinfo=None)
            if body.at and body.at.tzinfo
            else (body.at or now)
        )
        new_id = service.record_action(
            conn,
            settings,
            patient=patient,
            action=body.action,
            at=at,
            note=body.note,
            actor=principal.username,
            now=now,
        )
    return {"id": new_id}


@router.get(
    "/aggregates", summary="Per region: listed patients, actions, workload (public, < 5 suppressed)"
)
def aggregates(engine: EngineDep, settings: SettingsDep) -> dict[str, Any]:
    with engine.connect() as conn:
        return service.regional_aggregates(conn, settings)
