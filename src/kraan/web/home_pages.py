"""Home monitoring and GP early-warning pages.

- ``/home``: a nurse's worklist (worst band and soonest due first) with alert
  acknowledgement; anyone else sees the regional summary (aggregates).
- ``/home/patients/{id}``: a patient's timeline (SpO2 chart, measurements, alerts,
  interventions) with forms for a measurement and an intervention.
- ``/early-warning``: a GP's practice list with why each patient is on it and action
  buttons; anyone else the regional aggregates.

Patient-level pages are audited like the API; forms carry the session's CSRF token.
Times are shown in Europe/Amsterdam.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote_plus

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kraan.api.deps import EngineDep, OptionalPrincipalDep, SettingsDep, utc_now
from kraan.domain.access import Principal, Role, can_handle_home_patient, can_read_practice_list
from kraan.services.care_at_home import early_warning, home
from kraan.services.care_at_home.aggregates import module1_parameters, regional_summary
from kraan.store import early_warning as gp_store
from kraan.store import home_monitoring as store
from kraan.store.home_monitoring import HomeError
from kraan.web.care_charts import spo2_timeline
from kraan.web.common import form_ok, read_as_of, render
from kraan.web.i18n import fmt_datetime
from kraan.web.i18n import gettext as _
from kraan.web.refusals import home_problem
from kraan.web.words import word

router = APIRouter(include_in_schema=False)


def local(moment: datetime | None) -> str:
    """A stored (UTC) moment in Europe/Amsterdam with its zone, as every time on a page."""
    return fmt_datetime(moment)


def _to(path: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?message={quote_plus(message)}", 303)


def _refused(request: Request, principal: Principal | None, status: int, text: str) -> Response:
    return render(
        request, "error.html", principal, status_code=status, title=_("Not done"), message=text
    )


@router.get("/home", response_class=HTMLResponse)
def home_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    message: str = "",
) -> HTMLResponse:
    as_of, carry, _error = read_as_of(request)
    if principal is None or principal.role is not Role.CONTROL_CENTRE_NURSE:
        return summary_page(request, engine, settings, principal)
    now = utc_now()
    teams = sorted(principal.location_codes)
    with engine.begin() as conn:
        home.scan_missed(conn, settings, now=now, team_codes=teams)
        rows = home.worklist(conn, settings, teams=teams, now=now)
        store.audit_read(
            conn, actor=principal.username, now=now, what="home_worklist", key=",".join(teams)
        )
        load = [t for t in home.team_load(conn, settings) if t["code"] in teams]
    return render(
        request,
        "home_worklist.html",
        principal,
        as_of=as_of,
        carry=carry,
        rows=rows,
        teams=load,
        local=local,
        message=message,
    )


@router.get("/home/summary", response_class=HTMLResponse)
def summary_page(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: OptionalPrincipalDep
) -> HTMLResponse:
    as_of, carry, _error = read_as_of(request)
    with engine.connect() as conn:
        teams = home.team_load(conn, settings)
    return render(
        request,
        "home_summary.html",
        principal,
        as_of=as_of,
        carry=carry,
        summary=regional_summary(engine, as_of, settings),
        module1=module1_parameters(engine, as_of, settings),
        teams=teams,
    )


def _spo2_chart(patient: dict[str, Any], measurements: list[dict[str, Any]]) -> str | None:
    start = patient["enrolled_at"]
    points = [
        (
            (m["measured_at"] - start).total_seconds() / 3600.0,
            float(m["spo2"]),
            m["band"],
            local(m["measured_at"]),
        )
        for m in measurements
        if m["spo2"] is not None
    ]
    return spo2_timeline(points) if points else None


@router.get("/home/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request,
    patient_id: int,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    message: str = "",
) -> Response:
    if principal is None:
        return _refused(request, None, 401, _("Log in as a nurse of the patient's team."))
    now = utc_now()
    with engine.begin() as conn:
        patient = store.get_patient(conn, patient_id)
        if patient is None:
            return _refused(request, principal, 404, _("Unknown patient."))
        if not can_handle_home_patient(principal, team_code=patient["team_code"]):
            return _refused(request, principal, 403, _("This patient belongs to another team."))
        measurements = store.measurements(conn, patient_id)
        alerts = store.alerts_for(conn, patient_ids=[patient_id])
        interventions = store.interventions(conn, patient_id)
        store.audit_read(
            conn, actor=principal.username, now=now, what="home_patient", key=str(patient_id)
        )
    return render(
        request,
        "home_patient.html",
        principal,
        patient=patient,
        measurements=measurements,
        alerts=alerts,
        interventions=interventions,
        local=local,
        now=now,
        chart=_spo2_chart(patient, measurements),
        message=message,
        kinds=home.INTERVENTIONS,
    )


def _float(value: str) -> float | None:
    try:
        return float(value.replace(",", ".")) if value.strip() else None
    except ValueError:
        return float("nan")


@router.post("/home/patients/{patient_id}/measurements", response_class=HTMLResponse)
def measurement_form(
    request: Request,
    patient_id: int,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    csrf: Annotated[str, Form()] = "",
    spo2: Annotated[str, Form()] = "",
    resp_rate: Annotated[str, Form()] = "",
    heart_rate: Annotated[str, Form()] = "",
    temperature: Annotated[str, Form()] = "",
    o2_flow: Annotated[str, Form()] = "",
) -> Response:
    if principal is None or not form_ok(request, settings, csrf):
        return _refused(request, principal, 403, _("Log in again and reload the page."))
    values = {
        "spo2": _float(spo2),
        "resp_rate": _float(resp_rate),
        "heart_rate": _float(heart_rate),
        "temperature": _float(temperature),
        "o2_flow": _float(o2_flow),
    }
    bad = [k for k, v in values.items() if v is not None and v != v]
    if bad:
        return _to(f"/home/patients/{patient_id}",
                   _("Not a number: %(fields)s", fields=", ".join(word(k) for k in bad)))
    now = utc_now()
    try:
        with engine.begin() as conn:
            patient = store.get_patient(conn, patient_id)
            if patient is None or not can_handle_home_patient(
                principal, team_code=patient["team_code"]
            ):
                return _refused(request, principal, 403, _("This patient belongs to another team."))
            result = home.record(
                conn,
                settings,
                patient=patient,
                values=values,
                measured_at=now,
                source="form",
                dedupe_key=None,
                actor=principal.username,
                now=now,
            )
    except HomeError as error:
        why = home_problem(error)
        return _to(f"/home/patients/{patient_id}", _("Not stored: %(why)s", why=why))
    band = result["triage"]["band"]
    return _to(f"/home/patients/{patient_id}", _("Stored: %(band)s", band=word(band)))


@router.post("/home/patients/{patient_id}/interventions", response_class=HTMLResponse)
def intervention_form(
    request: Request,
    patient_id: int,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    csrf: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    if principal is None or not form_ok(request, settings, csrf):
        return _refused(request, principal, 403, _("Log in again and reload the page."))
    if kind not in home.INTERVENTIONS:
        return _to(f"/home/patients/{patient_id}", _("Choose a kind"))
    now = utc_now()
    with engine.begin() as conn:
        patient = store.get_patient(conn, patient_id)
        if patient is None or not can_handle_home_patient(
            principal, team_code=patient["team_code"]
        ):
            return _refused(request, principal, 403, _("This patient belongs to another team."))
        store.add_intervention(
            conn,
            patient_id=patient_id,
            at=now,
            kind=kind,
            note=note[:2000],
            alert_id=None,
            actor=principal.username,
            now=now,
        )
    return _to(f"/home/patients/{patient_id}", _("Intervention recorded"))


@router.post("/home/alerts/{alert_id}/acknowledge", response_class=HTMLResponse)
def acknowledge_form(
    request: Request,
    alert_id: int,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    if principal is None or not form_ok(request, settings, csrf):
        return _refused(request, principal, 403, _("Log in again and reload the page."))
    now = utc_now()
    try:
        with engine.begin() as conn:
            alert = store.get_alert(conn, alert_id)
            if alert is None or not can_handle_home_patient(
                principal, team_code=alert["team_code"]
            ):
                return _refused(request, principal, 403, _("This alert belongs to another team."))
            if alert["state"] != "open":
                return _to("/home", _("Alert %(id)s was already %(state)s", id=alert_id,
                                      state=word(alert["state"])))
            store.acknowledge(
                conn, alert=alert, actor=principal.username, now=now, note=note[:2000]
            )
    except HomeError as error:
        return _to("/home", home_problem(error))
    return _to("/home", _("Alert %(id)s acknowledged", id=alert_id))


@router.get("/early-warning", response_class=HTMLResponse)
def early_warning_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    message: str = "",
) -> HTMLResponse:
    as_of, carry, _error = read_as_of(request)
    now = utc_now()
    lists = []
    with engine.begin() as conn:
        if principal is not None and principal.role is Role.GP:
            for code in sorted(principal.location_codes):
                if gp_store.get_practice(conn, code) is None:
                    continue
                lists.append(early_warning.practice_list(conn, settings, practice_code=code))
                store.audit_read(conn, actor=principal.username, now=now, what="gp_list", key=code)
        aggregates = early_warning.regional_aggregates(conn, settings)
    return render(
        request,
        "early_warning.html",
        principal,
        as_of=as_of,
        carry=carry,
        lists=lists,
        aggregates=aggregates,
        model=early_warning.model(settings),
        message=message,
        local=local,
    )


@router.post("/early-warning/patients/{patient_id}/actions", response_class=HTMLResponse)
def action_form(
    request: Request,
    patient_id: int,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    csrf: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    if principal is None or not form_ok(request, settings, csrf):
        return _refused(request, principal, 403, _("Log in again and reload the page."))
    now = utc_now()
    try:
        with engine.begin() as conn:
            patient = gp_store.get_patient(conn, patient_id)
            if patient is None or not can_read_practice_list(
                principal, practice_code=patient["practice_code"]
            ):
                return _refused(
                    request, principal, 403, _("This patient belongs to another practice.")
                )
            early_warning.record_action(
                conn,
                settings,
                patient=patient,
                action=action,
                at=now,
                note="",
                actor=principal.username,
                now=now,
            )
    except HomeError as error:
        return _to("/early-warning", home_problem(error))
    return _to("/early-warning", _("Action recorded"))
