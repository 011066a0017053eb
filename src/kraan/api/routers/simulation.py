"""What-if simulation jobs (docs/simulation.md): submit a scenario, poll for the result.

Public like the other aggregate reads: nothing is stored and no patient data is
involved. Runs are bounded (members, days) and queue on one worker thread
(:mod:`kraan.services.simulation_jobs`), so they never block the server.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from kraan.domain.simulation.scenario import Scenario
from kraan.services.simulation import load_params
from kraan.services.simulation_jobs import JobRunner

router = APIRouter(prefix="/api/v1", tags=["simulation"])

#: bounds of a run through the API (the CLI has none): answers within seconds
MAX_MEMBERS = 400
MAX_DAYS = 400
_LOCK = threading.Lock()


def job_runner(request: Request) -> JobRunner:
    """The app's one job runner, made on first use."""
    state = request.app.state
    with _LOCK:
        runner = getattr(state, "simulation_jobs", None)
        if runner is None:
            raw = Path(state.settings.raw_data_dir)
            runner = JobRunner(raw if raw.is_dir() else None)
            state.simulation_jobs = runner
    return runner


def check_bounds(scenario: Scenario) -> list[dict[str, str]]:
    """One message per field that the API does not accept (HTTP 422)."""
    problems = []
    if scenario.members > MAX_MEMBERS:
        problems.append({"field": "members", "message": f"at most {MAX_MEMBERS} through the API"})
    if scenario.replay is None and scenario.days > MAX_DAYS:
        problems.append({"field": "days", "message": f"at most {MAX_DAYS} days"})
    if scenario.replay is not None:
        if scenario.replay.input is not None:
            problems.append({"field": "replay.input",
                             "message": "the API replays the bundled LCPS series only"})
        if (scenario.replay.end - scenario.replay.start).days + 1 > MAX_DAYS:
            problems.append({"field": "replay", "message": f"at most {MAX_DAYS} days"})
    known = load_params().modules
    for i, module in enumerate(scenario.modules):
        if module.key not in known:
            problems.append({"field": f"modules[{i}].key",
                             "message": f"unknown module; use one of {', '.join(known)}"})
    if scenario.quadrant is not None and scenario.quadrant not in load_params().quadrants:
        problems.append({"field": "quadrant", "message": "unknown quadrant; use one of "
                         + ", ".join(load_params().quadrants)})
    return problems


@router.post("/simulations", status_code=202, summary="Start a what-if simulation job")
def start_simulation(scenario: Scenario, request: Request) -> JSONResponse:
    problems = check_bounds(scenario)
    if problems:
        return JSONResponse({"detail": problems, "message": "nothing was started: fix the "
                             "fields listed and send again"}, status_code=422)
    job = job_runner(request).submit(scenario)
    return JSONResponse({"id": job.id, "status": job.status,
                         "poll": f"/api/v1/simulations/{job.id}"}, status_code=202)


@router.get("/simulations/{job_id}", summary="Progress or result of a simulation job")
def get_simulation(job_id: str, request: Request) -> dict[str, Any]:
    job = job_runner(request).get(job_id)
    if job is None:
        raise HTTPException(404, detail="no such simulation job (jobs are kept for a while)")
    return job.document()


@router.get("/simulation/modules", summary="Modules, quadrants and their cited parameters")
def get_modules() -> dict[str, Any]:
    params = load_params()
    return {
        "defaults_version": params.version,
        "modules": {k: {"label": m.label, "phase": m.phase, "params": dict(m.params)}
                    for k, m in params.modules.items()},
        "quadrants": {k: {"label": q.label, "growth": q.growth,
                          "peak_ward_admissions": q.peak_ward_admissions,
                          "ic_share": q.ic_share, "los_factor": q.los_factor}
                      for k, q in params.quadrants.items()},
    }
