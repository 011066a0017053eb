"""Dashboard pages (overview, region, glossary): server-rendered HTML over the same
overview the API serves.

Every figure on a page comes from :func:`kraan.services.contract.status_document`,
the dict ``GET /api/v1/status`` returns, so what a coordinator reads on screen and
what a tool reads from the API cannot drift apart. Reading is public; writing
(declaring a regional status) needs a session and a per-session form token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kraan.api.deps import EngineDep, OptionalPrincipalDep, SettingsDep
from kraan.domain.access import Principal, can_declare_status
from kraan.domain.model import CareLevel, LevelStatus
from kraan.domain.phases import RegionStatus
from kraan.services.live_forecast import IC_MAX_BEDS, IC_SCALE_UP_BEDS
from kraan.services.overview import Overview, criteria_for
from kraan.services.status_cache import overview_for
from kraan.settings import Settings
from kraan.store.db import Connection
from kraan.store.reports import latest_reports, report_range
from kraan.store.series import daily_totals
from kraan.web.common import DECLARABLE, map_geometry, query, read_as_of, render
from kraan.web.geo import region_groups, region_map_svg
from kraan.web.i18n import fmt_date, fmt_datetime, local
from kraan.web.i18n import gettext as _
from kraan.web.labels import status_label
from kraan.web.svg import HLine, Series, fmt_number, line_chart

router = APIRouter(include_in_schema=False)

RANGES = (30, 90, 180, 365)


# ---- data for the pages ------------------------------------------------------------------


def _data_notice(
    first: datetime, last: datetime, as_of: datetime, settings: Settings
) -> dict[str, str] | None:
    """Tell the coordinator when the picture is empty or old, and offer the newest day."""
    if as_of < first:
        text = _(
            "No reports on or before %(day)s; reports run from %(first)s",
            day=fmt_date(local(as_of).date()),
            first=fmt_date(local(first).date()),
        )
    elif as_of - last > settings.stale_after:
        text = _(
            "The newest report is from %(moment)s: every figure below is stale",
            moment=fmt_datetime(last),
        )
    else:
        return None
    day = local(last).date()
    return {"text": text, "href": query(as_of=day.isoformat()), "day": fmt_date(day)}


def _trend(conn: Connection, *, as_of: datetime, days: int, region: str | None) -> dict[str, Any]:
    """Daily IC and ward lines to as_of; days without any report are gaps, not zeros."""
    end = as_of.date()
    totals = daily_totals(conn, start=end - timedelta(days=days - 1), end=end, until=as_of)
    pick: Callable[[CareLevel, str], npt.NDArray[np.int64]] | None
    if region is None:
        pick, reporting = totals.national, totals.reporting.sum(axis=0)
    elif region in totals.region_codes:
        row = totals.region_codes.index(region)
        reporting = totals.reporting[row]

        def pick(level: CareLevel, field: str) -> npt.NDArray[np.int64]:
            return totals.get(level, field)[row]
    else:  # a region without locations: nothing to draw
        pick, reporting = None, np.zeros(len(totals.days), dtype=np.int64)

    def line(level: CareLevel, *fields: str) -> list[float | None]:
        if pick is None:
            return [None] * len(totals.days)
        values = sum(pick(level, f) for f in fields)
        return [int(v) if r > 0 else None for v, r in zip(values, reporting, strict=True)]

    charts: dict[str, str] = {}
    titles = (
        (CareLevel.IC, _("Intensive care (IC)")),
        (CareLevel.WARD, _("Nursing ward (kliniek)")),
    )
    for level, title in titles:
        hlines = (
            [
                HLine(IC_SCALE_UP_BEDS, _("%(n)s plan", n=fmt_number(IC_SCALE_UP_BEDS))),
                HLine(IC_MAX_BEDS, _("%(n)s max", n=fmt_number(IC_MAX_BEDS))),
            ]
            if level is CareLevel.IC and region is None
            else []
        )
        charts[level.value] = line_chart(
            [
                Series(_("COVID"), line(level, "covid"), colour="#d55e00", fill=True),
                Series(
                    _("All occupied"),
                    line(level, "covid", "ontlabeld", "non_covid"),
                    colour="#0072b2",
                ),
                Series(_("Staffed beds"), line(level, "staffed"), colour="#1f2933", dashed=True),
            ],
            width=600,
            height=270,
            title=title,
            y_label=_("beds"),
            x_dates=totals.days,
            marker_date=end,
            hlines=hlines,
        )
    return {"charts": charts, "days": days, "ranges": RANGES, "region": region or ""}


def _map(settings: Settings, overview: Overview, doc: dict[str, Any], carry: str) -> str | None:
    groups = region_groups(overview.regions)
    path = settings.raw_data_dir / "geo" / "geography-simplified.topo.json"
    try:
        paths, outlines = map_geometry(path, groups)
    except (OSError, ValueError, KeyError):
        return None  # no geography bundled: the table still says everything
    statuses = {r["code"]: r["status"] for r in doc["regions"]}
    return region_map_svg(
        paths,
        statuses=statuses,
        labels={r["code"]: r["name"] for r in doc["regions"]},
        links={code: f"/regions/{code}{query(as_of=carry)}" for code in paths},
        outlines=outlines,
        status_labels={s.value: status_label(s) for s in RegionStatus},
        title=_("Regional status (ROAZ regions)"),
    )


def _region_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Worst regions first: that is where the coordinator looks at 07:00."""
    return sorted(
        doc["regions"],
        key=lambda r: (-RegionStatus(r["status"]).rank, -(r["ic"]["occupancy"] or 0)),
    )


