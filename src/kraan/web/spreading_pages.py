"""The spreading dashboard: flows on the map, today's transfers, supply against demand.

Flows come from the newest stored plan for the as-of day; without one, from a fresh
``lp_round`` solve of the live snapshot (fast, never stored), so the page always shows
what the optimiser would do. Coordinators get the buttons of the moves their role may
make; the forms use the session's CSRF token like every other write (forms.py).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta
from html import escape
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kraan.api.bounds import BigId
from kraan.api.deps import EngineDep, OptionalPrincipalDep, SettingsDep, utc_now
from kraan.domain.access import (
    Principal,
    can_move_transfer,
    can_offer_beds,
    can_plan_spreading,
)
from kraan.domain.bounds import day_problem
from kraan.domain.spreading.solve import SpreadInputError
from kraan.domain.spreading.workflow import TRANSITIONS, TransferState
from kraan.services.spreading import capped_document, export_snapshot, solve_document
from kraan.services.transfers import TransferRefused, advance
from kraan.settings import Settings
from kraan.store import transfers as store
from kraan.store.reference import load_regions
from kraan.store.reports import last_report_at
from kraan.web.common import form_ok, map_geometry, read_as_of, render
from kraan.web.geo import region_groups
from kraan.web.i18n import N_, fmt_datetime, ngettext
from kraan.web.i18n import gettext as _
from kraan.web.labels import transfer_state_label
from kraan.web.refusals import say
from kraan.web.svg import Series, line_chart

router = APIRouter(include_in_schema=False)

HORIZON_DAYS = 7
MAP_W, MAP_H = 420, 500
#: Germany sits off the map to the east, where the border crossings are.
ABROAD_POINT = (MAP_W - 14.0, MAP_H * 0.62)
BUTTONS = {
    "offered": N_("Offer bed"),
    "accepted": N_("Accept"),
    "requested": N_("Decline offer"),
    "in_transport": N_("Patient on the road"),
    "arrived": N_("Arrived"),
    "cancelled": N_("Cancel"),
}
MAP_TITLE = N_("Planned transfers between regions (arrow width and label: patients)")
_NUMBER_PAIR = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def _flow_text(source: str, target: str, patients: int) -> str:
    return ngettext(
        "%(source)s → %(target)s: %(num)s patient",
        "%(source)s → %(target)s: %(num)s patients",
        patients,
        source=source,
        target=target,
    )


def _centre(path_d: str) -> tuple[float, float] | None:
    """Mean vertex of a region's outline: good enough to anchor an arrow."""
    points = [(float(x), float(y)) for x, y in _NUMBER_PAIR.findall(path_d)]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _plan_for(
    conn: Any, *, as_of: datetime, settings: Settings
) -> tuple[dict[str, Any], str, int | None]:
    """(plan result, where it comes from, stored plan id): the stored plan, else a fresh
    lp_round solve (id None)."""
    stored = store.latest_plan(conn, as_of=as_of)
    if stored is not None:
        when = fmt_datetime(datetime.fromisoformat(stored["as_of"]))
        text = _("stored plan %(id)s of %(when)s", id=stored["id"], when=when)
        return stored["result"], text, int(stored["id"])
    snapshot = export_snapshot(conn, as_of=as_of, settings=settings)
    snapshot["settings"] = {**snapshot["settings"], "method": "lp_round", "time_limit_seconds": 5}
    try:
        return solve_document(capped_document(snapshot)), _("fresh solve (not stored)"), None
    except (SpreadInputError, ValueError) as error:
        return {"plan": [], "areas": [], "error": say(error)}, _("no plan"), None


