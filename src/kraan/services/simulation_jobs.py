"""Simulation jobs for the API and the page: run in a worker thread, poll for progress.

A comparison runs the scenario without modules, with all chosen modules, and with each
chosen module alone (same seed: common random numbers), so the page can show the fans
side by side and what each module bought. Jobs run one at a time on a single worker
thread, so a long run never blocks the server (requests only read the job table);
finished jobs are kept for the last :data:`KEEP` submissions.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from kraan.domain.simulation.ensemble import BlockSummary, blocks, merge, run_block
from kraan.domain.simulation.planned import CLASSES
from kraan.domain.simulation.scenario import Scenario
from kraan.services.simulation import (
    census,
    load_params,
    load_regions,
    load_series,
    scenario_inputs,
    scenario_modules,
)

KEEP = 32
EFFECT_COLUMNS = ("peak_ic", "peak_ward", "peak_elv", "ic_excess_bed_days",
                  "ic_days_over_capacity", "ward_bed_days", "blocked_bed_days",
                  *(f"postponed_{c}" for c in CLASSES))


@dataclass
class Job:
    id: str
    scenario: Scenario
    status: str = "queued"  # queued | running | done | failed
    done: int = 0
    total: int = 1
    error: str | None = None
    result: dict[str, Any] | None = field(default=None, repr=False)

    def document(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "progress": round(self.done / self.total, 3),
                "error": self.error, "scenario": self.scenario.model_dump(mode="json"),
                "result": self.result}


def _bands(values: np.ndarray) -> dict[str, list[float]]:
    q = np.quantile(values, [0.05, 0.5, 0.95], axis=0)
    return {name: [round(float(v), 1) for v in row] for name, row in zip(("q05", "q50", "q95"),
                                                                            q, strict=True)}


def _medians(summary: BlockSummary) -> dict[str, float]:
    return {k: round(float(np.median(summary.totals[k])), 1) for k in EFFECT_COLUMNS}


class SimulationBusy(Exception):
    """Too many runs waiting: the caller should try again later."""

    def __init__(self, waiting: int) -> None:
        super().__init__(
            f"{waiting} simulations are already queued or running; try again in a minute"
        )
        self.waiting = waiting


class JobRunner:
    def __init__(self, raw_dir: Path | None, max_waiting: int = 4) -> None:
        self.raw_dir = raw_dir
        self.max_waiting = max_waiting
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kraan-sim")

    def submit(self, scenario: Scenario) -> Job:
        job = Job(id=uuid.uuid4().hex[:12], scenario=scenario)
        with self.lock:
            waiting = sum(1 for j in self.jobs.values() if j.status in ("queued", "running"))
            if waiting >= self.max_waiting:
                raise SimulationBusy(waiting)
            self.jobs[job.id] = job
            while len(self.jobs) > KEEP:
                self.jobs.popitem(last=False)
        self.pool.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _run(self, job: Job) -> None:
        try:
            job.status = "running"
            job.result = compare(job.scenario, self.raw_dir, job)
            job.status = "done"
        except Exception as exc:  # noqa: BLE001 - the job reports any failure to its poller
            job.error = str(exc)
            job.status = "failed"


def compare(scenario: Scenario, raw_dir: Path | None, job: Job | None = None) -> dict[str, Any]:
    """Without modules, with all chosen modules, and each module alone; see module doc."""
    params0 = load_params()
    setup = load_regions(raw_dir)
    keys = scenario.module_keys
    variants: list[tuple[str, list[Any]]] = [("without", []), ("with", list(scenario.modules))]
    if len(keys) > 1:
        variants += [(k, [m]) for k, m in zip(keys, scenario.modules, strict=True)]
    parts = blocks(scenario.members)
    if job is not None:
        job.total = len(variants) * len(parts)
    runs: dict[str, BlockSummary] = {}
    inputs = None
    for name, mods in variants:
        variant = scenario.model_copy(update={"modules": mods})
        inputs, params = scenario_inputs(variant, params0, setup)
        modules = scenario_modules(variant, params)
        done = []
        for b, n in parts:
            done.append(run_block(inputs, params, modules, scenario.seed, b, n,
                                  scenario.protect_u3))
            if job is not None:
                job.done += 1
        runs[name] = merge(done)
    assert inputs is not None
    days = [(inputs.first_day + timedelta(days=i)).isoformat() for i in range(inputs.days)]
    truth: dict[str, list[float | None]] = {}
    if scenario.replay is not None:
        series = load_series(scenario.replay.input, setup.raw_dir)
        ic, ward = census(series)
        i0 = series.index_of(scenario.replay.start)
        span = slice(i0, i0 + inputs.days)
        truth = {name: [None if not np.isfinite(v) else float(v) for v in arr[span]]
                 for name, arr in (("ic", ic), ("ward", ward))}
    base = _medians(runs["without"])
    effects = []
    for name, _ in variants[1:]:
        med = _medians(runs[name])
        effects.append({"modules": "all chosen" if name == "with" else name,
                        **{k: med[k] for k in EFFECT_COLUMNS},
                        **{f"d_{k}": round(med[k] - base[k], 1) for k in EFFECT_COLUMNS}})
    return {
        "days": days,
        "runs": {name: {"ic": _bands(run.ic), "ward": _bands(run.ward), "elv": _bands(run.elv),
                        "summary": _medians(run)}
                 for name, run in runs.items() if name in ("without", "with")},
        "truth": truth,
        "capacity": {"ic": float(inputs.ic_beds.sum()), "ward": float(inputs.ward_covid_beds.sum()),
                     "elv": float(inputs.elv_beds.sum())},
        "effects": effects,
        "labels": {k: params0.modules[k].label for k in keys},
    }


#: bounds of a run through the API (the CLI has none): answers within seconds
MAX_MEMBERS = 400
MAX_DAYS = 400
_LOCK = threading.Lock()


def runner_for(state: Any) -> JobRunner:
    """The app's one job runner (kept on ``app.state``), made on first use."""
    with _LOCK:
        runner = getattr(state, "simulation_jobs", None)
        if runner is None:
            raw = Path(state.settings.raw_data_dir)
            runner = JobRunner(
                raw if raw.is_dir() else None, state.settings.simulation_max_waiting
            )
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