# ---- pages -------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def overview_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    days: int = 180,
) -> HTMLResponse:
    as_of, carry, error = read_as_of(request)
    days = min(max(days, 14), 730)
    with engine.connect() as conn:
        first, last = report_range(conn)
        if first is None or last is None:
            return render(request, "empty.html", principal, as_of=as_of, carry=carry)
        overview, doc = overview_for(
            request.app.state.status_cache, conn, as_of=as_of, settings=settings
        )
        trend = _trend(conn, as_of=as_of, days=days, region=None)
    return render(
        request,
        "overview.html",
        principal,
        as_of=as_of,
        carry=carry,
        error=error,
        notice=_data_notice(first, last, as_of, settings),
        doc=doc,
        national=doc["national"],
        rows=_region_rows(doc),
        map_svg=_map(settings, overview, doc, carry),
        roaz_note=_(
            "ROAZ regions by municipality, from RIVM's table (corrections stated in the data)."
        ),
        trend=trend,
        synthetic=sum(1 for _, loc in overview.locations if loc.synthetic),
        status_counts={s.value: n for s, n in overview.phase.counts.items() if n},
    )


@router.get("/fragments/trend", response_class=HTMLResponse)
def trend_fragment(
    request: Request,
    engine: EngineDep,
    principal: OptionalPrincipalDep,
    days: int = 180,
    region: str = "",
) -> HTMLResponse:
    """The chart pair alone, for the htmx range switch."""
    as_of, carry, _ = read_as_of(request)
    with engine.connect() as conn:
        trend = _trend(conn, as_of=as_of, days=min(max(days, 14), 730), region=region or None)
    return render(request, "_trend.html", principal, as_of=as_of, carry=carry, trend=trend)


def _locations(
    conn: Connection, overview: Overview, code: str, settings: Settings
) -> list[dict[str, Any]]:
    """Latest report per location of the region, with stale and synthetic markers."""
    mine = {i: loc for i, loc in overview.locations if loc.region_code == code}
    latest = latest_reports(
        conn, as_of=overview.as_of, location_ids={i: loc.code for i, loc in mine.items()}
    )
    rows = []
    for loc in sorted(mine.values(), key=lambda item: (item.kind.value, item.name)):
        report = latest.get(loc.code)
        levels = {lv.care_level.value: lv for lv in report.levels} if report else {}
        worst = [
            (lv.care_level.value, lv.status.value)
            for lv in levels.values()
            if lv.status in (LevelStatus.LIMITED, LevelStatus.NOT_AVAILABLE)
        ]
        rows.append(
            {
                "location": loc,
                "report": report,
                "levels": levels,
                "limited": worst,
                "stale": report is not None
                and overview.as_of - report.reported_at > settings.stale_after,
            }
        )
    return rows


def region_view(
    request: Request,
    engine: EngineDep,
    settings: Settings,
    principal: Principal | None,
    code: str,
    *,
    days: int = 180,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    as_of, carry, error = read_as_of(request)
    with engine.connect() as conn:
        overview, doc = overview_for(
            request.app.state.status_cache, conn, as_of=as_of, settings=settings
        )
        region = next((r for r in doc["regions"] if r["code"] == code), None)
        if region is None:
            return render(
                request,
                "error.html",
                principal,
                status_code=404,
                as_of=as_of,
                carry=carry,
                title=_("Unknown region"),
                message=_("There is no ROAZ region with code '%(code)s'.", code=code),
            )
        first, last = report_range(conn)
        locations = _locations(conn, overview, code, settings)
        trend = _trend(conn, as_of=as_of, days=min(max(days, 14), 730), region=code)
    view = overview.statuses[code]
    criteria = criteria_for(settings)
    indicators = [
        {
            "label": ind.label,
            "value": view.computed.indicators.get(ind.name),
            "thresholds": {s.value: ind.thresholds.get(s) for s in DECLARABLE[1:]},
            "crossed": {f.status.value for f in view.computed.findings if f.indicator == ind.name},
            "source": ind.source,
        }
        for ind in criteria.indicators
    ]
    return render(
        request,
        "region.html",
        principal,
        status_code=status_code,
        as_of=as_of,
        carry=carry,
        error=error,
        notice=_data_notice(first, last, as_of, settings) if first and last else None,
        region=region,
        indicators=indicators,
        held=view.computed.held_by_hysteresis,
        criteria_version=criteria.version,
        locations=locations,
        trend=trend,
        can_declare=principal is not None and can_declare_status(principal, region_code=code),
        declarable=[(s.value, s.label) for s in DECLARABLE],
        form=form or {},
        declared_now=request.query_params.get("declared") == "1",
        declared_later=request.query_params.get("declared") == "later",
    )


@router.get("/regions/{code}", response_class=HTMLResponse)
def region_page(
    request: Request,
    code: str,
    engine: EngineDep,
    settings: SettingsDep,
    principal: OptionalPrincipalDep,
    days: int = 180,
) -> Response:
    if code != code.upper():  # /regions/nazo: the same region, at its canonical address
        target = f"/regions/{code.upper()}"
        return RedirectResponse(target + (f"?{request.url.query}" if request.url.query else ""),
                                status_code=308)  # fmt: skip
    return region_view(request, engine, settings, principal, code, days=days)


@router.get("/glossary", response_class=HTMLResponse)
def glossary(request: Request, principal: OptionalPrincipalDep) -> HTMLResponse:
    as_of, carry, _ = read_as_of(request)
    return render(request, "glossary.html", principal, as_of=as_of, carry=carry)