def _flow_map(settings: Settings, regions: list[Any], plan: list[dict[str, Any]]) -> str | None:
    """Region shapes with one arrow per (sender, receiver), width by patients."""
    groups = region_groups(regions)
    try:
        paths, outlines = map_geometry(
            settings.raw_data_dir / "geo" / "geography-simplified.topo.json", groups
        )
    except (OSError, ValueError, KeyError):
        return None
    centres = {code: c for code, d in paths.items() if (c := _centre(d)) is not None}
    flows: dict[tuple[str, str], int] = {}
    for row in plan:
        key = (row["from"], row["to"])
        flows[key] = flows.get(key, 0) + int(row["patients"])
    top = max(flows.values(), default=1)
    parts = [
        f'<svg viewBox="0 0 {MAP_W} {MAP_H}" class="flow-map" role="img" '
        'aria-labelledby="flow-title" data-testid="flow-map">',
        f"<title id=\"flow-title\">{escape(_(MAP_TITLE))}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="4" '
        'markerHeight="4" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#b33"/></marker></defs>',
    ]
    for code, d in paths.items():
        parts.append(f'<path d="{d}" fill="#e8eef4" stroke="#fff" fill-rule="evenodd">'
                     f"<title>{code}</title></path>")  # fmt: skip
        if outlines.get(code):
            parts.append(f'<path d="{outlines[code]}" fill="none" stroke="#8a9bb0"/>')
    for code, (x, y) in centres.items():
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="middle" '
                     f'fill="#334">{code}</text>')  # fmt: skip
    labels: list[str] = []
    for (source, target), patients in sorted(flows.items(), key=lambda kv: -kv[1]):
        a = centres.get(source)
        b = centres.get(target) or (ABROAD_POINT if target.startswith("DE") else None)
        if a is None or b is None:
            continue
        width = 1.5 + 6.0 * patients / top
        parts.append(
            f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
            f'stroke="#b33" stroke-opacity="0.75" stroke-width="{width:.1f}" '
            f'marker-end="url(#arrow)" data-flow="{source}-{target}" data-value="{patients}">'
            f"<title>{escape(_flow_text(source, target, patients))}</title></line>"
        )
        mx, my = a[0] + (b[0] - a[0]) * 0.55, a[1] + (b[1] - a[1]) * 0.55
        labels.append(
            f'<g class="flow-label" data-flow-label="{source}-{target}">'
            f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="9" fill="#fff" stroke="#b33"/>'
            f'<text x="{mx:.1f}" y="{my + 3.5:.1f}" font-size="10" font-weight="700" '
            f'text-anchor="middle" fill="#7a1f1f">{patients}</text></g>'
        )
    if any(t.startswith("DE") for _, t in flows):
        x, y = ABROAD_POINT
        parts.append(f'<text x="{x:.1f}" y="{y + 14:.1f}" font-size="10" '
                     f'text-anchor="end">{escape(_("Germany"))}</text>')  # fmt: skip
    parts.extend(labels)
    parts.append("</svg>")
    return "".join(parts)


def _supply_chart(offers: list[store.BedOffer], wanted: list[store.StoredTransfer],
                  days: list[date], plan: list[dict[str, Any]]) -> str:  # fmt: skip
    """Beds offered against patients requested per day (cancelled requests left out),
    and what the plan shown on the map would move (day 0 = the as-of day)."""
    offered = [float(sum(o.beds_offered for o in offers if o.day == d)) for d in days]
    asked = [
        float(sum(t.patients for t in wanted if t.day == d and t.state != "cancelled"))
        for d in days
    ]
    planned = [
        float(sum(int(row["patients"]) for row in plan if int(row["day"]) == n))
        for n in range(len(days))
    ]
    return line_chart(
        [Series(_("beds offered"), offered, colour="#0072b2"),
         Series(_("patients in the plan"), planned, colour="#7b3294", dashed=True),
         Series(_("patients requested"), asked, colour="#d55e00")],
        title=_("Transfer beds per day"),
        y_label=_("beds / patients"),
        x_dates=days,
        height=220,
    )  # fmt: skip


def _moves(principal: Principal | None, item: store.StoredTransfer) -> list[dict[str, str]]:
    """The buttons this person may press for this transfer now."""
    if principal is None:
        return []
    nexts = sorted(TRANSITIONS[TransferState(item.state)])
    return [
        {"to": s.value, "label": _(BUTTONS[s.value])}
        for s in nexts
        if can_move_transfer(
            principal, to_state=s.value, from_area=item.from_area, to_area=item.to_area
        )
    ]


@router.get("/spreading", response_class=HTMLResponse)
def spreading_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    message: str = "",
) -> HTMLResponse:
    as_of, carry, error = read_as_of(request)
    today = as_of.date()
    days = [today + timedelta(days=n) for n in range(HORIZON_DAYS)]
    with engine.connect() as conn:
        regions = load_regions(conn)
        result, source, stored_id = _plan_for(conn, as_of=as_of, settings=settings)
        offers = store.list_offers(conn, start=days[0], end=days[-1])
        wanted = [t for t in store.list_transfers(conn) if days[0] <= t.day <= days[-1]]
        rows = _transfer_rows(conn, principal, today)
        freshness = last_report_at(conn, as_of=as_of)
    offer_regions = [
        r.code for r in regions if principal and can_offer_beds(principal, region_code=r.code)
    ]
    stale = freshness is None or as_of - freshness > settings.stale_after
    return render(
        request,
        "spreading.html",
        principal,
        as_of=as_of,
        carry=carry,
        error=error or result.get("error"),
        message=message,
        source=source,
        result=result,
        map_svg=_flow_map(settings, regions, result.get("plan", [])),
        chart=_supply_chart(offers, wanted, days, result.get("plan", [])),
        transfers=rows,
        offers=[{**dataclasses.asdict(o), "beds_free": o.beds_free,
                 "withdrawable": bool(principal) and o.beds_free > 0
                 and can_offer_beds(principal, region_code=o.region_code)}  # type: ignore[arg-type]
                for o in offers],  # fmt: skip
        offer_regions=offer_regions,
        today=today.isoformat(),
        can_plan=principal is not None and can_plan_spreading(principal),
        stored_id=stored_id,
        data_fresh_at=freshness,
        stale=stale,
    )


