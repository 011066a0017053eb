"""The vaccination page: the groups x weeks schedule chart, the what-if form, exports.

Public, like the API it uses: the schedule holds no patient data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from kraan.api.deps import OptionalPrincipalDep
from kraan.api.vaccination_actions import ScheduleRequest, build_document
from kraan.domain.care_at_home.vaccination_order import VaccinationDataError
from kraan.services.care_at_home import vaccination as service
from kraan.web.care_charts import schedule_chart
from kraan.web.common import read_as_of, render
from kraan.web.i18n import gettext as _
from kraan.web.i18n_data import translate
from kraan.web.refusals import field_label, pydantic_problems, say, to_dict
from kraan.web.words import word

router = APIRouter(include_in_schema=False)


def _what_ifs(params: dict[str, str]) -> list[dict[str, Any]]:
    """The form: one vaccine, and any of delay / cut / restrict for it."""
    vaccine = params.get("vaccine", "")
    if not vaccine:
        return []
    out: list[dict[str, Any]] = []
    from_week = params.get("from_week") or None
    if params.get("delay_weeks"):
        out.append({"kind": "delay", "vaccine": vaccine, "weeks": params["delay_weeks"],
                    "from_week": from_week})  # fmt: skip
    if params.get("cut_percent"):
        out.append({"kind": "cut", "vaccine": vaccine, "percent": params["cut_percent"],
                    "from_week": from_week})  # fmt: skip
    if params.get("min_age") or params.get("max_age"):
        out.append({"kind": "restrict", "vaccine": vaccine,
                    "min_age": params.get("min_age") or 0,
                    "max_age": params.get("max_age") or 120})  # fmt: skip
    return out


@router.get("/vaccination", response_class=HTMLResponse)
async def vaccination_page(request: Request, principal: OptionalPrincipalDep) -> HTMLResponse:
    as_of, carry, _error = read_as_of(request)
    params = {k: v.strip() for k, v in request.query_params.items()}
    method = params.get("method", "lp") if params.get("method") in ("lp", "greedy") else "lp"
    errors: list[dict[str, str]] = []
    what_ifs = _what_ifs(params)
    try:
        body = ScheduleRequest(
            real_2021=True,
            capacity=float(params["capacity"]) if params.get("capacity") else None,
            what_ifs=what_ifs,  # type: ignore[arg-type]
        )
        if what_ifs or body.capacity:
            document = await run_in_threadpool(build_document, body)
        else:
            document = await run_in_threadpool(service.default_document)
    except ValidationError as error:
        errors = to_dict(pydantic_problems(error))
    except VaccinationDataError as error:
        errors = [{"field": field_label(name), "message": say(message)}
                  for name, message in error.problems]
    except ValueError:
        errors = [{"field": field_label("capacity"), "message": _("must be a number")}]
    if errors:
        document = await run_in_threadpool(service.default_document)
    weeks = document["weeks"]
    chart = schedule_chart(
        [(translate(label), shares) for label, shares in document["chart"][method]], weeks,
        title=_("Share of each cohort's uptake with a first dose, per week (%(method)s)",
                method=word(method)),
    )  # fmt: skip
    return render(
        request,
        "vaccination.html",
        principal,
        as_of=as_of,
        carry=carry,
        doc=document,
        method=method,
        chart=chart,
        items=document["schedules"][method]["items"],
        comparison=service.compare_2021(document),
        form=params,
        form_errors=errors,
        what_ifs=what_ifs if not errors else [],
        vaccines=[v["code"] for v in service.vaccine_data()["vaccines"]],
        priority=service.priority_data(),
    )
