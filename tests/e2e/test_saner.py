"""SANER in and out: MeasureReports map to Kraan reports and back without losing a figure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kraan.domain.access import Role
from kraan.domain.model import CapacityReport, CareLevel, LevelReport, Provenance
from kraan.services.saner import SanerError, from_measure_report, to_measure_report
from kraan.store.access import create_user, issue_token, user_id
from kraan.store.audit import audit_entries
from kraan.store.reference import load_locations

AS_OF = "2020-12-21"


@pytest.fixture(scope="module")
def national(demo: Any) -> dict[str, str]:
    with demo.engine.begin() as conn:
        uid = user_id(conn, "national")
        assert uid is not None
        token = issue_token(conn, user_id=uid, now=datetime(2020, 11, 1), actor="test")
    return {"Authorization": f"Bearer {token}"}


def test_a_round_trip_keeps_every_figure() -> None:
    report = CapacityReport(
        "H-X-01", datetime(2020, 12, 21, 8),
        (LevelReport(CareLevel.IC, 12, 5, 1, 4, 2), LevelReport(CareLevel.WARD, 80, 20, 3, 40),
         LevelReport(CareLevel.ELV_VVT, 10, 2, 0, 5), LevelReport(CareLevel.PACU, 4, 1, 0, 0)),
        staff_absence_pct=7.5, critical_planned_care_ok=True, acute_care_ok=False,
        provenance=Provenance.ESTIMATED,
    )  # fmt: skip
    assert from_measure_report(to_measure_report(report)) == report


def test_a_measure_report_names_its_problems() -> None:
    with pytest.raises(SanerError) as error:
        from_measure_report({"resourceType": "MeasureReport", "status": "complete",
                             "type": "summary", "measure": "x", "period": {"end": "2020-12-21"},
                             "group": [{"code": {"coding": [{"code": "Nope"}]}}]})  # fmt: skip
    fields = {f for f, _ in error.value.problems}
    assert "subject" in fields and "group[0].code" in fields
    with pytest.raises(SanerError):
        from_measure_report({"resourceType": "MeasureReport", "status": "not-a-status"})


def test_national_and_regional_figures_are_public_and_sum_as_saner_says(
    client: TestClient,
) -> None:
    national = client.get("/fhir/MeasureReport", params={"period": AS_OF})
    assert national.status_code == 200
    assert national.headers["content-type"].startswith("application/fhir+json")
    resource = national.json()["entry"][0]["resource"]
    figures = {lv.care_level: lv for lv in from_measure_report(
        {**resource, "subject": {"identifier": {"value": "NL"}}}).levels}  # fmt: skip
    assert figures[CareLevel.IC].covid_occupied == 586
    assert figures[CareLevel.WARD].covid_occupied == 1576
    regions = client.get("/api/v1/status", params={"as_of": AS_OF}).json()["regions"]
    total = 0
    for region in regions:
        query = {"subject": f"Region/{region['code']}", "period": AS_OF}
        doc = client.get("/fhir/MeasureReport", params=query).json()
        groups = {g["code"]["coding"][0]["code"]: g for g in doc["entry"][0]["resource"]["group"]}
        icu = groups["ICUBeds"]["population"]
        count = {p["code"]["coding"][0]["code"]: p["count"] for p in icu}
        assert count["numC19HospPats"] == region["ic"]["covid"]
        total += count["numC19HospPats"]
    assert total == 586


def test_a_location_is_for_its_own_users_and_posts_go_through_the_report_rules(
    client: TestClient, demo: Any, national: dict[str, str]
) -> None:
    with demo.engine.connect() as conn:
        code = next(loc.code for _, loc in load_locations(conn) if loc.kind.value == "hospital")
    params = {"subject": f"Location/{code}", "period": AS_OF}
    assert client.get("/fhir/MeasureReport", params=params).status_code == 403
    mine = client.get("/fhir/MeasureReport", params=params, headers=national)
    assert mine.status_code == 200
    stored = from_measure_report(mine.json()["entry"][0]["resource"])
    assert stored.location_code == code and stored.levels
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    fresh = CapacityReport(code, moment.replace(tzinfo=None), stored.levels)
    document = to_measure_report(fresh)
    key = {"Idempotency-Key": "saner-test-1", **national}
    first = client.post("/fhir/MeasureReport", json=document, headers=key)
    assert first.status_code == 201, first.text
    again = client.post("/fhir/MeasureReport", json=document, headers=key)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replay") == "true"
    back = client.get("/fhir/MeasureReport", params={"subject": f"Location/{code}"},
                      headers=national).json()  # fmt: skip
    assert from_measure_report(back["entry"][0]["resource"]).levels == stored.levels
    bad = {**document, "group": [{"code": {"coding": [{"code": "Nope"}]}}]}
    refused = client.post("/fhir/MeasureReport", json=bad, headers=national)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "group[0].code"
    assert client.post("/fhir/MeasureReport", json=document).status_code == 401


def test_a_reporter_reads_and_posts_its_own_location_only_and_posts_are_audited(
    client: TestClient, demo: Any
) -> None:
    with demo.engine.begin() as conn:
        hospitals = [loc.code for _, loc in load_locations(conn) if loc.kind.value == "hospital"]
        own, other = hospitals[0], hospitals[1]
        uid = create_user(conn, username="saner-reporter", role=Role.REPORTER,
                          now=datetime(2020, 11, 1), actor="test",
                          location_codes=[own])  # fmt: skip
        token = issue_token(conn, user_id=uid, now=datetime(2020, 11, 1), actor="test")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/fhir/MeasureReport", params={"subject": f"Location/{own}",
                      "period": AS_OF}, headers=auth).status_code == 200  # fmt: skip
    assert client.get("/fhir/MeasureReport", params={"subject": f"Location/{other}",
                      "period": AS_OF}, headers=auth).status_code == 403  # fmt: skip
    moment = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0, tzinfo=None)
    levels = (LevelReport(CareLevel.IC, 10, 3, 1, 4, 0),)
    mine = to_measure_report(CapacityReport(own, moment, levels))
    assert client.post("/fhir/MeasureReport", json=mine, headers=auth).status_code == 201
    theirs = to_measure_report(CapacityReport(other, moment, levels))
    refused = client.post("/fhir/MeasureReport", json=theirs, headers=auth)
    assert refused.status_code == 422, refused.text  # the report rules: not its location
    assert "location" in refused.text
    with demo.engine.connect() as conn:
        entries = audit_entries(conn, entity="report", limit=20)
    assert any(e["actor"] == "saner-reporter" and e["entity_key"].startswith(own)
               for e in entries), entries[:3]  # fmt: skip
