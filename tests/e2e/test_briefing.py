"""The weekly briefing on the demo: every figure equals the API's figure for the same as_of."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kraan.cli import app
from kraan.domain.access import Role
from kraan.store.access import issue_token, user_id

AS_OF = "2020-12-21"
runner = CliRunner()


def resolve(doc: Any, pointer: str) -> Any:
    value = doc
    for part in pointer.strip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def figures(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for section in doc["sections"]:
        out += section["figures"]
        for table in section["tables"]:
            out += [c["figure"] for row in table["rows"] for c in row if c["figure"]]
    return out


@pytest.fixture(scope="module")
def briefing(demo: Any) -> dict[str, Any]:
    with TestClient(demo.app) as client:
        response = client.get("/api/v1/briefing", params={"as_of": AS_OF})
    assert response.status_code == 200, response.text
    return response.json()


def test_key_figures_of_21_december_2020(briefing: dict[str, Any]) -> None:
    summary = next(s for s in briefing["sections"] if s["key"] == "summary")
    by_key = {f["key"]: f["value"] for f in summary["figures"]}
    assert by_key["ic.covid.now"] == 586  # LCPS, 21 Dec 2020
    assert by_key["ward.covid.now"] == 1576
    assert briefing["next_meeting"] == "2020-12-28T15:00:00"  # Monday 16:00 CET (seed 000)


def test_every_figure_equals_the_api_figure_it_links_to(
    briefing: dict[str, Any], client: TestClient
) -> None:
    answers: dict[str, Any] = {}
    checked = 0
    for fig in figures(briefing):
        source = fig["source"]
        if source is None or not source["pointer"]:
            continue
        if source["path"] not in answers:
            response = client.get(source["path"])
            assert response.status_code == 200, source["path"]
            answers[source["path"]] = response.json()
        assert resolve(answers[source["path"]], source["pointer"]) == fig["value"], fig["key"]
        checked += 1
    assert checked > 100  # national, forecast and every region's figures
    assert any("/api/v1/forecast/ic" in p for p in answers)


def test_counts_equal_the_lists_they_link_to(briefing: dict[str, Any], client: TestClient) -> None:
    spreading = next(s for s in briefing["sections"] if s["key"] == "spreading")
    by_key = {f["key"]: f for f in spreading["figures"]}
    transfers = client.get(by_key["transfers.week.count"]["source"]["path"]).json()
    live = [t for t in transfers if t["state"] != "cancelled"]
    assert by_key["transfers.week.count"]["value"] == len(live)
    assert by_key["transfers.week.patients"]["value"] == sum(t["patients"] for t in live)
    offers = client.get(by_key["offers.beds_offered"]["source"]["path"]).json()
    assert by_key["offers.beds_offered"]["value"] == sum(o["beds_offered"] for o in offers)


def test_phase_and_regional_statuses_equal_the_status_api(
    briefing: dict[str, Any], client: TestClient
) -> None:
    status = client.get("/api/v1/status", params={"as_of": AS_OF}).json()
    summary = next(s for s in briefing["sections"] if s["key"] == "summary")
    assert summary["figures"][0]["value"] == status["national"]["phase"]
    table = next(t for t in summary["tables"] if t["key"] == "regional_status")
    shown = {row[0]["label"]: row[1]["figure"]["value"] for row in table["rows"]}
    assert shown == {r["code"]: r["status"] for r in status["regions"]}


def test_sections_without_data_say_so(briefing: dict[str, Any]) -> None:
    keys = [s["key"] for s in briefing["sections"]]
    assert keys[:3] == ["summary", "spreading", "outside_hospital"]
    assert "module_readiness" in keys
    for section in briefing["sections"]:
        if not section["available"]:
            assert section["missing"], section["key"]


def test_no_patient_or_person_data(
    briefing: dict[str, Any], demo: Any, client: TestClient
) -> None:
    from sqlalchemy import select

    from kraan.store.care_at_home_tables import gp_patients, home_patients

    text = json.dumps(briefing)
    page = client.get("/briefing", params={"as_of": AS_OF}).text
    for name in ("coord-aze", "coord-aznn", "national", "viewer", "e2e"):
        assert f'"{name}"' not in text
    with demo.engine.connect() as conn:
        pseudonyms = [
            *conn.execute(select(home_patients.c.pseudonym)).scalars(),
            *conn.execute(select(gp_patients.c.pseudonym)).scalars(),
        ]
    assert pseudonyms, "the demo seeds home-monitoring patients and GP panels"
    for pseudonym in pseudonyms:
        assert pseudonym not in text and pseudonym not in page


@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31", "21-12-2020", "2020-13-01"])
def test_bad_dates_are_422_everywhere(client: TestClient, bad: str) -> None:
    for path in ("/api/v1/briefing", "/briefing", "/api/v1/modules/readiness"):
        response = client.get(path, params={"as_of": bad})
        assert response.status_code == 422, (path, bad, response.status_code)
        assert response.json()["detail"][0]["field"] == "as_of"
    compared = client.get("/api/v1/briefing", params={"as_of": AS_OF, "compare": bad})
    assert compared.status_code == 422
    assert compared.json()["detail"][0]["field"] == "compare"


def test_compare_lists_what_changed(client: TestClient) -> None:
    response = client.get("/api/v1/briefing", params={"as_of": AS_OF, "compare": "2020-12-14"})
    changes = {c["key"]: c for c in response.json()["compare"]["changes"]}
    assert changes["ic.covid.now"]["before"] == 503 and changes["ic.covid.now"]["after"] == 586
    assert changes["ic.covid.now"]["delta"] == 83
    page = client.get("/briefing", params={"as_of": AS_OF, "compare": "2020-12-14"})
    assert 'data-table="changes"' in page.text


def test_page_in_dutch_and_english_with_traceable_links(client: TestClient) -> None:
    nl = client.get("/briefing", params={"as_of": AS_OF}, headers={"Accept-Language": "nl"})
    assert nl.status_code == 200
    assert '<html lang="nl">' in nl.text
    assert "Nota Hand aan de Kraan-overleg" in nl.text and "Gevraagde besluiten" in nl.text
    assert ">1.576<" in nl.text and ">586<" in nl.text  # nl-NL number format
    assert "CET" in nl.text  # times carry their zone
    en = client.get("/briefing", params={"as_of": AS_OF, "lang": "en"})
    assert "Decisions asked this week" in en.text and ">1,576<" in en.text
    links = re.findall(r'href="([^"]+)" data-key="([^"]+)" data-pointer="([^"]*)"', nl.text)
    assert len(links) > 100
    timeless = ("/api/v1/early-warning/aggregates", "/api/v1/vaccination/schedule.json")
    for href, _key, _pointer in links:
        dated = f"as_of={AS_OF}" in href or "as_of=2020-12-14" in href or "start=" in href
        assert dated or href.endswith(timeless), href
    by_header = client.get(
        "/briefing", params={"as_of": AS_OF}, headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    assert "Decisions asked this week" in by_header.text


def test_readiness_is_recorded_versioned_and_flagged(demo: Any, client: TestClient) -> None:
    with demo.engine.begin() as conn:
        tokens = {
            name: {
                "Authorization": "Bearer "
                + issue_token(conn, user_id=user_id(conn, name), now=datetime(2020, 11, 1),
                              actor="test")
            }
            for name in ("coord-aze", "viewer")
        }  # fmt: skip
    body = {"state": "ready", "valid_from": "2020-12-10T09:00:00+01:00", "note": "HFNO on ward"}
    made = client.post("/api/v1/regions/aze/modules/4a", json=body, headers=tokens["coord-aze"])
    assert made.status_code == 201, made.text
    assert made.json()["valid_from"] == "2020-12-10T08:00:00"  # stored in UTC
    other = client.post("/api/v1/regions/AZNN/modules/4A", json=body, headers=tokens["coord-aze"])
    assert other.status_code == 403
    assert client.post("/api/v1/regions/AZE/modules/4A", json=body).status_code == 401
    viewer = client.post("/api/v1/regions/AZE/modules/4A", json=body, headers=tokens["viewer"])
    assert viewer.status_code == 403
    bad = client.post(
        "/api/v1/regions/AZE/modules/9Z", json=body | {"state": "done"},
        headers=tokens["coord-aze"],
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "module"
    now = client.get("/api/v1/modules/readiness", params={"as_of": AS_OF}).json()
    assert now["regions"]["AZE"]["4A"] == "ready"
    before = client.get("/api/v1/modules/readiness", params={"as_of": "2020-12-01"}).json()
    assert before["regions"]["AZE"]["4A"] == "unknown"
    doc = client.get("/api/v1/briefing", params={"as_of": AS_OF}).json()
    table = next(s for s in doc["sections"] if s["key"] == "module_readiness")["tables"][0]
    row = next(r for r in table["rows"] if r[0]["label"] == "AZE")
    cell = row[1 + table["columns"][1:].index("4A")]
    assert cell["figure"]["value"] == "ready" and cell["flag"] == "mandatory"
    other_row = next(r for r in table["rows"] if r[0]["label"] == "AZNN")
    assert other_row[1 + table["columns"][1:].index("4A")]["flag"] == "mandatory_not_ready"
    audit = client.get(
        "/api/v1/audit", headers=tokens["coord-aze"], params={"entity": "module_readiness"}
    )
    if audit.status_code == 200:  # who may read the audit is the access matrix's business
        assert any(e["entity_key"] == "AZE/4A" for e in audit.json())


def test_cli_writes_json_markdown_and_html(demo: Any, tmp_path: Any) -> None:
    db = demo.settings.database_url
    result = runner.invoke(app, ["briefing", "--as-of", AS_OF, "--format", "json", "--db", db])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    summary = next(s for s in doc["sections"] if s["key"] == "summary")
    assert {f["key"]: f["value"] for f in summary["figures"]}["ic.covid.now"] == 586
    md = tmp_path / "b.md"
    result = runner.invoke(
        app, ["briefing", "--as-of", AS_OF, "--format", "md", "--out", str(md), "--db", db,
              "--lang", "en"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Briefing Hand aan de Kraan consultation")
    assert "[586](" in text and "[1,576](" in text
    html = tmp_path / "b.html"
    result = runner.invoke(
        app, ["briefing", "--as-of", AS_OF, "--format", "html", "--out", str(html), "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert "Nota Hand aan de Kraan-overleg" in html.read_text(encoding="utf-8")
    bad = runner.invoke(app, ["briefing", "--as-of", "0001-01-01", "--format", "json", "--db", db])
    assert bad.exit_code == 2
    assert "2020-01-01" in bad.output


def test_regional_coordinator_role_exists() -> None:
    assert Role.REGIONAL_COORDINATOR.value == "regional_coordinator"
