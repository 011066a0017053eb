"""The simulation API and page through TestClient: jobs, polling, 422 per field."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

SMALL = {"quadrant": "contagious_severe", "days": 40, "members": 6, "seed": 1,
         "modules": ["1", "ELV"]}


def _wait(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        doc = client.get(f"/api/v1/simulations/{job_id}").json()
        if doc["status"] in ("done", "failed") or time.monotonic() > deadline:
            return doc  # type: ignore[no-any-return]
        time.sleep(0.1)


def test_a_job_runs_and_compares_with_and_without_modules(client: TestClient) -> None:
    response = client.post("/api/v1/simulations", json=SMALL)
    assert response.status_code == 202
    doc = _wait(client, response.json()["id"])
    assert doc["status"] == "done", doc["error"]
    assert doc["progress"] == 1.0
    result = doc["result"]
    assert len(result["days"]) == 40
    assert set(result["runs"]) == {"without", "with"}
    for run in result["runs"].values():
        assert set(run) == {"ic", "ward", "elv", "summary"}
    assert [row["modules"] for row in result["effects"]] == ["all chosen", "1", "ELV"]
    # home monitoring takes ward bed-days away; it cannot add IC patients
    assert result["effects"][1]["d_ward_bed_days"] < 0


def test_bad_scenarios_get_one_message_per_field(client: TestClient) -> None:
    response = client.post("/api/v1/simulations", json={
        **SMALL, "members": 5000, "modules": ["1", "XX"],
        "replay": {"input": "/etc/passwd", "start": "2021-01-01", "end": "2021-02-01"}})
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["detail"]}
    assert fields == {"members", "modules[1].key", "replay.input"}
    response = client.post("/api/v1/simulations", json={**SMALL, "days": 2})
    assert response.status_code == 422
    assert client.get("/api/v1/simulations/nope").status_code == 404


def test_modules_list_names_every_module(client: TestClient) -> None:
    doc = client.get("/api/v1/simulation/modules").json()
    assert {"1", "4A", "4B", "5", "6", "8", "A", "ELV", "FS"} <= set(doc["modules"])
    assert len(doc["quadrants"]) == 4


def test_the_page_starts_a_job_and_shows_the_result(client: TestClient) -> None:
    page = client.get("/simulation")
    assert page.status_code == 200
    assert 'name="modules" value="FS"' in page.text
    assert 'href="/simulation"' in page.text
    started = client.post("/simulation/run", data={"wave": "wave2", "modules": ["ELV", "FS"],
                                                   "members": "4", "seed": "1"})
    assert started.status_code == 200
    assert 'data-testid="sim-progress"' in started.text
    job_id = started.text.split("/simulation/jobs/")[1].split('"')[0]
    assert _wait(client, job_id)["status"] == "done"
    result = client.get(f"/simulation/jobs/{job_id}")
    assert 'data-testid="sim-effects"' in result.text
    assert result.text.count("<svg") == 6
    assert "LCPS reported" in result.text
    bad = client.post("/simulation/run", data={"wave": "wave2", "members": "9999"})
    assert bad.status_code == 422


def test_a_full_queue_answers_429_and_starts_nothing(client: TestClient) -> None:
    """Runs are public, so the queue is bounded instead: one caller cannot fill it."""
    from kraan.domain.simulation.scenario import Scenario
    from kraan.services.simulation_jobs import Job, JobRunner

    state = client.app.state  # type: ignore[attr-defined]
    previous = getattr(state, "simulation_jobs", None)
    runner = JobRunner(None, max_waiting=1)
    runner.jobs["busy"] = Job(id="busy", scenario=Scenario(**SMALL), status="running")
    state.simulation_jobs = runner
    try:
        response = client.post("/api/v1/simulations", json=SMALL)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "60"
        assert "try again" in response.json()["detail"]
        assert list(runner.jobs) == ["busy"]
        page = client.post("/simulation/run", data={"members": 6})
        assert page.status_code == 429
        assert list(runner.jobs) == ["busy"]
        runner.jobs["busy"].status = "done"
        response = client.post("/api/v1/simulations", json=SMALL)
        assert response.status_code == 202
    finally:
        state.simulation_jobs = previous
