"""The scenario page: a quadrant or a past wave, modules on and off, fans side by side.

The form starts a job (:mod:`kraan.services.simulation_jobs`) and htmx polls its
progress every second; the result shows IC, ward and ELV fan charts without and with
the chosen modules, and a table of what each module bought. Runs default to 40 members
and go through the same bounded job queue as ``POST /api/v1/simulations``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from kraan.api.deps import OptionalPrincipalDep
from kraan.domain.simulation.scenario import Replay, Scenario
from kraan.services.simulation import load_params
from kraan.services.simulation_jobs import Job, SimulationBusy, check_bounds, runner_for
from kraan.web.common import render, templates
from kraan.web.i18n import N_, data_text
from kraan.web.i18n import gettext as _
from kraan.web.refusals import pydantic_problems, simulation_problems, to_dict
from kraan.web.svg import Band, HLine, Series, line_chart

router = APIRouter(include_in_schema=False)

#: past waves the page can replay (the bundled LCPS series)
PAST_WAVES: dict[str, tuple[str, date, date]] = {
    "wave2": (N_("Second wave, Oct 2020 - Feb 2021"), date(2020, 10, 1), date(2021, 2, 28)),
    "wave3": (N_("Third wave, Mar - Jun 2021"), date(2021, 3, 1), date(2021, 6, 30)),
    "delta": (N_("Delta autumn, Sep - Dec 2021"), date(2021, 9, 15), date(2021, 12, 31)),
    "omicron": (N_("Omicron, Jan - Apr 2022"), date(2022, 1, 1), date(2022, 4, 15)),
}
DEFAULT_MEMBERS = 40
LEVELS = (("ic", N_("COVID patients on IC")), ("ward", N_("COVID patients on the ward")),
          ("elv", N_("ELV/VVT beds of hospital discharges")))
COLOURS = {"without": "#5f6b7a", "with": "#d55e00"}


def scenario_name(name: str) -> str:
    """A job's scenario in words: a quadrant's label, or a past wave's name."""
    quadrant = load_params().quadrants.get(name)
    return data_text(quadrant.label) if quadrant is not None else _(name)


templates.env.globals["scenario_name"] = scenario_name


@router.get("/simulation", response_class=HTMLResponse)
def simulation_page(request: Request, principal: OptionalPrincipalDep) -> HTMLResponse:
    params = load_params()
    return render(request, "simulation.html", principal, modules=params.modules,
                  quadrants=params.quadrants, waves=PAST_WAVES, members=DEFAULT_MEMBERS,
                  version=params.version)


def _scenario(wave: str, modules: list[str], members: int, seed: int) -> Scenario:
    if wave in PAST_WAVES:
        _, first, last = PAST_WAVES[wave]
        return Scenario(name=PAST_WAVES[wave][0], replay=Replay(start=first, end=last),
                        members=members, seed=seed, modules=modules)  # type: ignore[arg-type]
    return Scenario(name=wave, quadrant=wave, days=180, members=members, seed=seed,
                    modules=modules)  # type: ignore[arg-type]


@router.post("/simulation/run", response_class=HTMLResponse)
def simulation_run(
    request: Request,
    principal: OptionalPrincipalDep,
    wave: Annotated[str, Form()] = "contagious_severe",
    modules: Annotated[list[str] | None, Form()] = None,
    members: Annotated[int, Form()] = DEFAULT_MEMBERS,
    seed: Annotated[int, Form()] = 0,
) -> HTMLResponse:
    try:
        scenario = _scenario(wave, modules or [], members, seed)
        problems = simulation_problems(check_bounds(scenario))
    except ValidationError as exc:
        problems = to_dict(pydantic_problems(exc))
    if problems:
        return render(request, "_simulation_job.html", principal, job=None, problems=problems,
                      status_code=422)
    try:
        job = runner_for(request.app.state).submit(scenario)
    except SimulationBusy as busy:
        busy_problem = {"field": "", "message": _(
            "%(num)s simulations are already queued or running; try again in a minute",
            num=busy.waiting)}
        return render(request, "_simulation_job.html", principal, job=None,
                      problems=[busy_problem], status_code=429)
    return render(request, "_simulation_job.html", principal, job=job, problems=[])


def _chart(result: dict[str, Any], run: str, level: str, title: str) -> str:
    from datetime import date as _date

    days = [_date.fromisoformat(d) for d in result["days"]]
    bands = result["runs"][run][level]
    colour = COLOURS[run]
    series = [Series(_("median"), bands["q50"], colour=colour)]
    truth = result["truth"].get(level)
    if truth:
        series.insert(0, Series(_("LCPS reported"), truth, colour="#1f2933"))
    top = max(max(b for b in bands["q95"]), max((v or 0) for v in (truth or [0])))
    cap = result["capacity"][level]
    hlines = [HLine(cap, _("staffed beds") if level == "ic" else _("agreed COVID / standby beds"),
                    label_left=True)] if cap <= 1.6 * max(top, 1) else []
    return line_chart(series, width=460, height=240, title=title, y_label=_("patients"),
                      x_dates=days, hlines=hlines,
                      bands=[Band(_("90 %% of members"), bands["q05"], bands["q95"], colour=colour,
                                  opacity=0.22)],
                      css_class="line-chart fan-chart")


@router.get("/simulation/jobs/{job_id}", response_class=HTMLResponse)
def simulation_job(job_id: str, request: Request, principal: OptionalPrincipalDep
                   ) -> HTMLResponse:
    job: Job | None = runner_for(request.app.state).get(job_id)
    if job is None or job.status != "done" or job.result is None:
        return render(request, "_simulation_job.html", principal, job=job, problems=[],
                      status_code=200 if job else 404)
    result = job.result
    charts = [
        {"title": _(title),
         "without": _chart(result, "without", level, _("%(what)s: without modules", what=_(title))),
         "with": _chart(result, "with", level, _("%(what)s: with modules", what=_(title)))}
        for level, title in LEVELS
    ]
    return render(request, "_simulation_result.html", principal, job=job, result=result,
                  charts=charts)
