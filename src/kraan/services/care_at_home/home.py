"""Home monitoring use cases: enrol, measure (form or FHIR), triage, alerts, sign-off.

Every function takes ``now`` (or ``as_of``) explicitly. Patient-level reads are audited by
the caller's principal; aggregates never carry a pseudonym.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from sqlalchemy import Connection

from kraan.domain.care_at_home.bed_days import expected_remaining_days, weibull_survival
from kraan.domain.care_at_home.triage import (
    BAND_ORDER,
    alert_due,
    evaluate,
    missed_since,
    next_due,
    validate_values,
)
from kraan.settings import Settings
from kraan.store import home_monitoring as store
from kraan.store.home_monitoring import HomeError

PATHWAYS = {"pre_clinical": ("gp", "home_care", "ed"), "post_clinical": ("ward",)}
OUTCOMES = ("recovered", "readmitted", "died")
#: What a nurse can record; the API's body type, so the list exists once.
Intervention = Literal[
    "call",
    "video_call",
    "home_visit",
    "oxygen_changed",
    "medication",
    "advice",
    "gp_referral",
    "ed_referral",
    "admission",
    "other",
]
INTERVENTIONS: tuple[str, ...] = get_args(Intervention)


@lru_cache(maxsize=4)
def _protocol(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def protocol(settings: Settings) -> dict[str, Any]:
    return _protocol(settings.home_triage_protocol_file)


@lru_cache(maxsize=2)
def _ward_series(raw_dir: str) -> tuple[list[str], Any]:
    """The national LCPS ward series (read once per process)."""
    from kraan.services.forecasting import load_national, target_series

    national = load_national(None, raw_dir=Path(raw_dir))
    return [str(d)[:10] for d in national.dates], target_series(national, "ward")


@lru_cache(maxsize=128)
def _ward_survival(raw_dir: str, day: str, fallback_mean: float) -> tuple[tuple[float, ...], str]:
    """The ward stay fitted by the forecast on the LCPS series up to ``day``, else a fallback."""
    import numpy as np

    try:
        from kraan.domain.forecast.los import fill_admissions, fit_stay
        from kraan.domain.forecast.params import ForecastParams
        dates, series = _ward_series(raw_dir)
        end = dates.index(day) + 1 if day in dates else len(dates)
        if end < 60 or series.admissions is None:
            raise ValueError("too little history")
        admissions = fill_admissions(series.admissions[:end], series.occupancy[:end])
        fit = fit_stay(admissions, series.occupancy[:end], ForecastParams())
        return tuple(float(x) for x in np.asarray(fit.survival)), (
            f"ward stay fitted on LCPS up to {dates[end - 1]} (mean {fit.mean_days:.1f} days)"
        )
    except Exception:  # noqa: BLE001 - any failure falls back to the stated assumption
        curve = weibull_survival(fallback_mean, 1.2)
        return tuple(float(x) for x in curve), f"fallback ward stay, mean {fallback_mean} days"


def expected_remaining(settings: Settings, *, as_of: datetime, days_in_hospital: float) -> float:
    survival, _ = _ward_survival(
        str(settings.raw_data_dir), as_of.date().isoformat(), settings.home_fallback_stay_mean_days
    )
    return round(expected_remaining_days(survival, days_in_hospital), 2)


def enrol(
    conn: Connection, settings: Settings, *, body: Mapping[str, Any], actor: str, now: datetime
) -> int:
    team = store.get_team(conn, body["team_code"])
    if team is None:
        raise HomeError(422, "unknown team", "team_code")
    pathway, referrer = body["pathway"], body["referrer"]
    if referrer not in PATHWAYS[pathway]:
        raise HomeError(
            422, f"{pathway} takes a referrer from {', '.join(PATHWAYS[pathway])}", "referrer"
        )
    enrolled_at = body.get("enrolled_at") or now
    days = float(body.get("days_in_hospital") or 0.0) if pathway == "post_clinical" else 0.0
    remaining = (
        expected_remaining(settings, as_of=enrolled_at, days_in_hospital=days)
        if pathway == "post_clinical"
        else 0.0
    )
    values = {
        "pseudonym": body["pseudonym"],
        "team_code": team["code"],
        "region_code": team["region_code"],
        "pathway": pathway,
        "referrer": referrer,
        "oxygen": bool(body.get("oxygen")),
        "high_care": bool(body.get("high_care")),
        "enrolled_at": enrolled_at,
        "days_in_hospital": days,
        "expected_remaining_days": remaining,
        "synthetic": bool(body.get("synthetic")),
    }
    return store.enrol_patient(conn, values=values, actor=actor, now=now)


def record(
    conn: Connection,
    settings: Settings,
    *,
    patient: Mapping[str, Any],
    values: Mapping[str, float | None],
    measured_at: datetime,
    source: str,
    dedupe_key: str | None,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Validate, triage, store; a red band raises an alert unless one is open already."""
    if patient["status"] != "active":
        raise HomeError(409, "the patient has been signed off")
    proto = protocol(settings)
    problems = validate_values(values, proto)
    if problems:
        raise HomeError(422, "; ".join(m for _, m in problems), ",".join(f for f, _ in problems))
    if measured_at > now + settings.clock_skew:
        raise HomeError(422, "lies in the future", "measured_at")
    if measured_at < patient["enrolled_at"]:
        raise HomeError(422, "lies before the enrolment", "measured_at")
    triage = evaluate(values, proto)
    measurement_id, created = store.insert_measurement(
        conn,
        patient_id=patient["id"],
        measured_at=measured_at,
        recorded_at=now,
        source=source,
        dedupe_key=dedupe_key,
        values=values,
        band=triage.band,
        reasons=[r.as_dict() for r in triage.reasons],
        protocol_version=triage.protocol_version,
        actor=actor,
    )
    alert_id = None
    if created and triage.band == "red":
        open_red = [
            a
            for a in store.alerts_for(conn, patient_ids=[patient["id"]], state="open")
            if a["kind"] == "red"
        ]
        if not open_red:
            alert_id = store.raise_alert(
                conn,
                patient_id=patient["id"],
                team_code=patient["team_code"],
                kind="red",
                measurement_id=measurement_id,
                raised_at=now,
                due_at=alert_due(now, triage.response_minutes) or now,
                actor=actor,
            )
    return {
        "measurement_id": measurement_id,
        "duplicate": not created,
        "triage": triage.as_dict(),
        "alert_id": alert_id,
    }


