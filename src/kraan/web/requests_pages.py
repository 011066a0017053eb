"""The requests page: staff-help requests per region or nationally, with a form per step.

Aggregates (open requests by rung and kind of worker, stale, MSOB pending, deployments)
are public; the requests themselves and their forms only for those the access rules let
in. Every form goes through the same service as the API (services/request_actions.py),
so the page refuses with the same words as the API's 422 (named rule) and 409 (somebody
was first): the domain's errors, shown here as a form error.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote_plus

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from kraan.api.deps import EngineDep, OptionalPrincipalDep, SettingsDep, utc_now
from kraan.domain.access import Principal, can_file_request
from kraan.domain.requests.ladder import ESCALATES, RESPONDERS, Party, State, WorkerKind
from kraan.domain.requests.rules import Missing, Refused, RuleViolation, StepConflict
from kraan.services import requests as service
from kraan.services.request_actions import (
    DeploymentCreate,
    RequestCreate,
    StepBody,
    add_deployment,
    create_request,
    may_deploy,
    may_take,
    take_step,
)
from kraan.store.reference import load_locations, load_regions
from kraan.web.common import form_ok, read_as_of, render
from kraan.web.i18n import N_
from kraan.web.i18n import gettext as _
from kraan.web.refusals import refusal_text, rule_of
from kraan.web.words import word

router = APIRouter(include_in_schema=False)

KINDS = [k.value for k in WorkerKind]
KIND_LABELS = {
    "ic_nurse": N_("IC nurse"),
    "ward_nurse": N_("ward nurse"),
    "care_assistant": N_("care assistant (zorghulp)"),
    "doctor": N_("doctor"),
    "support": N_("non-care support"),
}
STEP_LABELS = {
    "answer": N_("answer"), "escalate": N_("escalate"), "close": N_("close"),
    "sign": N_("sign (chair)"), "intake": N_("intake (LOT-C)"),
    "fact_finding": N_("fact-finding report"), "vote": N_("record decision"),
    "reconfirm": N_("re-confirm"), "withdraw": N_("withdraw"),
}  # fmt: skip


def _steps(principal: Principal | None, view: dict[str, Any]) -> list[str]:
    """The steps this person may take on this request now (the server checks again)."""
    if principal is None or view["state"] in (State.CLOSED, State.WITHDRAWN):
        return []
    state, rung = view["state"], view["rung"]
    wanted: list[str] = []
    if state == State.ASKED and rung < 3:
        wanted.append("answer")
    last = view["answers"][-1]["answer"] if view["answers"] else None
    if state == State.ANSWERED and last in ESCALATES and rung < 3:
        wanted.append("escalate")
    if state == State.ANSWERED:
        wanted.append("close")
    if rung == 3:
        wanted += {State.ASKED: ["sign"], State.SIGNED: ["intake"],
                   State.INTAKE: ["fact_finding"], State.FACT_FINDING: ["vote"]}.get(
                       State(state), [])  # fmt: skip
    wanted += ["reconfirm", "withdraw"]
    out = []
    for step in wanted:
        parties = [p.value for p in Party] if step == "vote" else [None]
        body_ok = any(
            may_take(principal, view, StepBody(step=step, party=p))  # type: ignore[arg-type]
            for p in parties
        )
        if body_ok:
            out.append(step)
    return out


def _parties(principal: Principal, view: dict[str, Any]) -> list[str]:
    done = set(view["msob"]["votes"])
    return [
        p.value
        for p in Party
        if p.value not in done
        and may_take(principal, view, StepBody(step="vote", party=p.value))  # type: ignore[arg-type]
    ]


@router.get("/requests", response_class=HTMLResponse)
def requests_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    message: str = "",
    region: str = "",
) -> HTMLResponse:
    as_of, carry, error = read_as_of(request)
    with engine.connect() as conn:
        regions = load_regions(conn)
        locations = [loc for _, loc in load_locations(conn)]
        views = service.request_views(
            conn, as_of=as_of, stale_after=settings.request_stale_after,
            region=region or None, principal=principal,
        )  # fmt: skip
    summary = service.summarise(views, as_of=as_of)
    detailed = [
        {**v, "steps": _steps(principal, v),
         "parties": _parties(principal, v) if principal else [],
         "may_deploy": bool(principal) and v["state"] not in ("closed", "withdrawn")
         and may_deploy(principal, v)}  # type: ignore[arg-type]
        for v in views if "reason" in v
    ]  # fmt: skip
    fileable = [
        loc for loc in locations
        if principal and loc.kind.value != "abroad"
        and can_file_request(principal, location_code=loc.code, region_code=loc.region_code)
        and (not region or loc.region_code == region)
    ]  # fmt: skip
    return render(
        request, "requests.html", principal, as_of=as_of, carry=carry, error=error,
        message=message, region=region, regions=regions, summary=summary,
        requests=detailed, hidden=len(views) - len(detailed), kinds=KINDS,
        kind_labels=KIND_LABELS, step_labels=STEP_LABELS, fileable=fileable[:400],
        responders={int(rung): who for rung, who in RESPONDERS.items()},
        today=as_of.date().isoformat(),
        stale_hours=int(settings.request_stale_after.total_seconds() // 3600),
    )  # fmt: skip


def _refused(
    request: Request, principal: Principal | None, status: int, text: str, rule: str = ""
) -> Response:
    """The refusal in the page's language; the rule's code only as an attribute (tests)."""
    return render(request, "error.html", principal, status_code=status,
                  title=_("Not done"), message=text, rule=rule)  # fmt: skip


#: What the pages catch from a form: pydantic's field checks and the domain's refusals.
FORM_ERRORS = (ValidationError, RuleViolation, StepConflict, Refused, Missing)


def _no_form(request: Request, principal: Principal | None, path: str) -> Response:
    """No session: 401 with the login form, as every other form; a form token that is not
    this session's: 403."""
    if principal is None:
        return render(request, "login.html", None, status_code=401, next=path,
                      error=_("Log in to use this form."))  # fmt: skip
    return _refused(request, principal, 403, _("Log in again and reload the page."))


