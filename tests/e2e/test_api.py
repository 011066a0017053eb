"""The JSON API on SQLite and PostgreSQL: access, bad input, idempotency, the status contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from kraan.api.app import create_app
from kraan.api.responses import DeclarationDocument, TokenDocument
from kraan.domain.access import Role
from kraan.settings import get_settings
from kraan.store.access import create_user, issue_token
from kraan.store.tables import audit_log, rejections, submissions
from tests.conftest import T0

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def api(seeded_engine: Engine) -> tuple[TestClient, dict[str, dict[str, str]], Engine]:
    tokens: dict[str, dict[str, str]] = {}
    with seeded_engine.begin() as conn:
        for name, role, region, locations in (
            ("national", Role.NATIONAL_COORDINATOR, None, ()),
            ("regional", Role.REGIONAL_COORDINATOR, "R1", ()),
            ("reporter", Role.REPORTER, None, ("H1",)),
            ("viewer", Role.VIEWER, None, ()),
        ):
            uid = create_user(
                conn,
                username=name,
                role=role,
                now=T0,
                actor="test",
                region_code=region,
                location_codes=locations,
            )
            token = issue_token(conn, user_id=uid, now=T0, actor="test")
            tokens[name] = {"Authorization": f"Bearer {token}"}
    client = TestClient(create_app(get_settings(), engine=seeded_engine))
    return client, tokens, seeded_engine


def body(code: str = "H1", at: datetime | None = None, **level: Any) -> dict[str, Any]:
    ic = {
        "care_level": "ic",
        "staffed_beds": 20,
        "covid_occupied": 6,
        "non_covid_occupied": 8,
        **level,
    }
    return {
        "location_code": code,
        "reported_at": (at or NOW - timedelta(hours=1)).isoformat(),
        "levels": [ic],
        "staff_absence_pct": 7.5,
        "critical_planned_care_ok": True,
    }


def count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_writes_need_a_token(api) -> None:  # type: ignore[no-untyped-def]
    client, _, engine = api
    response = client.post("/api/v1/reports", json=body())
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    bad = client.post("/api/v1/reports", json=body(), headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert count(engine, submissions) == 0


def test_reporter_writes_only_its_own_location(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, engine = api
    own = client.post("/api/v1/reports", json=body("H1"), headers=tokens["reporter"])
    assert own.status_code == 201, own.text
    other = client.post("/api/v1/reports", json=body("H2"), headers=tokens["reporter"])
    assert other.status_code == 422
    assert other.json()["detail"][0]["field"] == "location_code"
    assert "may not report for H2" in other.json()["detail"][0]["message"]
    assert count(engine, submissions) == 1
    viewer = client.post("/api/v1/reports", json=body("H1"), headers=tokens["viewer"])
    assert viewer.status_code == 422
    regional_other = client.post("/api/v1/reports", json=body("H3"), headers=tokens["regional"])
    assert regional_other.status_code == 422
    regional_own = client.post("/api/v1/reports", json=body("H2"), headers=tokens["regional"])
    assert regional_own.status_code == 201


def test_bad_fields_get_one_message_each_and_nothing_is_stored(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, engine = api
    bad = body(staffed_beds=-1, covid_occupied="many")
    bad["staff_absence_pct"] = 140
    response = client.post("/api/v1/reports", json=bad, headers=tokens["national"])
    assert response.status_code == 422
    named = {d["field"] for d in response.json()["detail"]}
    assert named == {"levels[0].staffed_beds", "levels[0].covid_occupied", "staff_absence_pct"}
    assert count(engine, submissions) == 0


def test_domain_rules_are_422_per_field_and_logged(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, engine = api
    future = body(at=NOW + timedelta(hours=2), covid_occupied=30)
    response = client.post("/api/v1/reports", json=future, headers=tokens["national"])
    assert response.status_code == 422
    named = {d["field"] for d in response.json()["detail"]}
    assert named == {"reported_at", "levels[0].staffed_beds"}
    unknown = client.post("/api/v1/reports", json=body("NOPE"), headers=tokens["national"])
    assert unknown.json()["detail"][0]["field"] == "location_code"
    assert count(engine, submissions) == 0
    assert count(engine, rejections) == 2
    log = client.get("/api/v1/rejections", headers=tokens["national"]).json()
    assert {r["location_code"] for r in log} == {"H1", "NOPE"}
    assert client.get("/api/v1/rejections", headers=tokens["reporter"]).status_code == 403


def test_overflow_is_accepted_with_a_warning(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    response = client.post(
        "/api/v1/reports", json=body(covid_occupied=25, overflow=True), headers=tokens["national"]
    )
    assert response.status_code == 201
    assert response.json()["warnings"][0]["field"] == "levels[0].staffed_beds"


def test_a_batch_is_all_or_nothing(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, engine = api
    batch = {"reports": [body("H1"), body("H2"), body("H3", staffed_beds=2)]}
    response = client.post("/api/v1/reports/batch", json=batch, headers=tokens["national"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "reports[2].levels[0].staffed_beds"
    assert count(engine, submissions) == 0
    batch["reports"][2] = body("H3")
    ok = client.post("/api/v1/reports/batch", json=batch, headers=tokens["national"])
    assert ok.status_code == 200 and ok.json()["summary"] == {"created": 3}


def test_idempotency_key_replays_and_guards(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, engine = api
    headers = {**tokens["national"], "Idempotency-Key": "batch-0001"}
    batch = {"reports": [body("H1"), body("H2")]}
    first = client.post("/api/v1/reports/batch", json=batch, headers=headers)
    second = client.post("/api/v1/reports/batch", json=batch, headers=headers)
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replay") == "true"
    assert count(engine, submissions) == 2
    other = client.post("/api/v1/reports/batch", json={"reports": [body("H3")]}, headers=headers)
    assert other.status_code == 409


def test_corrections_keep_history_and_audit(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, engine = api
    moment = NOW - timedelta(days=1)
    client.post("/api/v1/reports", json=body(at=moment), headers=tokens["reporter"])
    again = client.post("/api/v1/reports", json=body(at=moment), headers=tokens["reporter"])
    assert again.json()["outcome"] == "unchanged"
    fixed = client.post(
        "/api/v1/reports", json=body(at=moment, covid_occupied=7), headers=tokens["reporter"]
    )
    assert fixed.json()["outcome"] == "corrected" and fixed.json()["version"] == 2
    versions = client.get(
        "/api/v1/reports/H1/versions",
        params={"reported_at": moment.isoformat()},
        headers=tokens["reporter"],
    ).json()
    assert [v["levels"][0]["covid_occupied"] for v in versions] == [6, 7]
    assert [v["recorded_by"] for v in versions] == ["reporter", "reporter"]
    audit = client.get(
        "/api/v1/audit", params={"entity": "report"}, headers=tokens["national"]
    ).json()
    assert [a["action"] for a in audit] == ["report.correct", "report.create"]
    assert count(engine, audit_log) >= 2


def test_corrections_older_than_the_window_are_refused(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    moment = NOW - timedelta(days=20)
    assert (
        client.post("/api/v1/reports", json=body(at=moment), headers=tokens["national"]).status_code
        == 201
    )
    late = client.post(
        "/api/v1/reports", json=body(at=moment, covid_occupied=5), headers=tokens["national"]
    )
    assert late.status_code == 422
    assert "14 days" in late.json()["detail"][0]["message"]


CSV = """location_code,reported_at,care_level,staffed_beds,covid_occupied,non_covid_occupied
H1,{at},ic,20,5,10
H1,{at},ward,100,30,50
H2,{at},ic,10,50,0
H3,{at},ic,ten,1,1
"""


def test_csv_upload_gives_a_result_per_row_and_is_idempotent(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, engine = api
    text = CSV.format(at=(NOW - timedelta(hours=3)).isoformat())
    files = {"file": ("reports.csv", text.encode(), "text/csv")}
    first = client.post("/api/v1/reports/csv", files=files, headers=tokens["national"]).json()
    assert [r["outcome"] for r in first["rows"]] == ["created", "created", "rejected", "rejected"]
    assert first["rows"][2]["errors"][0]["field"] == "levels[0].staffed_beds"
    assert "line 5: staffed_beds" in first["rows"][3]["errors"][0]["field"]
    second = client.post("/api/v1/reports/csv", files=files, headers=tokens["national"]).json()
    assert [r["outcome"] for r in second["rows"]][:2] == ["unchanged", "unchanged"]
    assert count(engine, submissions) == 1


def test_declaring_a_status_is_scoped_and_audited(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    declaration = {"status": "no_critical_planned", "reason": "IC staff absence 18%, U3 postponed"}
    assert (
        client.post(
            "/api/v1/regions/R2/status", json=declaration, headers=tokens["regional"]
        ).status_code
        == 403
    )
    made = client.post("/api/v1/regions/R1/status", json=declaration, headers=tokens["regional"])
    assert made.status_code == 201
    DeclarationDocument.model_validate(made.json())
    status = client.get("/api/v1/status").json()
    region = next(r for r in status["regions"] if r["code"] == "R1")
    assert region["status"] == "no_critical_planned"
    assert region["declared"]["by"] == "regional"
    audit = client.get(
        "/api/v1/audit", params={"entity": "region_status"}, headers=tokens["national"]
    ).json()
    assert audit[0]["after"]["reason"].startswith("IC staff absence")


def test_only_national_coordinators_issue_tokens(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    request = {"username": "h1-reporter", "role": "reporter", "location_codes": ["H1"]}
    assert (
        client.post("/api/v1/tokens", json=request, headers=tokens["regional"]).status_code == 403
    )
    made = client.post("/api/v1/tokens", json=request, headers=tokens["national"])
    assert made.status_code == 201
    TokenDocument.model_validate(made.json())
    new_headers = {"Authorization": f"Bearer {made.json()['token']}"}
    assert client.post("/api/v1/reports", json=body("H1"), headers=new_headers).status_code == 201


def test_status_contract(api) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _ = api
    at = NOW - timedelta(hours=2)
    client.post(
        "/api/v1/reports/batch",
        headers=tokens["national"],
        json={"reports": [body("H1", at=at), body("H3", at=at, covid_occupied=2)]},
    )
    document = client.get("/api/v1/status", params={"as_of": NOW.isoformat()}).json()
    assert set(document) >= {"as_of", "national", "regions"}
    assert set(document["national"]["ic"]) >= {
        "covid",
        "ontlabeld",
        "non_covid",
        "staffed",
        "abroad",
    }
    assert document["national"]["ic"]["covid"] == 8
    region = document["regions"][0]
    assert set(region) >= {"code", "name", "status", "ic", "ward", "coverage", "stale"}
    assert region["coverage"] == 0.5  # H1 of H1, H2
    earlier = client.get(
        "/api/v1/status", params={"as_of": (at - timedelta(seconds=1)).isoformat()}
    )
    assert earlier.json()["national"]["ic"]["covid"] == 0
    bad = client.get("/api/v1/status", params={"as_of": "21-12-2020"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "as_of"


def test_openapi_documents_the_bearer_scheme(demo) -> None:  # type: ignore[no-untyped-def]
    """Auth shows in OpenAPI: one HTTP bearer scheme, required by the routes that read a token."""
    document = TestClient(demo.app).get("/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["token"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert any(op.get("security") == [{"token": []}] for op in operations)


def test_documented_responses_match_the_real_ones(demo) -> None:  # type: ignore[no-untyped-def]
    """The models in /openapi.json describe what the routes really return."""
    from pydantic import TypeAdapter

    from kraan.api.responses import LocationDocument, Region, StatusDocument

    client = TestClient(demo.app)
    status = client.get("/api/v1/status", params={"as_of": "2020-12-21"}).json()
    StatusDocument.model_validate(status, strict=True)
    TypeAdapter(list[Region]).validate_python(client.get("/api/v1/regions").json())
    TypeAdapter(list[LocationDocument]).validate_python(client.get("/api/v1/locations").json())
    schema = client.get("/openapi.json").json()
    ok = schema["paths"]["/api/v1/status"]["get"]["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/StatusDocument"}


def test_report_answers_match_their_documented_models(api) -> None:  # type: ignore[no-untyped-def]
    from kraan.api.responses import BatchResult, CsvResult, ReportResult

    client, tokens, _ = api
    one = client.post("/api/v1/reports", json=body("H1"), headers=tokens["national"])
    assert one.status_code == 201
    ReportResult.model_validate(one.json())
    batch = {"reports": [body("H2"), body("H3")]}
    BatchResult.model_validate(
        client.post("/api/v1/reports/batch", json=batch, headers=tokens["national"]).json()
    )
    text = (
        "location_code,reported_at,care_level,staffed_beds,covid_occupied\n"
        f"H1,{(NOW - timedelta(hours=2)).isoformat()},ic,20,5\n"
    )
    files = {"file": ("r.csv", text.encode(), "text/csv")}
    upload = client.post("/api/v1/reports/csv", files=files, headers=tokens["national"])
    CsvResult.model_validate(upload.json())
    paths = client.get("/openapi.json").json()["paths"]
    assert "201" in paths["/api/v1/reports"]["post"]["responses"]
