"""The signals board (with ELV scale-up orders) and the stock page (docs/requests.md, 5-7).

Figures are public, as on the other pages; signal texts and ventilator applications
need a login. Every form calls the same service as the API (services/chain_actions.py),
so the checks and the words of a refusal (the API's 422 naming the rule, its 409) are the
same; here they show as a form error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kraan.api.deps import EngineDep, OptionalPrincipalDep, SettingsDep, utc_now
from kraan.domain.access import (
    Principal,
    can_classify_signal,
    can_file_signal,
    can_handle_regionally,
    can_manage_stock,
    can_order_elv,
    can_report_for,
)
from kraan.domain.moments import AMSTERDAM
from kraan.services import chain as service
from kraan.services import chain_actions as act
from kraan.store import stock as stock_store
from kraan.store.reference import load_locations, load_regions
from kraan.web.common import read_as_of, render
from kraan.web.i18n import N_
from kraan.web.i18n import gettext as _
from kraan.web.refusals import refusal_text, rule_of
from kraan.web.requests_pages import FORM_ERRORS, _checked, _no_form, _refused
from kraan.web.words import word

router = APIRouter(include_in_schema=False)

#: What the stock page says after each form succeeded.
STOCK_DONE = {
    "medicine": N_("medicine figures stored"),
    "pool": N_("ventilator stock count stored"),
    "apply": N_("application filed"),
    "assess": N_("application assessed"),
    "ship": N_("units shipped"),
}

#: Button words of the signal steps (marked for the catalog; the template translates).
SIGNAL_STEP_LABELS = (N_("escalate"), N_("classify"), N_("act"), N_("close"))
SIGNAL_STEPS = {"filed": ["escalate"], "escalated": ["classify"], "classified": ["act", "close"],
                "acted": ["close"]}  # fmt: skip


def _signal_steps(principal: Principal | None, view: dict[str, Any]) -> list[str]:
    if principal is None:
        return []
    out = []
    for step in SIGNAL_STEPS.get(view["state"], []):
        ok = (can_handle_regionally(principal, region_code=view["region_code"])
              if step == "escalate" else can_classify_signal(principal))  # fmt: skip
        if ok:
            out.append(step)
    return out


def _utc(local: str) -> str:
    """The form's moment is Amsterdam time, as every time on the pages; storage is UTC."""
    try:
        moment = datetime.fromisoformat(local)
    except ValueError:
        return local  # the API's validation names the field
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=AMSTERDAM)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def _mine(principal: Principal | None, locations: list[Any], region: str | None = None) -> list:  # type: ignore[type-arg]
    if principal is None:
        return []
    return [loc for loc in locations if loc.kind.value != "abroad"
            and (region is None or loc.region_code == region)
            and can_report_for(principal, location_code=loc.code, region_code=loc.region_code)]


@router.get("/signals", response_class=HTMLResponse)
def signals_page(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: OptionalPrincipalDep,
    message: str = "",
) -> HTMLResponse:  # fmt: skip
    as_of, carry, error = read_as_of(request)
    with engine.connect() as conn:
        regions = load_regions(conn)
        locations = [loc for _, loc in load_locations(conn)]
        signals = service.signal_views(conn, as_of=as_of, settings=settings) if principal else []
        orders = service.order_views(conn, as_of=as_of)
        elv = service.elv_figures(conn, as_of=as_of, settings=settings)
        chain = service.chain_picture(conn, as_of=as_of)
    by_region = service.elv_by_region(orders)
    return render(
        request, "signals.html", principal, as_of=as_of, carry=carry, error=error,
        message=message, regions=regions,
        signals=[{**s, "steps": _signal_steps(principal, s)} for s in signals],
        orders=[{**o, "locations": _mine(principal, locations, o["region_code"])}
                for o in orders],
        by_region=by_region, elv=elv, chain=chain,
        report_locations=_mine(principal, locations),
        file_regions=[r.code for r in regions
                      if principal and can_file_signal(principal, region_code=r.code)],
        file_locations=_mine(principal, locations),
        order_regions=[r.code for r in regions
                       if principal and can_order_elv(principal, region_code=r.code)],
        today=as_of.date().isoformat(),
    )  # fmt: skip


