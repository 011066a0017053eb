"""Help requests for the API, the pages and the CLI: views, aggregates, the briefing figures.

Everything takes an explicit ``as_of`` and replays the events up to it, so the requests
page of 28 Dec 2020 shows what stood on that day. Details (reasons, people) go only to
those the domain's access rules allow; aggregates are public.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from kraan.domain.access import Principal, can_read_request
from kraan.domain.model import Location
from kraan.domain.requests.ladder import (
    Deployment,
    HelpRequest,
    Rung,
    State,
    WorkerKind,
    is_stale,
)
from kraan.settings import Settings, get_settings
from kraan.store import help_requests as store
from kraan.store.reference import load_locations
from kraan.store.reports import latest_reports

RUNG_NAMES = {1: "region", 2: "national", 3: "Defence (MSOB)"}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def location_of(conn: Connection, code: str) -> Location | None:
    return next((loc for _, loc in load_locations(conn) if loc.code == code), None)


def capacity_link(conn: Connection, *, location_code: str, as_of: datetime) -> dict[str, Any]:
    """The location's latest capacity report at ``as_of``: its time and staff absence."""
    ids = {i: loc.code for i, loc in load_locations(conn) if loc.code == location_code}
    report = latest_reports(conn, as_of=as_of, location_ids=ids).get(location_code)
    if report is None:
        return {"capacity_ref": None, "absence_pct": None}
    return {
        "capacity_ref": report.reported_at.isoformat(),
        "absence_pct": report.staff_absence_pct,
    }


def deployed_by_kind(items: list[Deployment], *, as_of: datetime | None = None) -> dict[str, int]:
    """People per kind; with ``as_of`` only those on site at that moment."""
    out: Counter[str] = Counter()
    for d in items:
        if as_of is None or d.start <= as_of < d.end:
            out[d.kind] += d.count
    return dict(out)


def request_view(
    request_id: int,
    item: HelpRequest,
    *,
    as_of: datetime,
    stale_after: timedelta,
    deployments: list[Deployment],
    detail: bool,
) -> dict[str, Any]:
    """The request as JSON; without ``detail`` only the figures (no reasons, no people)."""
    view: dict[str, Any] = {
        "id": request_id,
        "location_code": item.location_code,
        "region_code": item.region_code,
        "safety_region_code": item.safety_region_code,
        "rung": int(item.rung),
        "rung_name": RUNG_NAMES[int(item.rung)],
        "state": item.state.value,
        "version": len(item.events),
        "workers": dict(item.workers),
        "period_start": item.period_start.isoformat(),
        "period_end": item.period_end.isoformat(),
        "created_at": item.created_at.isoformat(),
        "updated_at": _iso(item.updated_at),
        "state_since": _iso(item.state_since),
        "hours_in_state": round(item.time_in_state(as_of).total_seconds() / 3600, 1),
        "stale": is_stale(item, as_of=as_of, stale_after=stale_after),
        "deployed": deployed_by_kind(deployments),
        "answers": [
            {"rung": int(a.rung), "answer": a.answer.value, "provided": dict(a.provided),
             "asked": list(a.asked), "at": a.at.isoformat()}
            for a in item.answers
        ],  # fmt: skip
        "msob": {
            "signed": item.signature is not None,
            "intake": item.intake is not None,
            "fact_finding": item.fact_finding is not None,
            "votes": {v.party.value: v.approve for v in item.votes},
        },
    }
    if not detail:
        return view
    view.update(
        shifts=item.shifts,
        reason=item.reason,
        measures=item.measures,
        capacity_ref=item.capacity_ref,
        absence_pct=item.absence_pct,
        created_by=item.created_by,
        updated_by=item.updated_by,
        signature=None if item.signature is None else
        {"by": item.signature[0], "at": item.signature[1].isoformat()},
        intake=None if item.intake is None else
        {"by": item.intake[0], "at": item.intake[1].isoformat(), "note": item.intake[2]},
        fact_finding=None if item.fact_finding is None else
        {"by": item.fact_finding[0], "at": item.fact_finding[1].isoformat(),
         "report": item.fact_finding[2]},
        votes=[{"party": v.party.value, "approve": v.approve, "granted": dict(v.granted),
                "by": v.actor, "at": v.at.isoformat(), "note": v.note} for v in item.votes],
        deployments=[{"kind": d.kind, "count": d.count, "person_ref": d.person_ref,
                      "source": d.source, "start": d.start.isoformat(),
                      "end": d.end.isoformat()} for d in deployments],
        history=[{"step": e.step.value, "at": e.at.isoformat(), "actor": e.actor}
                 for e in item.events],
    )  # fmt: skip
    view["answers"] = [
        {**a, "by": item.answers[n].actor, "note": item.answers[n].note}
        for n, a in enumerate(view["answers"])
    ]
    return view