def scan_missed(
    conn: Connection, settings: Settings, *, now: datetime, team_codes: list[str] | None = None
) -> int:
    """Raise a 'missed' alert for each active patient whose next measurement is overdue."""
    proto = protocol(settings)
    patients = store.active_patients(conn, team_codes)
    last = store.last_measurements(conn, [p["id"] for p in patients])
    raised = 0
    for p in patients:
        m = last.get(p["id"])
        since, band = (m["measured_at"], m["band"]) if m else (p["enrolled_at"], "green")
        deadline = missed_since(since, band, proto, now=now, high_care=bool(p["high_care"]))
        if deadline is None:
            continue
        previous = store.latest_alert_time(conn, p["id"], "missed")
        if previous is not None and previous >= deadline:
            continue
        store.raise_alert(
            conn,
            patient_id=p["id"],
            team_code=p["team_code"],
            kind="missed",
            measurement_id=None,
            raised_at=deadline,
            due_at=alert_due(deadline, proto["missed"]["response_minutes"]) or deadline,
            actor="kraan",
        )
        raised += 1
    return raised


def worklist(
    conn: Connection, settings: Settings, *, teams: list[str], now: datetime
) -> list[dict[str, Any]]:
    """Active patients of the teams, worst band and soonest due first."""
    proto = protocol(settings)
    patients = store.active_patients(conn, teams)
    last = store.last_measurements(conn, [p["id"] for p in patients])
    open_alerts: dict[int, list[dict[str, Any]]] = {}
    for alert in store.alerts_for(conn, patient_ids=[p["id"] for p in patients], state="open"):
        open_alerts.setdefault(int(alert["patient_id"]), []).append(alert)
    rows = []
    for p in patients:
        m = last.get(p["id"])
        band = m["band"] if m else "green"
        alerts = open_alerts.get(p["id"], [])
        due = min([a["due_at"] for a in alerts], default=None)
        measure_due = next_due(
            m["measured_at"] if m else p["enrolled_at"], band, proto, high_care=bool(p["high_care"])
        )
        shown_band = "red" if any(a["kind"] == "red" for a in alerts) else band
        rows.append(
            {
                "patient_id": p["id"],
                "pseudonym": p["pseudonym"],
                "team_code": p["team_code"],
                "pathway": p["pathway"],
                "oxygen": p["oxygen"],
                "high_care": p["high_care"],
                "band": shown_band,
                "last_measured_at": m["measured_at"] if m else None,
                "last_values": {k: m[k] for k in store.VALUE_COLUMNS if m and m[k] is not None},
                "open_alerts": [
                    {
                        "id": a["id"],
                        "kind": a["kind"],
                        "due_at": a["due_at"],
                        "overdue": now > a["due_at"],
                        "version": a["version"],
                    }
                    for a in alerts
                ],
                "due_at": due or measure_due,
                "measurement_due_at": measure_due,
            }
        )
    rows.sort(key=lambda r: (-BAND_ORDER[r["band"]] - (3 if r["open_alerts"] else 0), r["due_at"]))
    return rows


def team_load(conn: Connection, settings: Settings) -> list[dict[str, Any]]:
    """Per team: active patients against capacity (nurses x patients per nurse)."""
    active: dict[str, int] = {}
    for p in store.active_patients(conn):
        active[p["team_code"]] = active.get(p["team_code"], 0) + 1
    out = []
    for team in store.list_teams(conn):
        capacity = int(team["nurses"]) * settings.home_patients_per_nurse
        n = active.get(team["code"], 0)
        out.append(
            {
                **team,
                "active_patients": n,
                "capacity": capacity,
                "load": round(n / capacity, 3) if capacity else None,
            }
        )
    return out