def _back(request: Request, path: str, text: str) -> RedirectResponse:
    as_of = request.query_params.get("as_of", "")
    query = f"?as_of={as_of}&" if as_of else "?"
    return RedirectResponse(f"{path}{query}message={text.replace(' ', '+')}", status_code=303)


async def _form(request: Request, settings: Any, principal: Principal | None) -> Any:
    form = await _checked(request, settings, principal)
    return None if form is None or principal is None else form


def _int(raw: object) -> int:
    text = str(raw or "").strip()
    return int(text) if text.lstrip("-").isdigit() else -1


def _float(raw: object) -> float:
    try:
        return float(str(raw or "").strip())
    except ValueError:
        return -1.0


def _done(request: Request, principal: Principal, path: str, work: Any, text: str) -> Response:
    try:
        work()
    except FORM_ERRORS as error:
        return _refused(request, principal, *refusal_text(error), rule=rule_of(error))
    return _back(request, path, text)


@router.post("/signals/new", response_class=HTMLResponse)
async def signal_new(request: Request, engine: EngineDep, settings: SettingsDep,
                     principal: OptionalPrincipalDep) -> Response:  # fmt: skip
    form = await _form(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/signals")
    location = str(form.get("location_code", ""))
    region = str(form.get("region_code", ""))
    with engine.connect() as conn:
        found = next((loc for _, loc in load_locations(conn) if loc.code == location), None)
    return _done(request, principal, "/signals", lambda: act.post_signal(act.SignalCreate(
        region_code=found.region_code if found else region, location_code=location,
        sector=str(form.get("sector", "")),  # type: ignore[arg-type]
        blocked=str(form.get("blocked", "")), since=str(form.get("since", ""))),  # type: ignore[arg-type]
        engine, principal, now=utc_now()), _("signal filed"))  # fmt: skip


@router.post("/signals/{signal_id}/step", response_class=HTMLResponse)
async def signal_step(request: Request, signal_id: int, engine: EngineDep,
                      settings: SettingsDep, principal: OptionalPrincipalDep) -> Response:
    form = await _form(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/signals")
    version = str(form.get("version", ""))
    step = str(form.get("step", ""))
    return _done(request, principal, "/signals", lambda: act.signal_step(
        engine, settings, principal, signal_id, act.SignalStepBody(
            step=step,  # type: ignore[arg-type]
            version=int(version) if version.isdigit() else None,
            umbrella=form.get("umbrella") or None,
            classification=form.get("classification") or None,
            needs_action=form.get("needs_action") == "yes",
            action=str(form.get("action", "")), note=str(form.get("note", ""))),
        now=utc_now()),
        _("signal %(id)s: %(step)s done", id=signal_id, step=word(step)))  # fmt: skip


@router.post("/chain/report", response_class=HTMLResponse)
async def chain_report(request: Request, engine: EngineDep, settings: SettingsDep,
                       principal: OptionalPrincipalDep) -> Response:  # fmt: skip
    form = await _form(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/signals")
    code = str(form.get("reporter_code", ""))
    with engine.connect() as conn:
        found = next((loc for _, loc in load_locations(conn) if loc.code == code), None)
    numbers = {n: (_int(form.get(n)) if str(form.get(n) or "").strip() else None)
               for n in ("beds", "occupied", "covid")}  # fmt: skip
    absence = str(form.get("staff_absence_pct") or "").strip()
    return _done(request, principal, "/signals", lambda: act.post_chain_report(
        act.ChainReportBody(
            reporter_code=code, region_code=found.region_code if found else "?",
            kind=str(form.get("kind", "")),  # type: ignore[arg-type]
            reported_at=_utc(str(form.get("reported_at", ""))),  # type: ignore[arg-type]
            status=form.get("status") or None, reason=str(form.get("reason", "")),
            staff_absence_pct=_float(absence) if absence else None, **numbers),
        engine, settings, principal, now=utc_now()), _("chain report stored"))  # fmt: skip


@router.post("/elv-orders/new", response_class=HTMLResponse)
async def order_new(request: Request, engine: EngineDep, settings: SettingsDep,
                    principal: OptionalPrincipalDep) -> Response:  # fmt: skip
    form = await _form(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/signals")
    return _done(request, principal, "/signals", lambda: act.post_order(act.OrderCreate(
        region_code=str(form.get("region_code", "")), beds=_int(form.get("beds")),
        note=str(form.get("note", ""))), engine, settings, principal, now=utc_now()),
        _("ELV beds ordered"))


@router.post("/elv-orders/{order_id}/beds", response_class=HTMLResponse)
async def order_beds(request: Request, order_id: int, engine: EngineDep, settings: SettingsDep,
                     principal: OptionalPrincipalDep) -> Response:  # fmt: skip
    form = await _form(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/signals")
    return _done(request, principal, "/signals", lambda: act.post_beds(order_id, act.BedsUpBody(
        location_code=str(form.get("location_code", "")), beds=_int(form.get("beds"))),
        engine, principal, now=utc_now()), _("beds reported up"))  # fmt: skip


# ---- stock -------------------------------------------------------------------------------


@router.get("/stock", response_class=HTMLResponse)
def stock_page(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: OptionalPrincipalDep,
    message: str = "",
) -> HTMLResponse:  # fmt: skip
    as_of, carry, error = read_as_of(request)
    with engine.connect() as conn:
        medicines, basis = service.medicine_views(conn, as_of=as_of, settings=settings)
        pool = stock_store.pool_as_of(conn, as_of=as_of)
        locations = [loc for _, loc in load_locations(conn)]
    apps = act.get_ventilators(engine, principal, as_of)["applications"] if principal else []
    norm = service.load_norm(settings.ccv_norm_file)
    wanted = request.query_params.get("scenarios") == "1"
    scenarios = service.scenario_coverage(medicines, settings) if wanted and medicines else {}
    return render(
        request, "stock.html", principal, as_of=as_of, carry=carry, error=error,
        message=message, medicines=medicines, basis=basis, pool=pool, applications=apps,
        scenarios=scenarios,
        manage=bool(principal) and can_manage_stock(principal),  # type: ignore[arg-type]
        apply_locations=_mine(principal, locations), norm=norm,
    )  # fmt: skip


@router.post("/stock/{action}", response_class=HTMLResponse)
async def stock_form(request: Request, action: str, engine: EngineDep, settings: SettingsDep,
                     principal: OptionalPrincipalDep) -> Response:  # fmt: skip
    form = await _form(request, settings, principal)
    if form is None or principal is None:
        return _no_form(request, principal, "/stock")
    app_id, now = _int(form.get("app_id")), utc_now()
    works = {
        "medicine": lambda: act.post_medicine(act.MedicineBody(
            code=str(form.get("code", "")), name=str(form.get("name", "")),
            unit=str(form.get("unit", "")), stock=_float(form.get("stock")),
            regular_per_month=_float(form.get("regular_per_month")),
            per_ic_patient_day=_float(form.get("per_ic_patient_day"))), engine, principal,
            now=now),
        "pool": lambda: act.put_pool(act.PoolBody(total=_int(form.get("total"))), engine,
                                     principal, now=now),
        "apply": lambda: act.post_application(act.ApplicationBody(
            location_code=str(form.get("location_code", "")), units=_int(form.get("units")),
            reason=str(form.get("reason", ""))), engine, principal, now=now),
        "assess": lambda: act.post_assess(app_id, act.AssessBody(
            decision=str(form.get("decision", "")),  # type: ignore[arg-type]
            units_granted=_int(form.get("units_granted")),
            reason=str(form.get("reason", ""))), engine, principal, now=now),
        "ship": lambda: act.post_ship(app_id, engine, principal, now=now),
    }  # fmt: skip
    if action not in works:
        return _refused(request, principal, 404, _("unknown stock action"))
    return _done(request, principal, "/stock", works[action], _(STOCK_DONE[action]))
