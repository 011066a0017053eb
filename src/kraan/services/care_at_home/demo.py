"""Labelled-synthetic demo data for care at home: teams, patients, GP panels (Nov 2020 - Jan 2021).

Deterministic (seeded). Every team, practice and patient carries ``synthetic = True`` and
every pseudonym starts with ``SYN-``; the pages label them. Measurements go through the
same triage and alert rules as real ones, at their own (past) times. Idempotent: nothing is
added when synthetic patients exist already.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine

from kraan.domain.access import Role
from kraan.services.care_at_home import early_warning, home
from kraan.settings import Settings
from kraan.store import early_warning as gp_store
from kraan.store import home_monitoring as store
from kraan.store.access import create_user, user_id
from kraan.store.reference import load_regions

START = datetime(2020, 11, 1, 8, 0)
DAYS = 92  # to the end of January 2021
PATIENTS_PER_REGION = 14
PRACTICES_PER_REGION = 2
PANEL = 40
RISK_PREVALENCE = {  # share of the synthetic panel with each group (synthetic, not real figures)
    "chronic_respiratory": 0.10,
    "chronic_heart": 0.10,
    "diabetes": 0.10,
    "chronic_kidney": 0.04,
    "immunodeficiency": 0.03,
    "cancer": 0.03,
    "neurological": 0.03,
    "liver": 0.02,
    "severe_obesity": 0.03,
}


def _values(rng: np.random.Generator, severity: float, oxygen: bool) -> dict[str, float]:
    spo2 = float(np.clip(round(97 - 6 * severity + rng.normal(0, 1.0)), 84, 100))
    return {
        "spo2": spo2,
        "resp_rate": float(np.clip(round(16 + 10 * severity + rng.normal(0, 2)), 8, 40)),
        "heart_rate": float(np.clip(round(78 + 30 * severity + rng.normal(0, 6)), 45, 150)),
        "temperature": float(
            np.clip(round(37.0 + 1.5 * severity + rng.normal(0, 0.3), 1), 35.5, 40.5)
        ),
        "o2_flow": float(np.clip(round(1 + 4 * severity + rng.normal(0, 0.5)), 0, 8))
        if oxygen
        else 0.0,
    }


def seed_care_at_home(engine: Engine, settings: Settings, *, now: datetime) -> dict[str, Any]:
    rng = np.random.default_rng(20201221)
    with engine.begin() as conn:
        if store.has_synthetic_patients(conn):
            return {"care_at_home": "already seeded"}
        regions = load_regions(conn)
        teams: list[str] = []
        for n, region in enumerate(regions):
            code = f"CC-{region.code}"
            store.upsert_team(
                conn,
                code=code,
                name=f"Synthetic control centre {region.name}",
                kind="control_centre",
                region_code=region.code,
                nurses=int(2 + n % 4),
                actor="kraan demo",
                now=now,
            )
            teams.append(code)
            for k in range(PRACTICES_PER_REGION):
                gp_store.upsert_practice(
                    conn,
                    code=f"GP-{region.code}-{k + 1}",
                    name=f"Synthetic practice {region.name} {k + 1}",
                    region_code=region.code,
                    actor="kraan demo",
                    now=now,
                )
    patients = 0
    for team in teams:
        with engine.begin() as conn:
            for _ in range(PATIENTS_PER_REGION):
                patients += 1
                _seed_patient(conn, settings, rng, team=team, number=patients, now=now)
    listed = 0
    with engine.begin() as conn:
        for practice in gp_store.list_practices(conn):
            if not practice["synthetic"]:
                continue
            for k in range(PANEL):
                age = int(np.clip(rng.normal(66, 14), 18, 99))
                groups = [
                    g for g, p in RISK_PREVALENCE.items() if rng.random() < p * (1 + age / 80)
                ]
                result = early_warning.register(
                    conn,
                    settings,
                    practice_code=practice["code"],
                    pseudonym=f"SYN-{practice['code']}-{k + 1:03d}",
                    age=age,
                    risk_groups=groups,
                    actor="kraan demo",
                    now=START + timedelta(days=int(rng.integers(0, 30))),
                    synthetic=True,
                )
                if result["listed"]:
                    listed += 1
                    if rng.random() < 0.6:
                        action = str(
                            rng.choice(
                                [
                                    "called",
                                    "advised",
                                    "oximeter_given",
                                    "vaccination_offered",
                                    "declined",
                                ]
                            )
                        )
                        early_warning.record_action(
                            conn,
                            settings,
                            patient=gp_store.get_patient(conn, result["id"]) or {},
                            action=action,
                            at=START + timedelta(days=int(rng.integers(30, DAYS))),
                            note="synthetic",
                            actor="kraan demo",
                            now=now,
                        )
    users = _demo_users(engine, now=now, team=teams[0] if teams else None)
    return {"home_patients": patients, "gp_listed": listed, **users}


def _seed_patient(
    conn: Any,
    settings: Settings,
    rng: np.random.Generator,
    *,
    team: str,
    number: int,
    now: datetime,
) -> None:
    post = rng.random() < 0.6
    enrolled = START + timedelta(
        days=int(rng.integers(0, DAYS - 4)), hours=int(rng.integers(0, 10))
    )
    body = {
        "pseudonym": f"SYN-{number:05d}",
        "team_code": team,
        "pathway": "post_clinical" if post else "pre_clinical",
        "referrer": "ward" if post else str(rng.choice(["gp", "home_care", "ed"])),
        "oxygen": bool(post and rng.random() < 0.7),
        "high_care": bool(rng.random() < 0.05),
        "enrolled_at": enrolled,
        "days_in_hospital": float(rng.integers(2, 9)) if post else 0.0,
        "synthetic": True,
    }
    patient_id = home.enrol(conn, settings, body=body, actor="kraan demo", now=enrolled)
    patient = store.get_patient(conn, patient_id)
    assert patient is not None
    worsens = rng.random() < 0.12
    days = int(rng.integers(5, 14))
    severity = float(rng.uniform(0.2, 0.5))
    at = enrolled
    cutoff = min(now, START + timedelta(days=DAYS))  # still at home at the demo's end: active
    for step in range(days * 3):
        at = enrolled + timedelta(hours=8 * step + float(rng.uniform(0, 1.5)))
        if at > cutoff:
            return
        severity = min(1.0, severity + 0.06) if worsens else max(0.0, severity - 0.03)
        result = home.record(
            conn,
            settings,
            patient=patient,
            values=_values(rng, severity, body["oxygen"]),
            measured_at=at,
            source="device",
            dedupe_key=f"demo|{patient_id}|{step}",
            actor="kraan demo",
            now=at + timedelta(minutes=2),
        )
        if result["alert_id"]:
            alert = store.get_alert(conn, result["alert_id"])
            assert alert is not None
            store.acknowledge(
                conn,
                alert=alert,
                actor="synthetic nurse",
                now=at + timedelta(minutes=int(rng.integers(5, 90))),
                note="called the patient",
            )
            store.add_intervention(
                conn,
                patient_id=patient_id,
                at=at + timedelta(minutes=20),
                kind="call",
                note="synthetic",
                alert_id=alert["id"],
                actor="synthetic nurse",
                now=at + timedelta(minutes=20),
            )
        if worsens and severity >= 0.9:
            break
    end = at + timedelta(hours=4)
    if end > cutoff:
        return
    outcome = ("died" if rng.random() < 0.1 else "readmitted") if worsens else "recovered"
    days_back = float(rng.integers(3, 12)) if outcome == "readmitted" else 0.0
    fresh = store.get_patient(conn, patient_id)
    assert fresh is not None
    store.sign_off(
        conn,
        patient=fresh,
        outcome=outcome,
        at=end,
        readmission_days=days_back,
        actor="synthetic nurse",
        now=end,
    )


def _demo_users(engine: Engine, *, now: datetime, team: str | None) -> dict[str, str]:
    """A control-centre nurse of the first team and a GP of its region's first practice."""
    created: dict[str, str] = {}
    if team is None:
        return created
    region = team.removeprefix("CC-")
    with engine.begin() as conn:
        for username, role, codes in (
            ("nurse", Role.CONTROL_CENTRE_NURSE, [team]),
            ("gp", Role.GP, [f"GP-{region}-1"]),
        ):
            if user_id(conn, username) is None:
                password = secrets.token_urlsafe(12)
                create_user(
                    conn,
                    username=username,
                    role=role,
                    now=now,
                    actor="kraan demo",
                    password=password,
                    location_codes=codes,
                )
                created[f"{username}_password"] = password
    return created