def _back(request: Request, text: str) -> RedirectResponse:
    params = request.query_params
    parts = [f"{k}={quote_plus(params[k])}" for k in ("as_of", "region") if params.get(k)]
    parts.append(f"message={quote_plus(text)}")
    return RedirectResponse("/requests?" + "&".join(parts), status_code=303)


def _counts(form: Any, prefix: str) -> dict[str, int]:
    out = {}
    for kind in KINDS:
        raw = str(form.get(f"{prefix}{kind}", "") or "").strip()
        if raw:
            out[kind] = int(raw) if raw.lstrip("-").isdigit() else -1
    return out


def _moment(raw: str) -> datetime | str:
    try:
        return datetime.fromisoformat(raw) if "T" in raw else datetime.combine(
            date.fromisoformat(raw), time(0, 0))  # fmt: skip
    except ValueError:
        return raw


async def _checked(request: Request, settings: Any, principal: Principal | None) -> Any:
    form = await request.form()
    if principal is None or not form_ok(request, settings, str(form.get("csrf", ""))):
        return None
    return form


@router.post("/requests/new", response_class=HTMLResponse)
async def new_request_form(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: OptionalPrincipalDep
) -> Response:
    form = await _checked(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/requests")
    try:
        body = RequestCreate(
            location_code=str(form.get("location_code", "")),
            workers=_counts(form, "workers_"),  # type: ignore[arg-type]
            period_start=str(form.get("period_start", "")),  # type: ignore[arg-type]
            period_end=str(form.get("period_end", "")),  # type: ignore[arg-type]
            shifts=str(form.get("shifts", "")),
            reason=str(form.get("reason", "")),
            measures=str(form.get("measures", "")),
        )
        view = create_request(engine, settings, principal, body, now=utc_now())
    except FORM_ERRORS as error:
        return _refused(request, principal, *refusal_text(error), rule=rule_of(error))
    return _back(request, _("request %(id)s filed at rung 1 (region)", id=view["id"]))


@router.post("/requests/{request_id}/step", response_class=HTMLResponse)
async def step_form(
    request: Request, request_id: int, engine: EngineDep, settings: SettingsDep,
    principal: OptionalPrincipalDep,
) -> Response:  # fmt: skip
    form = await _checked(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/requests")
    step = str(form.get("step", ""))
    # the page's multiple select sends one value per responder; a comma list works too
    asked = [a.strip() for raw in form.getlist("asked") for a in str(raw).split(",") if a.strip()]
    version = str(form.get("version", ""))
    try:
        body = StepBody(
            step=step,  # type: ignore[arg-type]
            version=int(version) if version.isdigit() else None,
            answer=(str(form.get("answer")) or None) if form.get("answer") else None,  # type: ignore[arg-type]
            asked=asked,
            provided=_counts(form, "provided_"),  # type: ignore[arg-type]
            party=(str(form.get("party")) or None) if form.get("party") else None,  # type: ignore[arg-type]
            approve=form.get("approve") == "yes" if step == "vote" else None,
            granted=_counts(form, "granted_"),  # type: ignore[arg-type]
            note=str(form.get("note", "")),
        )
        view = take_step(engine, settings, principal, request_id, body, now=utc_now())
    except FORM_ERRORS as error:
        return _refused(request, principal, *refusal_text(error), rule=rule_of(error))
    label = _(STEP_LABELS[step]) if step in STEP_LABELS else step
    return _back(request, _("request %(id)s: %(step)s done; now %(state)s at rung %(rung)s",
                            id=request_id, step=label, state=word(view["state"]),
                            rung=view["rung"]))  # fmt: skip


@router.post("/requests/{request_id}/deploy", response_class=HTMLResponse)
async def deploy_form(
    request: Request, request_id: int, engine: EngineDep, settings: SettingsDep,
    principal: OptionalPrincipalDep,
) -> Response:  # fmt: skip
    form = await _checked(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/requests")
    count = str(form.get("count", "1"))
    try:
        body = DeploymentCreate(
            kind=str(form.get("kind", "")),  # type: ignore[arg-type]
            count=int(count) if count.isdigit() else 0,
            person_ref=str(form.get("person_ref", "")),
            source=str(form.get("source", "")),
            start=_moment(str(form.get("start", ""))),  # type: ignore[arg-type]
            end=_moment(str(form.get("end", ""))),  # type: ignore[arg-type]
        )
        add_deployment(engine, settings, principal, request_id, body, now=utc_now())
    except FORM_ERRORS as error:
        return _refused(request, principal, *refusal_text(error), rule=rule_of(error))
    return _back(request, _("request %(id)s: deployment recorded", id=request_id))
