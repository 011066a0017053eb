"""Home monitoring (modules 1 and B): enrolment, measurements (form or FHIR), alerts, sign-off.

Patient-level endpoints need a control-centre nurse of the patient's team
(:func:`kraan.domain.access.can_handle_home_patient`); every read of patient-level data is
audited. ``/summary`` and ``/module1`` are public aggregates without patient-level data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from kraan.api.deps import AsOfDep, EngineDep, PrincipalDep, SettingsDep, utc_now
from kraan.domain.access import Principal, Role, can_handle_home_patient, can_manage_access
from kraan.ingest import fhir_observations
from kraan.services.care_at_home import home as service
from kraan.services.care_at_home.aggregates import module1_parameters, regional_summary
from kraan.services.care_at_home.home import Intervention
from kraan.store import home_monitoring as store
from kraan.store.home_monitoring import HomeError

router = APIRouter(prefix="/api/v1/home", tags=["home monitoring"])

Pseudonym = Annotated[str, Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


def _naive(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


class TeamBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=2, max_length=200)
    kind: Literal["hospital", "control_centre"]
    region_code: str = Field(min_length=1, max_length=16)
    nurses: int = Field(ge=1, le=500)


class EnrolBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pseudonym: Pseudonym = Field(description="Held by the team; never a name or BSN.")
    team_code: str
    pathway: Literal["pre_clinical", "post_clinical"]
    referrer: Literal["gp", "home_care", "ed", "ward"]
    oxygen: bool = False
    high_care: bool = Field(False, description="Module B: continuous (24/7) monitoring.")
    enrolled_at: datetime | None = None
    days_in_hospital: float | None = Field(None, ge=0, le=365, description="Post-clinical only.")


class MeasurementBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measured_at: datetime
    spo2: float | None = Field(None, description="%")
    resp_rate: float | None = Field(None, description="breaths/min")
    heart_rate: float | None = Field(None, description="beats/min")
    temperature: float | None = Field(None, description="degrees Celsius")
    o2_flow: float | None = Field(None, description="L/min")


class AckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=2000)
    version: int | None = None


class InterventionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Intervention
    note: str = Field("", max_length=2000)
    at: datetime | None = None
    alert_id: int | None = None


class SignOffBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["recovered", "readmitted", "died"]
    at: datetime | None = None
    readmission_days: float | None = Field(None, ge=0, le=365)


def problem(error: HomeError) -> HTTPException:
    if error.status == 422:
        fields = (error.field or "body").split(",")
        messages = str(error).split("; ")
        if len(messages) != len(fields):
            messages = [str(error)] * len(fields)
        return HTTPException(
            422, detail=[{"field": f, "message": m} for f, m in zip(fields, messages, strict=True)]
        )
    return HTTPException(error.status, detail=str(error))


def _patient_for(conn: Any, principal: Principal, patient_id: int) -> dict[str, Any]:
    patient = store.get_patient(conn, patient_id)
    if patient is None:
        raise HTTPException(404, detail="unknown patient")
    if not can_handle_home_patient(principal, team_code=patient["team_code"]):
        raise HTTPException(403, detail="this patient belongs to another team")
    return patient


def _teams_of(principal: Principal, team: str | None) -> list[str]:
    if principal.role is not Role.CONTROL_CENTRE_NURSE:
        raise HTTPException(403, detail="patient-level home monitoring is for the team's nurses")
    if team is not None and team not in principal.location_codes:
        raise HTTPException(403, detail="you are not a nurse of this team")
    return [team] if team else sorted(principal.location_codes)


@router.get("/teams", summary="Teams with their load (public, no patient data)")
def teams(engine: EngineDep, settings: SettingsDep) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return service.team_load(conn, settings)


@router.post("/teams", status_code=201, summary="Create or change a team (national coordinator)")
def put_team(body: TeamBody, engine: EngineDep, principal: PrincipalDep) -> dict[str, Any]:
    if not can_manage_access(principal):
        raise HTTPException(403, detail="only a national coordinator sets up teams")
    with engine.begin() as conn:
        store.upsert_team(conn, **body.model_dump(), actor=principal.username, now=utc_now())
    return body.model_dump()


@router.post("/patients", status_code=201, summary="Enrol a patient (the team's nurse)")
def enrol(
    body: EnrolBody, engine: EngineDep, settings: SettingsDep, principal: PrincipalDep
) -> dict[str, Any]:
    if not can_handle_home_patient(principal, team_code=body.team_code):
        raise HTTPException(403, detail="only a nurse of this team enrols its patients")
    now = utc_now()
    data = body.model_dump()
    data["enrolled_at"] = _naive(body.enrolled_at)
    try:
        with engine.begin() as conn:
            patient_id = service.enrol(conn, settings, body=data, actor=principal.username, now=now)
            patient = store.get_patient(conn, patient_id)
            load = next(t for t in service.team_load(conn, settings) if t["code"] == body.team_code)
    except HomeError as error:
        raise problem(error) from error
    assert patient is not None
    over = load["active_patients"] > load["capacity"]
    return {
        "id": patient_id,
        "team_code": patient["team_code"],
        "pathway": patient["pathway"],
        "expected_remaining_days": patient["expected_remaining_days"],
        "team_load": {k: load[k] for k in ("active_patients", "capacity", "nurses")},
        "capacity_warning": (
            f"the team now follows {load['active_patients']} patients, more than its capacity "
            f"of {load['capacity']} ({load['nurses']} nurses x {settings.home_patients_per_nurse})"
            if over
            else None
        ),
    }


@router.get("/worklist", summary="Active patients, worst band and soonest due first (audited)")
def worklist(
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    team: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    teams = _teams_of(principal, team)
    now = utc_now()
    with engine.begin() as conn:
        service.scan_missed(conn, settings, now=now, team_codes=teams)
        rows = service.worklist(conn, settings, teams=teams, now=now)
        store.audit_read(
            conn, actor=principal.username, now=now, what="home_worklist", key=",".join(teams)
        )
    return {"teams": teams, "now": now.isoformat(), "patients": rows}


@router.get("/patients/{patient_id}", summary="A patient's timeline (audited)")
def timeline(patient_id: int, engine: EngineDep, principal: PrincipalDep) -> dict[str, Any]:
    now = utc_now()
    with engine.begin() as conn:
        patient = _patient_for(conn, principal, patient_id)
        data = {
            "patient": patient,
            "measurements": store.measurements(conn, patient_id),
            "alerts": store.alerts_for(conn, patient_ids=[patient_id]),
            "interventions": store.interventions(conn, patient_id),
        }
        store.audit_read(
            conn, actor=principal.username, now=now, what="home_patient", key=str(patient_id)
        )
    return data


@router.post(
    "/patients/{patient_id}/measurements", status_code=201, summary="A measurement from the form"
)
def measure(
    patient_id: int,
    body: MeasurementBody,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    now = utc_now()
    values = body.model_dump(exclude={"measured_at"})
    try:
        with engine.begin() as conn:
            patient = _patient_for(conn, principal, patient_id)
            return service.record(
                conn,
                settings,
                patient=patient,
                values=values,
                source="form",
                dedupe_key=None,
                measured_at=_naive(body.measured_at) or now,
                actor=principal.username,
                now=now,
            )
    except HomeError as error:
        raise problem(error) from error


@router.post("/fhir", summary="FHIR R4 Observation(s) from a device; resubmissions are no-ops")
def fhir(
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    document: Annotated[dict[str, Any], Body(description="An Observation or a Bundle of them")],
) -> dict[str, Any]:
    teams = _teams_of(principal, None)
    parsed, problems = fhir_observations.parse(document, service.protocol(settings))
    if problems:
        raise HTTPException(422, detail=[{"field": f, "message": m} for f, m in problems])
    now = utc_now()
    results = []
    try:
        with engine.begin() as conn:
            for n, m in enumerate(parsed):
                found = store.patients_by_pseudonym(conn, m.pseudonym, teams)
                if len(found) != 1:
                    raise HomeError(
                        422, "unknown patient for your team(s)", f"measurements[{n}].subject"
                    )
                results.append(
                    service.record(
                        conn,
                        settings,
                        patient=found[0],
                        values=m.values,
                        source="device",
                        dedupe_key=m.dedupe_key,
                        measured_at=m.measured_at,
                        actor=principal.username,
                        now=now,
                    )
                )
    except HomeError as error:
        raise problem(error) from error
    return {"measurements": results}


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert (the team's nurse)")
def acknowledge(
    alert_id: int, body: AckBody, engine: EngineDep, principal: PrincipalDep
) -> dict[str, Any]:
    now = utc_now()
    try:
        with engine.begin() as conn:
            alert = store.get_alert(conn, alert_id)
            if alert is None:
                raise HTTPException(404, detail="unknown alert")
            if not can_handle_home_patient(principal, team_code=alert["team_code"]):
                raise HTTPException(403, detail="this alert belongs to another team")
            if alert["state"] != "open":
                raise HTTPException(409, detail=f"the alert is already {alert['state']}")
            if body.version is not None and body.version != alert["version"]:
                raise HTTPException(409, detail="the alert changed meanwhile; reload")
            store.acknowledge(conn, alert=alert, actor=principal.username, now=now, note=body.note)
    except HomeError as error:
        raise problem(error) from error
    return {"id": alert_id, "state": "acknowledged", "overdue": now > alert["due_at"]}


@router.post(
    "/patients/{patient_id}/interventions", status_code=201, summary="Record an intervention"
)
def intervene(
    patient_id: int, body: InterventionBody, engine: EngineDep, principal: PrincipalDep
) -> dict[str, Any]:
    now = utc_now()
    with engine.begin() as conn:
        _patient_for(conn, principal, patient_id)
        if body.alert_id is not None:
            alert = store.get_alert(conn, body.alert_id)
            if alert is None or alert["patient_id"] != patient_id:
                raise HTTPException(
                    422, detail=[{"field": "alert_id", "message": "not an alert of this patient"}]
                )
        new_id = store.add_intervention(
            conn,
            patient_id=patient_id,
            at=_naive(body.at) or now,
            kind=body.kind,
            note=body.note,
            alert_id=body.alert_id,
            actor=principal.username,
            now=now,
        )
    return {"id": new_id}


@router.post("/patients/{patient_id}/sign-off", summary="Sign off: recovered, readmitted or died")
def sign_off(
    patient_id: int,
    body: SignOffBody,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    now = utc_now()
    at = _naive(body.at) or now
    days = 0.0
    if body.outcome == "readmitted":  # unknown: the expected stay of a new admission
        days = (
            body.readmission_days
            if body.readmission_days is not None
            else (service.expected_remaining(settings, as_of=at, days_in_hospital=0))
        )
    try:
        with engine.begin() as conn:
            patient = _patient_for(conn, principal, patient_id)
            if patient["status"] != "active":
                raise HTTPException(409, detail="the patient is already signed off")
            store.sign_off(
                conn,
                patient=patient,
                outcome=body.outcome,
                at=at,
                readmission_days=float(days),
                actor=principal.username,
                now=now,
            )
    except HomeError as error:
        raise problem(error) from error
    return {"id": patient_id, "status": "signed_off", "outcome": body.outcome}


@router.get(
    "/summary", summary="Per region and national aggregates (public; small numbers suppressed)"
)
def summary(engine: EngineDep, settings: SettingsDep, as_of: AsOfDep) -> dict[str, Any]:
    return regional_summary(engine, as_of, settings)


@router.get("/module1", summary="Bed-days saved and readmission rate for the simulation (public)")
def module1(engine: EngineDep, settings: SettingsDep, as_of: AsOfDep) -> dict[str, Any]:
    return module1_parameters(engine, as_of, settings)
