"""Vaccination through the API, the page and the CLI (no database content needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kraan.api.app import create_app
from kraan.cli import main
from kraan.settings import Settings
from kraan.store.db import make_engine, migrate

DELIVERIES = [
    {"week": "2021-W01", "vaccine": "pfizer", "doses": 100000},
    {"week": "2021-W02", "vaccine": "pfizer", "doses": 200000},
    {"week": "2021-W03", "vaccine": "astrazeneca", "doses": 300000},
    {"week": "2021-W06", "vaccine": "janssen", "doses": 50000},
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    path = tmp_path_factory.mktemp("vacc") / "k.db"
    settings = Settings(database_url=f"sqlite:///{path}")
    engine = make_engine(settings.database_url)
    migrate(engine)
    return TestClient(create_app(settings, engine))


def test_schedule_api_with_what_ifs(client: TestClient) -> None:
    body = {
        "deliveries": DELIVERIES,
        "what_ifs": [{"kind": "cut", "vaccine": "pfizer", "percent": 50}],
    }
    response = client.post("/api/v1/vaccination/schedule", json=body)
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["weeks"][0] == "2021-W01" and len(doc["weeks"]) == 6
    for method in ("greedy", "lp"):
        sched = doc["schedules"][method]
        assert sched["order_violations"] == [] and sched["delivery_violations"] == []
        assert sched["items"][0]["group"] == "hospital_covid"
    assert doc["vaccines"][0]["delivered"] == 150000  # cut by half


def test_schedule_api_rejects_bad_fields_one_by_one(client: TestClient) -> None:
    body = {
        "deliveries": [{"week": "2021-5", "vaccine": "pfizer", "doses": -1}],
        "what_ifs": [{"kind": "cut", "vaccine": "pfizer", "percent": 120}],
    }
    response = client.post("/api/v1/vaccination/schedule", json=body)
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["detail"]}
    assert {"deliveries[0].week", "deliveries[0].doses", "what_ifs[0].percent"} <= fields
    unknown = client.post(
        "/api/v1/vaccination/schedule",
        json={"deliveries": [{"week": "2021-W01", "vaccine": "sputnik", "doses": 1}]},
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["field"] == "line 2.vaccine"


def test_exports_page_and_comparison(client: TestClient) -> None:
    csv_text = client.get("/api/v1/vaccination/schedule.csv").text
    assert csv_text.splitlines()[0].startswith("rank,item,label")
    assert len(csv_text.splitlines()) == 26
    comparison = client.get("/api/v1/vaccination/compare-2021").json()
    assert {c["cohort"] for c in comparison["cohorts"]} >= {"90+", "60-64"}
    page = client.get("/vaccination?vaccine=astrazeneca&min_age=60&max_age=64")
    assert page.status_code == 200
    assert "<svg" in page.text and 'data-testid="what-if-applied"' in page.text
    bad = client.get("/vaccination?vaccine=pfizer&cut_percent=300")
    assert bad.status_code == 200 and 'data-testid="form-errors"' in bad.text


def test_cli_schedule_json_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deliveries.csv"
    lines = ["week,vaccine,doses"] + [
        f"{d['week']},{d['vaccine']},{d['doses']}" for d in DELIVERIES
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["vaccination", "schedule", "--deliveries", str(path), "--format", "json",
              "--restrict", "astrazeneca:60-64", "--csv", str(tmp_path / "out.csv")])  # fmt: skip
    assert done.value.code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["what_ifs"][0]["kind"] == "restrict"
    assert (tmp_path / "out.csv").read_text().startswith("rank,")
    path.write_text("week,vaccine,doses\n2021-W01,pfizer,lots\n", encoding="utf-8")
    with pytest.raises(SystemExit) as failed:
        main(["vaccination", "schedule", "--deliveries", str(path), "--format", "table"])
    assert failed.value.code == 1


def test_cli_early_warning_score(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["early-warning", "score", "--age", "74", "--risk", "diabetes"])
    assert done.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["points"] == 7 and out["listed"] is True
    with pytest.raises(SystemExit) as bad:
        main(["early-warning", "score", "--age", "74", "--risk", "gout"])
    assert bad.value.code == 1
