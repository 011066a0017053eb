"""What-if simulation jobs (docs/simulation.md): submit a scenario, poll for the result.

Public like the other aggregate reads: nothing is stored and no patient data is
involved. Runs are bounded (members, days) and queue on one worker thread
(:mod:`kraan.services.simulation_jobs`), so they never block the server; beyond
``KRAAN_SIMULATION_MAX_WAITING`` waiting runs a caller gets 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from kraan.domain.simulation.scenario import Scenario
from kraan.services.simulation import load_params
from kraan.services.simulation_jobs import SimulationBusy, check_bounds, runner_for

router = APIRouter(prefix="/api/v1", tags=["simulation"])

@router.post("/simulations", status_code=202, summary="Start a what-if simulation job")
def start_simulation(scenario: Scenario, request: Request) -> JSONResponse:
    problems = check_bounds(scenario)
    if problems:
        return JSONResponse({"detail": problems, "message": "nothing was started: fix the "
                             "fields listed and send again"}, status_code=422)
    try:
        job = runner_for(request.app.state).submit(scenario)
    except SimulationBusy as busy:
        return JSONResponse({"detail": str(busy), "waiting": busy.waiting}, status_code=429,
                            headers={"Retry-After": "60"})
    return JSONResponse({"id": job.id, "status": job.status,
                         "poll": f"/api/v1/simulations/{job.id}"}, status_code=202)


@router.get("/simulations/{job_id}", summary="Progress or result of a simulation job")
def get_simulation(job_id: str, request: Request) -> dict[str, Any]:
    job = runner_for(request.app.state).get(job_id)
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