def _transfer_rows(conn: Any, principal: Principal | None, day: date) -> list[dict[str, Any]]:
    """Today's transfers with the buttons this person may press and the offers that fit."""
    offers = store.list_offers(conn, day=day)
    return [
        {**t.as_dict(), "moves": _moves(principal, t),
         "offers": [o for o in offers if (o.region_code, o.day, o.care_level)
                    == (t.to_area, t.day, t.care_level) and o.beds_free >= t.patients]}
        for t in store.list_transfers(conn, day=day)
    ]  # fmt: skip


@router.get("/fragments/transfers", response_class=HTMLResponse)
def transfers_fragment(
    request: Request, engine: EngineDep, principal: OptionalPrincipalDep
) -> HTMLResponse:
    """The transfer table alone: the page polls it (htmx), so states change without a reload."""
    as_of, carry, _error = read_as_of(request)
    with engine.connect() as conn:
        rows = _transfer_rows(conn, principal, as_of.date())
    return render(request, "_transfers.html", principal, as_of=as_of, carry=carry,
                  transfers=rows, today=as_of.date().isoformat())  # fmt: skip


def _refused(request: Request, principal: Principal | None, status: int, text: str) -> Response:
    return render(request, "error.html", principal, status_code=status,
                  title=_("Not done"), message=text)  # fmt: skip


@router.post("/spreading/transfers/{transfer_id}/advance", response_class=HTMLResponse)
def advance_form(
    request: Request,
    transfer_id: BigId,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    to_state: Annotated[str, Form()] = "",
    offer_id: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """One button press; a lost race says so instead of overwriting the winner."""
    if principal is None:
        return render(request, "login.html", None, status_code=401, next="/spreading",
                      error=_("Log in as a coordinator to move a transfer."))  # fmt: skip
    if not form_ok(request, settings, csrf):
        return _refused(request, principal, 403, _("This form did not come from your session. "
                        "Reload the page and try again."))  # fmt: skip
    if len(note) > 2000:
        return _refused(request, principal, 422, _("Keep the note under 2,000 characters."))
    try:
        item = advance(
            engine, principal, transfer_id, to_state=to_state, now=utc_now(), note=note,
            offer_id=int(offer_id) if offer_id.isdigit() else None,
            version=int(version) if version.isdigit() else None,
        )  # fmt: skip
    except TransferRefused as refused:
        return _refused(request, principal, refused.status, say(refused.message))
    except ValueError as error:
        return _refused(request, principal, 422, say(error))
    as_of = request.query_params.get("as_of", "")
    query = f"?as_of={as_of}&" if as_of else "?"
    state = transfer_state_label(item.state)
    text = _("Transfer %(id)s is now: %(state)s.", id=item.id, state=state)
    return RedirectResponse(f"/spreading{query}message={quote(text)}", status_code=303)


@router.post("/spreading/offers", response_class=HTMLResponse)
def offer_form(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    region_code: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    care_level: Annotated[str, Form()] = "ic",
    beds: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A receiving region offers beds for one day (audited by the store)."""
    if principal is None:
        return _refused(request, principal, 401, _("Log in as a coordinator to offer beds."))
    if not form_ok(request, settings, csrf):
        return _refused(request, principal, 403, _("Log in again and reload the page."))
    if not can_offer_beds(principal, region_code=region_code):
        return _refused(
            request, principal, 403, _("You may not offer beds for %(region)s.", region=region_code)
        )
    try:
        when, count = date.fromisoformat(day), int(beds)
    except ValueError:
        return _refused(request, principal, 422, _("Give a date and a whole number of beds."))
    if not 1 <= count <= 500 or care_level not in ("ic", "ward"):
        return _refused(request, principal, 422, _("Offer between 1 and 500 beds, IC or ward."))
    if day_problem(when):
        return _refused(request, principal, 422, _("The day must lie between 2020 and 2100."))
    with engine.begin() as conn:
        if region_code not in {r.code for r in load_regions(conn)}:
            return _refused(request, principal, 422, _(
                "There is no ROAZ region '%(code)s'; choose one from the list.",
                code=region_code[:20]))  # fmt: skip
        store.create_offer(conn, region_code=region_code, day=when, care_level=care_level,
                           beds=count, actor=principal.username, now=utc_now())  # fmt: skip
    text = ngettext("%(num)s bed offered.", "%(num)s beds offered.", count)
    return RedirectResponse(f"/spreading?as_of={day}&message={quote(text)}", status_code=303)
