"""Forecast parts of the dashboard: capacity warnings, fan charts, the phase outlook.

They are htmx fragments (``hx-trigger="load"``): a cold forecast of every region costs a
few seconds, and the national picture must not wait for it. Every figure comes from the
same documents the API returns (:func:`forecast_document`, :func:`outlook_document`), so
screen and API cannot drift apart. ``/forecasting`` explains the method from the same
constants the code uses.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kraan.api.deps import EngineDep, OptionalPrincipalDep, SettingsDep
from kraan.domain.forecast import DEFAULT_PARAMS, QUANTILE_LEVELS
from kraan.domain.forecast.quantiles import INTERVALS, MEDIAN
from kraan.services import live_forecast as live
from kraan.services.live_forecast import ForecastError, ForecastSource, LiveForecast, engine_key
from kraan.services.outlook import ASSUMPTION, VARIANT_LABELS, build_outlook, outlook_document
from kraan.services.overview import build_overview, criteria_for
from kraan.store.reference import load_regions
from kraan.web.common import read_as_of, render, templates
from kraan.web.fan import fan_chart
from kraan.web.i18n import N_, fmt_date, fmt_decimal, fmt_percent
from kraan.web.i18n import gettext as _
from kraan.web.refusals import say
from kraan.web.svg import HLine

router = APIRouter(include_in_schema=False)


def _day(value: str | None) -> str:
    """ISO date -> 'ma 28 dec' / 'Mon 28 Dec', as the page head writes dates."""
    return fmt_date(value, "EEE d MMM")


def _chance(p: float | None) -> str:
    """A probability that never rounds a real chance to 0 % or 100 %."""
    if p is None:
        return "–"
    if 0 < p < 0.01:
        return "<" + fmt_percent(0.01)
    if 0.99 < p < 1:
        return ">" + fmt_percent(0.99)
    return fmt_percent(p)


templates.env.filters.update(day=_day, chance=_chance)

TITLES = {"ic": N_("Intensive care (IC)"), "ward": N_("Nursing ward (kliniek)")}
#: capacities that raise a warning; "staffed" (COVID alone filling every bed) is implied
WARN_KINDS = ("scale_up_plan", "covid_able")
SHORT = {
    "staffed": N_("all staffed beds"),
    "covid_able": N_("staffed − non-COVID"),
    "scale_up_plan": N_("plan"),
}


def _line_label(capacity: dict[str, Any]) -> str:
    """Short enough to sit on the chart: 'staffed − non-COVID: 1,021'."""
    return f"{_(SHORT[capacity['kind']])}: {fmt_decimal(capacity['beds'], 0)}"


def _known_region(request: Request, engine: Any) -> tuple[str | None, bool]:
    code = request.query_params.get("region") or None
    if code is None:
        return None, True
    with engine.connect() as conn:
        return code, code in {r.code for r in load_regions(conn)}


def _fan(item: LiveForecast, capacities: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The chart, and the names of capacities too far above the data to draw."""
    occ = item.forecast.result.occupancy
    lo90, hi90 = INTERVALS[0.9]
    lo50, hi50 = INTERVALS[0.5]
    top = max([v for v in item.history if v is not None] + [float(occ[:, hi90].max())])
    reliable = item.forecast.result.reliable
    if not reliable:  # the history only: no line that looks like a forecast
        top = max([v for v in item.history if v is not None] + [1.0])
    drawn = [c for c in capacities if c["kind"] != "staffed" and c["beds"] <= 2 * max(top, 1)]
    off = [_line_label(c) for c in capacities if c not in drawn]
    chart = fan_chart(
        history_dates=item.history_days,
        history=item.history,
        forecast_dates=item.forecast.target_dates if reliable else [],
        median=occ[:, MEDIAN] if reliable else [],
        intervals=[
            (_("90 %% interval"), occ[:, lo90], occ[:, hi90]),
            (_("50 %% interval"), occ[:, lo50], occ[:, hi50]),
        ]
        if reliable
        else [],
        title=_("%(level)s: COVID patients, forecast 14 days", level=_(TITLES[item.target]))
        if reliable
        else _("%(level)s: COVID patients (no reliable forecast)", level=_(TITLES[item.target])),
        hlines=[HLine(c["beds"], _line_label(c), label_left=True) for c in drawn],
    )
    return chart, off


def _level(
    source: ForecastSource, target: str, region: str | None, *, chart: bool = True
) -> dict[str, Any]:
    """One care level: the API document, its warnings, and (on request) the fan chart."""
    try:
        item = source.get(target, region)
    except ForecastError as error:
        return {"target": target, "title": _(TITLES[target]), "error": say(error)}
    doc = live.forecast_document(item, as_of=source.as_of)
    svg, off_chart = _fan(item, doc["capacities"]) if chart else ("", [])
    return {
        "target": target,
        "title": _(TITLES[target]),
        "doc": doc,
        # the same numbers as the API, on the figure (one forecast: page = API = CLI)
        "median": ",".join(f"{row['median']:g}" for row in doc["occupancy"]),
        "upper90": ",".join(f"{row['quantiles']['0.95']:g}" for row in doc["occupancy"]),
        "chart": svg,
        "off_chart": off_chart,
        "warnings": [c for c in doc["capacities"] if c["kind"] in WARN_KINDS and _warns(c)],
        "watch": [c for c in doc["capacities"] if c["kind"] in WARN_KINDS],
    }


def _warns(capacity: dict[str, Any]) -> bool:
    return bool(capacity["above_now"] or capacity["upper90_crossing_days"])


