"""Home monitoring and GP early warning through the API, on SQLite and PostgreSQL.

The role matrix for every new endpoint, bad input (nothing stored), idempotent device
submissions, alerts that survive a restart, and no pseudonym in public responses or logs.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from kraan.api.app import create_app
from kraan.api.deps import utc_now
from kraan.domain.access import Role
from kraan.services.care_at_home import briefing_summary, module1_parameters
from kraan.settings import get_settings
from kraan.store.access import create_user, issue_token
from kraan.store.care_at_home_tables import home_alerts, home_measurements
from kraan.store.db import make_engine
from kraan.store.early_warning import upsert_practice
from kraan.store.home_monitoring import upsert_team
from kraan.store.tables import audit_log

USERS = {
    "nurse-a": (Role.CONTROL_CENTRE_NURSE, ["T-A"]),
    "nurse-b": (Role.CONTROL_CENTRE_NURSE, ["T-B"]),
    "gp-1": (Role.GP, ["P-1"]),
    "gp-2": (Role.GP, ["P-2"]),
    "national": (Role.NATIONAL_COORDINATOR, []),
    "coord": (Role.REGIONAL_COORDINATOR, []),
    "viewer": (Role.VIEWER, []),
}
Api = tuple[TestClient, dict[str, dict[str, str]], Engine]


@pytest.fixture
def api(db_engine: Engine) -> Api:
    now = utc_now()
    tokens: dict[str, dict[str, str]] = {"anonymous": {}}
    with db_engine.begin() as conn:
        upsert_team(
            conn,
            code="T-A",
            name="Centre A",
            kind="control_centre",
            region_code="R1",
            nurses=2,
            actor="test",
            now=now,
        )
        upsert_team(
            conn,
            code="T-B",
            name="Hospital B",
            kind="hospital",
            region_code="R2",
            nurses=1,
            actor="test",
            now=now,
        )
        upsert_practice(
            conn, code="P-1", name="Practice 1", region_code="R1", actor="test", now=now
        )
        upsert_practice(
            conn, code="P-2", name="Practice 2", region_code="R2", actor="test", now=now
        )
        for name, (role, codes) in USERS.items():
            uid = create_user(
                conn,
                username=name,
                role=role,
                now=now,
                actor="test",
                region_code="R1" if role is Role.REGIONAL_COORDINATOR else None,
                location_codes=codes,
            )
            tokens[name] = {
                "Authorization": f"Bearer {issue_token(conn, user_id=uid, now=now, actor='test')}"
            }
    return TestClient(create_app(get_settings(), engine=db_engine)), tokens, db_engine


def _enrol(
    client: TestClient, tokens: dict[str, dict[str, str]], pseudonym: str, **extra: Any
) -> int:
    body = {
        "pseudonym": pseudonym,
        "team_code": "T-A",
        "pathway": "post_clinical",
        "referrer": "ward",
        "oxygen": True,
        "days_in_hospital": 3,
        **extra,
    }
    response = client.post("/api/v1/home/patients", json=body, headers=tokens["nurse-a"])
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_role_matrix(api: Api) -> None:
    client, tokens, _ = api
    patient = _enrol(client, tokens, "PX-ROLE-1")
    now = utc_now().isoformat()
    red = client.post(
        f"/api/v1/home/patients/{patient}/measurements",
        json={"measured_at": now, "spo2": 90},
        headers=tokens["nurse-a"],
    ).json()
    alert = red["alert_id"]
    gp_patient = client.put(
        "/api/v1/early-warning/practices/P-1/patients",
        json={"pseudonym": "GPX-1", "age": 82},
        headers=tokens["gp-1"],
    ).json()["id"]
    enrol_body = {
        "pseudonym": "PX-ROLE-2",
        "team_code": "T-A",
        "pathway": "pre_clinical",
        "referrer": "gp",
    }
    calls = [  # (method, path, body, who may)
        ("get", "/api/v1/home/worklist", None, {"nurse-a", "nurse-b"}),
        ("get", f"/api/v1/home/patients/{patient}", None, {"nurse-a"}),
        (
            "post",
            f"/api/v1/home/patients/{patient}/measurements",
            {"measured_at": now, "spo2": 97},
            {"nurse-a"},
        ),
        ("post", f"/api/v1/home/patients/{patient}/interventions", {"kind": "call"}, {"nurse-a"}),
        ("post", "/api/v1/home/patients", enrol_body, {"nurse-a"}),
        (
            "post",
            "/api/v1/home/teams",
            {"code": "T-C", "name": "Team C", "kind": "hospital", "region_code": "R1", "nurses": 1},
            {"national"},
        ),
        ("get", "/api/v1/early-warning/practices/P-1/list", None, {"gp-1"}),
        (
            "put",
            "/api/v1/early-warning/practices/P-1/patients",
            {"pseudonym": "GPX-2", "age": 70},
            {"gp-1"},
        ),
        (
            "post",
            f"/api/v1/early-warning/patients/{gp_patient}/actions",
            {"action": "called"},
            {"gp-1"},
        ),
        (
            "post",
            "/api/v1/early-warning/practices",
            {"code": "P-3", "name": "P3", "region_code": "R1"},
            {"national"},
        ),
        ("post", f"/api/v1/home/alerts/{alert}/acknowledge", {"note": "called"}, {"nurse-a"}),
        (
            "post",
            f"/api/v1/home/patients/{patient}/sign-off",
            {"outcome": "recovered"},
            {"nurse-a"},
        ),
    ]
    for method, path, body, allowed in calls:
        for who in [*USERS, "anonymous"]:
            if who in allowed:
                continue
            response = getattr(client, method)(
                path, headers=tokens[who], **({"json": body} if body else {})
            )
            expected = 401 if who == "anonymous" else 403
            assert response.status_code == expected, (method, path, who, response.text)
        for who in sorted(allowed):
            response = getattr(client, method)(
                path, headers=tokens[who], **({"json": body} if body else {})
            )
            assert response.status_code in (200, 201), (method, path, who, response.text)
    for path in (
        "/api/v1/home/summary",
        "/api/v1/home/module1",
        "/api/v1/home/teams",
        "/api/v1/early-warning/aggregates",
        "/api/v1/early-warning/model",
        "/api/v1/vaccination/priority",
    ):
        assert client.get(path).status_code == 200, path


def test_triage_alert_acknowledgement_and_bad_input(api: Api) -> None:
    client, tokens, engine = api
    patient = _enrol(client, tokens, "PX-ALERT-1")
    url = f"/api/v1/home/patients/{patient}/measurements"
    now = utc_now().isoformat()
    bad = client.post(
        url, json={"measured_at": now, "spo2": 140, "heart_rate": 3}, headers=tokens["nurse-a"]
    )
    assert bad.status_code == 422
    assert [d["field"] for d in bad.json()["detail"]] == ["spo2", "heart_rate"]
    assert _count(engine, home_measurements) == 0
    red = client.post(url, json={"measured_at": now, "spo2": 91}, headers=tokens["nurse-a"]).json()
    assert red["triage"]["band"] == "red" and red["alert_id"]
    ack = f"/api/v1/home/alerts/{red['alert_id']}/acknowledge"
    wrong = client.post(ack, json={}, headers=tokens["nurse-b"])
    assert wrong.status_code == 403 and "another team" in wrong.json()["detail"]
    assert client.post(ack, json={"note": "called"}, headers=tokens["nurse-a"]).status_code == 200
    assert client.post(ack, json={}, headers=tokens["nurse-a"]).status_code == 409
    team_b = {
        "pseudonym": "PX-CAP-1",
        "team_code": "T-B",
        "pathway": "pre_clinical",
        "referrer": "ed",
    }  # T-B: 1 nurse x 25 patients
    first = client.post("/api/v1/home/patients", json=team_b, headers=tokens["nurse-b"]).json()
    assert first["capacity_warning"] is None and first["team_load"]["capacity"] == 25
    unknown = client.post(
        "/api/v1/home/patients/999999/measurements",
        json={"measured_at": now, "spo2": 97},
        headers=tokens["nurse-a"],
    )
    assert unknown.status_code == 404


def test_fhir_idempotent_and_errors(api: Api) -> None:
    client, tokens, engine = api
    _enrol(client, tokens, "PX-FHIR-1", enrolled_at=(utc_now() - timedelta(hours=1)).isoformat())
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "59408-5"}]},
        "subject": {"reference": "Patient/PX-FHIR-1"},
        "device": {"reference": "Device/ox-1"},
        "effectiveDateTime": (utc_now() - timedelta(minutes=5)).isoformat() + "Z",
        "valueQuantity": {
            "value": 94,
            "unit": "%",
            "system": "http://unitsofmeasure.org",
            "code": "%",
        },
    }
    first = client.post("/api/v1/home/fhir", json=obs, headers=tokens["nurse-a"])
    assert first.status_code == 200, first.text
    assert first.json()["measurements"][0]["triage"]["band"] == "amber"
    again = client.post("/api/v1/home/fhir", json=obs, headers=tokens["nurse-a"]).json()
    assert again["measurements"][0]["duplicate"] is True
    assert _count(engine, home_measurements) == 1
    wrong_unit = {**obs, "valueQuantity": {"value": 0.94, "unit": "1", "code": "1"}}
    response = client.post("/api/v1/home/fhir", json=wrong_unit, headers=tokens["nurse-a"])
    assert (
        response.status_code == 422
        and response.json()["detail"][0]["field"] == "valueQuantity.code"
    )
    other = client.post(
        "/api/v1/home/fhir",
        json={**obs, "subject": {"reference": "Patient/NOBODY"}},
        headers=tokens["nurse-a"],
    )
    assert other.status_code == 422 and "unknown patient" in other.json()["detail"][0]["message"]
    assert client.post("/api/v1/home/fhir", json=obs, headers=tokens["nurse-b"]).status_code == 422
    assert _count(engine, home_measurements) == 1


def test_alert_survives_a_restart_and_missed_measurements(api: Api) -> None:
    client, tokens, engine = api
    patient = _enrol(
        client, tokens, "PX-RESTART", enrolled_at=(utc_now() - timedelta(hours=20)).isoformat()
    )
    red = client.post(
        f"/api/v1/home/patients/{patient}/measurements",
        json={"measured_at": (utc_now() - timedelta(hours=15)).isoformat(), "spo2": 90},
        headers=tokens["nurse-a"],
    ).json()
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    fresh = make_engine(url)
    try:
        client2 = TestClient(create_app(get_settings(), engine=fresh))
        rows = client2.get("/api/v1/home/worklist", headers=tokens["nurse-a"]).json()["patients"]
        alerts = {a["kind"]: a for a in rows[0]["open_alerts"]}
        assert alerts["red"]["id"] == red["alert_id"]  # raised on arrival, due within the hour
        # red asks for hourly measurements; none came for 15 hours
        assert alerts["missed"]["overdue"] is True
        assert rows[0]["band"] == "red"
    finally:
        fresh.dispose()


def test_sign_off_summary_module1_and_no_patient_data_in_public(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    client, tokens, engine = api
    caplog.set_level(logging.DEBUG)
    pseudonyms = [f"PX-PUBLIC-{n}" for n in range(6)]
    for n, pseudonym in enumerate(pseudonyms):
        patient = _enrol(client, tokens, pseudonym)
        client.post(
            f"/api/v1/home/patients/{patient}/measurements",
            json={"measured_at": utc_now().isoformat(), "spo2": 96},
            headers=tokens["nurse-a"],
        )
        outcome = "readmitted" if n == 0 else "recovered"
        body = {"outcome": outcome, "readmission_days": 2} if n == 0 else {"outcome": outcome}
        assert (
            client.post(
                f"/api/v1/home/patients/{patient}/sign-off", json=body, headers=tokens["nurse-a"]
            ).status_code
            == 200
        )
    client.put(
        "/api/v1/early-warning/practices/P-1/patients",
        json={"pseudonym": "GPX-SECRET", "age": 81},
        headers=tokens["gp-1"],
    )
    summary = client.get("/api/v1/home/summary").json()
    assert summary["national"]["signed_off"] == 6 and summary["national"]["readmitted"] == 1
    assert summary["regions"]["R1"]["readmitted"] is None  # 1 < 5: suppressed
    params = client.get("/api/v1/home/module1").json()
    assert params["regions"]["R1"]["basis"] == "measured"
    assert params["national"]["readmission_rate"] == pytest.approx(1 / 6, abs=1e-3)
    assert params["national"]["bed_days_saved_per_patient"] > 0
    as_of = utc_now() + timedelta(seconds=1)
    assert module1_parameters(engine, as_of)["national"]["patients"] == 6
    briefing = briefing_summary(engine, as_of)
    public = [
        client.get(p).text
        for p in (
            "/api/v1/home/summary",
            "/api/v1/home/module1",
            "/api/v1/home/teams",
            "/api/v1/early-warning/aggregates",
        )
    ]
    public.append(repr(briefing))
    with engine.connect() as conn:
        public.append(
            repr(
                conn.execute(
                    select(audit_log.c.entity_key, audit_log.c.before, audit_log.c.after)
                ).all()
            )
        )
    for secret in [*pseudonyms, "GPX-SECRET"]:
        assert all(secret not in text for text in public), secret
        assert secret not in caplog.text, secret


def test_gp_list_shows_why_and_reads_are_audited(api: Api) -> None:
    client, tokens, engine = api
    put = "/api/v1/early-warning/practices/P-1/patients"
    first = client.put(
        put,
        json={"pseudonym": "GPX-A", "age": 74, "risk_groups": ["diabetes"]},
        headers=tokens["gp-1"],
    ).json()
    assert first["listed"] and first["points"] == 7
    assert (
        client.put(
            put,
            json={"pseudonym": "GPX-A", "age": 74, "risk_groups": ["diabetes"]},
            headers=tokens["gp-1"],
        ).json()["changed"]
        is False
    )
    bad = client.put(
        put,
        json={"pseudonym": "GPX-B", "age": 150, "risk_groups": ["gout"]},
        headers=tokens["gp-1"],
    )
    assert bad.status_code == 422 and {d["field"] for d in bad.json()["detail"]} >= {
        "age",
        "risk_groups[0]",
    }
    client.post(
        f"/api/v1/early-warning/patients/{first['id']}/actions",
        json={"action": "oximeter_given"},
        headers=tokens["gp-1"],
    )
    listed = client.get("/api/v1/early-warning/practices/P-1/list", headers=tokens["gp-1"]).json()
    assert listed["patients"][0]["why"][0]["item"] == "age 70-79"
    assert listed["workload"]["actions"]["oximeter_given"] == 1
    with engine.connect() as conn:
        reads = conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(audit_log.c.action == "read", audit_log.c.entity == "gp_list")
        ).scalar_one()
    assert reads == 1
    aggregates = client.get("/api/v1/early-warning/aggregates").json()
    assert aggregates["regions"]["R1"]["listed"] is None  # 1 listed: suppressed
    assert _count(engine, home_alerts) == 0
