"""What a coordinator does on the spreading page besides moving transfers: store the
plan shown (national coordinators, confirmed, audited; blocked on stale data unless
overridden with a reason) and withdraw the untaken beds of an offer."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kraan.api.deps import EngineDep, OptionalPrincipalDep, SettingsDep, utc_now
from kraan.domain.access import Principal, can_offer_beds, can_plan_spreading
from kraan.domain.spreading.solve import SpreadInputError
from kraan.services import transfers as transfer_service
from kraan.services.spreading import export_snapshot, solve_document
from kraan.services.spreading_render import capped_document
from kraan.store import transfers as store
from kraan.store.reports import last_report_at
from kraan.web.common import form_ok, query, read_as_of, render
from kraan.web.i18n import gettext as _
from kraan.web.i18n import ngettext
from kraan.web.refusals import say

router = APIRouter(include_in_schema=False)


def _refused(request: Request, principal: Principal | None, status: int, text: str) -> Response:
    return render(request, "error.html", principal, status_code=status,
                  title=_("Not done"), message=text)  # fmt: skip


def _back(carry: str, message: str) -> RedirectResponse:
    return RedirectResponse(
        f"/spreading{query(as_of=carry)}{'&' if carry else '?'}message={quote(message)}",
        status_code=303,
    )


@router.post("/spreading/plans", response_class=HTMLResponse)
def store_plan(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    confirm: Annotated[str, Form()] = "",
    override_reason: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Solve the as-of snapshot and store it: one ``requested`` transfer per plan row."""
    as_of, carry, _error = read_as_of(request)
    if principal is None or not form_ok(request, settings, csrf):
        return _refused(request, principal, 403, _("Log in again and reload the page."))
    if not can_plan_spreading(principal):
        return _refused(request, principal, 403,
                        _("Only a national coordinator stores spreading plans."))  # fmt: skip
    if confirm != "yes":
        return _refused(request, principal, 422, _("Tick the confirmation to store the plan."))
    reason = override_reason.strip()
    with engine.connect() as conn:
        fresh = last_report_at(conn, as_of=as_of)
        snapshot = export_snapshot(conn, as_of=as_of, settings=settings)
    stale = fresh is None or as_of - fresh > settings.stale_after
    if stale and len(reason) < 5:
        return _refused(request, principal, 422, _(
            "The data are stale: give a reason of at least 5 characters to store a plan "
            "from them anyway."))  # fmt: skip
    snapshot["settings"] = {**snapshot["settings"], "method": "lp_round", "time_limit_seconds": 5}
    document = capped_document(snapshot)
    try:
        result = solve_document(document)
    except (SpreadInputError, ValueError) as error:
        return _refused(request, principal, 422, say(error))
    plan_settings = dict(document["settings"])
    if stale:
        plan_settings["stale_data_override"] = reason[:2000]
    with engine.begin() as conn:
        plan_id, ids = transfer_service.store_plan(
            conn, as_of=as_of, settings=plan_settings, result=result,
            actor=principal.username, now=utc_now(),
        )  # fmt: skip
    return _back(carry, ngettext("Plan %(id)s stored: %(num)s transfer requested.",
                                 "Plan %(id)s stored: %(num)s transfers requested.",
                                 len(ids), id=plan_id))  # fmt: skip


@router.post("/spreading/offers/{offer_id}/withdraw", response_class=HTMLResponse)
def withdraw_offer(
    request: Request,
    offer_id: int,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The region takes back the beds nobody has taken yet."""
    _as_of, carry, _error = read_as_of(request)
    if principal is None or not form_ok(request, settings, csrf):
        return _refused(request, principal, 403, _("Log in again and reload the page."))
    with engine.begin() as conn:
        try:
            offer = store.get_offer(conn, offer_id=offer_id)
        except store.NotFound:
            return _refused(request, principal, 404, _("There is no such bed offer."))
        if not can_offer_beds(principal, region_code=offer.region_code):
            return _refused(request, principal, 403, _(
                "You may not offer beds for %(region)s.", region=offer.region_code))  # fmt: skip
        freed = store.withdraw_offer(conn, offer_id=offer_id, actor=principal.username,
                                     now=utc_now())  # fmt: skip
    return _back(carry, ngettext("%(num)s bed withdrawn from offer %(id)s.",
                                 "%(num)s beds withdrawn from offer %(id)s.",
                                 freed, id=offer_id))  # fmt: skip