def _expected(capacity: dict[str, Any]) -> bool:
    """Over now, or the median crosses: more likely than not (red); else only possible."""
    return bool(capacity["above_now"] or capacity["median_crossing_days"])


def _regions_at_risk(source: ForecastSource, names: dict[str, str]) -> list[dict[str, Any]]:
    """Regions whose COVID IC patients may outgrow their staffed IC beds, most urgent first."""
    rows = []
    for code in source.regions():
        try:
            item = source.get("ic", code)
        except ForecastError:
            continue
        doc = live.forecast_document(item)
        room = next((c for c in doc["capacities"] if c["kind"] == "covid_able"), None)
        if room is not None and _warns(room):
            row = {"code": code, "name": names.get(code, code), "doc": doc, "room": room}
            rows.append({**row, "expected": _expected(room)})

    return sorted(rows, key=lambda row: _urgency(row["room"]))


def _urgency(capacity: dict[str, Any]) -> tuple[int, int, float]:
    """Over now first, then by median crossing, upper-bound crossing, chance on day 14."""
    return (
        0 if capacity["above_now"] else capacity["median_crossing_days"] or 99,
        capacity["upper90_crossing_days"] or 99,
        -capacity["exceed_probability"][-1],
    )


@router.get("/fragments/forecast", response_class=HTMLResponse)
def forecast_fragment(
    request: Request, engine: EngineDep, principal: OptionalPrincipalDep
) -> HTMLResponse:
    """Fan charts and capacity table of one area (national without ``region``)."""
    as_of, carry, _ = read_as_of(request)
    region, known = _known_region(request, engine)
    levels = []
    if known:
        with engine.connect() as conn:
            source = ForecastSource(conn, as_of=as_of, engine=engine_key(engine))
            levels = [_level(source, t, region) for t in ("ic", "ward")]
    return render(
        request,
        "_forecast.html",
        principal,
        as_of=as_of,
        carry=carry,
        region=region or "",
        levels=levels,
        known=known,
        method=DEFAULT_PARAMS,
    )


@router.get("/fragments/warnings", response_class=HTMLResponse)
def warnings_fragment(
    request: Request, engine: EngineDep, principal: OptionalPrincipalDep
) -> HTMLResponse:
    """Capacity crossings within 14 days; nationally also every region's IC."""
    as_of, carry, _ = read_as_of(request)
    region, known = _known_region(request, engine)
    levels: list[dict[str, Any]] = []
    regions: list[dict[str, Any]] = []
    if known:
        with engine.connect() as conn:
            source = ForecastSource(conn, as_of=as_of, engine=engine_key(engine))
            levels = [_level(source, t, region, chart=False) for t in ("ic", "ward")]
            if region is None and any("doc" in lv for lv in levels):
                names = {r.code: r.name for r in load_regions(conn)}
                regions = _regions_at_risk(source, names)
    items = sorted(
        ((lv, c) for lv in levels for c in lv.get("warnings", [])),
        key=lambda item: _urgency(item[1]),
    )
    expected = [r for r in regions if r["expected"]]
    return render(
        request,
        "_warnings.html",
        principal,
        as_of=as_of,
        carry=carry,
        region=region or "",
        levels=levels,
        items=items,
        expected_regions=expected,
        possible_regions=[r for r in regions if not r["expected"]],
        regions=regions,
        alert=bool(expected) or any(_expected(c) for _, c in items),
        known=known,
    )


@router.get("/fragments/outlook", response_class=HTMLResponse)
def outlook_fragment(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: OptionalPrincipalDep
) -> HTMLResponse:
    """The expected LNAZ phase in 7 and 14 days, with the regions that drive it."""
    as_of, carry, _ = read_as_of(request)
    with engine.connect() as conn:
        overview = build_overview(conn, as_of=as_of, settings=settings)
        source = ForecastSource(conn, as_of=as_of, engine=engine_key(engine))
        doc = outlook_document(build_outlook(source, overview, criteria_for(settings)))
    available = doc["data_through"] is not None
    return render(
        request,
        "_outlook.html",
        principal,
        as_of=as_of,
        carry=carry,
        outlook=doc,
        available=available,
        changes=_changes(doc) if available else [],
    )


def _changes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Regions whose expected status differs from today's; median changes first."""
    rows = []
    for r in doc["regions"]:
        expected = [r["expected"][h][v]["status"] for h in ("7", "14") for v in VARIANT_LABELS]
        if any(s != r["status"] for s in expected):
            median = expected[0] != r["status"] or expected[2] != r["status"]
            rows.append({**r, "median_changes": median})
    return sorted(rows, key=lambda row: not row["median_changes"])


@router.get("/forecasting", response_class=HTMLResponse)
def forecasting_help(request: Request, principal: OptionalPrincipalDep) -> HTMLResponse:
    """How to read the forecasts; the numbers come from the code's own constants."""
    as_of, carry, _ = read_as_of(request)
    return render(
        request,
        "forecasting.html",
        principal,
        as_of=as_of,
        carry=carry,
        params=DEFAULT_PARAMS,
        levels=[f"{q:g}" for q in QUANTILE_LEVELS],
        facts={
            "history_days": live.HISTORY_DAYS,
            "known_share": live.KNOWN_SHARE,
            "origin_lag": live.ORIGIN_LAG_DAYS,
            "ic_plan": live.IC_SCALE_UP_BEDS,
            "ward_plan": live.WARD_2B_COVID_BEDS,
        },
        assumption=ASSUMPTION,
        variants=VARIANT_LABELS,
    )