def request_views(
    conn: Connection,
    *,
    as_of: datetime,
    stale_after: timedelta,
    region: str | None = None,
    principal: Principal | None = None,
) -> list[dict[str, Any]]:
    """Every request at ``as_of``; details where ``principal`` may read them."""
    deployed: dict[int, list[Deployment]] = {}
    for _, request_id, d in store.deployments(conn, as_of=as_of):
        deployed.setdefault(request_id, []).append(d)
    out = []
    for request_id, item in store.requests_as_of(
        conn, as_of=as_of, stale_after=stale_after, region=region
    ):
        detail = can_read_request(
            principal, location_code=item.location_code, region_code=item.region_code,
            safety_region_code=item.safety_region_code,
        )  # fmt: skip
        out.append(
            request_view(request_id, item, as_of=as_of, stale_after=stale_after,
                         deployments=deployed.get(request_id, []), detail=detail)  # fmt: skip
        )
    return out


def summarise(views: list[dict[str, Any]], *, as_of: datetime) -> dict[str, Any]:
    """Open requests by rung and kind of worker, stale ones, MSOB pending, deployments."""
    open_views = [v for v in views if v["state"] not in (State.CLOSED, State.WITHDRAWN)]
    by_rung: dict[str, dict[str, int]] = {
        str(int(r)): {k.value: 0 for k in WorkerKind} for r in Rung
    }
    counts: Counter[str] = Counter()
    for v in open_views:
        counts[str(v["rung"])] += 1
        for kind, n in v["workers"].items():
            still = max(0, n - v["deployed"].get(kind, 0))
            by_rung[str(v["rung"])][kind] += still
    deployed: Counter[str] = Counter()
    for v in views:
        for kind, n in v["deployed"].items():
            deployed[kind] += n
    return {
        "as_of": as_of.isoformat(),
        "open": len(open_views),
        "open_by_rung": {str(int(r)): counts.get(str(int(r)), 0) for r in Rung},
        "people_wanted_by_rung": by_rung,
        "stale": sum(1 for v in open_views if v["stale"]),
        "msob_pending": sum(1 for v in open_views if v["rung"] == 3 and v["state"] != "answered"),
        "by_state": dict(Counter(v["state"] for v in views)),
        "deployed_people": dict(deployed),
    }


# ---- the weekly briefing ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BriefingSummary:
    """The figures the weekly briefing needs at ``as_of`` (all counts, no names)."""

    as_of: datetime
    open_requests_by_rung: dict[int, dict[str, int]]  # rung -> kind -> people still wanted
    open_request_count_by_rung: dict[int, int]
    stale_requests: int
    deployments_on_site: dict[str, int]  # kind -> people on site at as_of
    deployments_recorded: dict[str, int]  # kind -> people ever recorded up to as_of
    msob_pending: int  # rung-3 requests without the joint decision yet
    signals_open_by_classification: dict[str, int] = field(default_factory=dict)
    elv_by_region: dict[str, dict[str, int]] = field(default_factory=dict)
    medicines_below_norm: list[dict[str, Any]] = field(default_factory=list)
    ventilator_applications: dict[str, int] = field(default_factory=dict)
    #: kind (grz, care_hotel, district_nursing, gp_practice, gp_post) -> national figures
    chain_outside_hospital: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "open_requests_by_rung": {str(k): v for k, v in self.open_requests_by_rung.items()},
            "open_request_count_by_rung": {
                str(k): v for k, v in self.open_request_count_by_rung.items()
            },
            "stale_requests": self.stale_requests,
            "deployments_on_site": self.deployments_on_site,
            "deployments_recorded": self.deployments_recorded,
            "msob_pending": self.msob_pending,
            "signals_open_by_classification": self.signals_open_by_classification,
            "elv_by_region": self.elv_by_region,
            "medicines_below_norm": self.medicines_below_norm,
            "ventilator_applications": self.ventilator_applications,
            "chain_outside_hospital": self.chain_outside_hospital,
        }


def briefing_summary(
    conn_or_engine: Connection | Engine, as_of: datetime, *, settings: Settings | None = None
) -> BriefingSummary:
    """Read-only aggregates for the weekly briefing (issue 14); no names, no reasons.

    ``settings`` defaults to the application's (staleness, the CCV norm file).
    """
    settings = settings or get_settings()
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            return briefing_summary(conn, as_of, settings=settings)
    conn = conn_or_engine
    stale_after = settings.request_stale_after
    views = request_views(conn, as_of=as_of, stale_after=stale_after)
    summary = summarise(views, as_of=as_of)
    on_site: Counter[str] = Counter()
    for _, _, d in store.deployments(conn, as_of=as_of):
        if d.start <= as_of < d.end:
            on_site[d.kind] += d.count
    extra = _chain_figures(conn, as_of, settings)
    return BriefingSummary(
        as_of=as_of,
        open_requests_by_rung={int(k): v for k, v in summary["people_wanted_by_rung"].items()},
        open_request_count_by_rung={int(k): v for k, v in summary["open_by_rung"].items()},
        stale_requests=summary["stale"],
        deployments_on_site=dict(on_site),
        deployments_recorded=summary["deployed_people"],
        msob_pending=summary["msob_pending"],
        **extra,
    )


def _chain_figures(conn: Connection, as_of: datetime, settings: Settings) -> dict[str, Any]:
    """Signals, ELV orders and stockpiles (kraan.services.chain)."""
    from kraan.services import chain  # bound late: chain reads the monitor and forecasts

    return chain.briefing_figures(conn, as_of, settings)
