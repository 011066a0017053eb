"""Signals, ELV scale-up orders and the IC stockpiles for the API, pages and briefing.

Signals carry the region's ELV/VVT figures from the monitor at the same ``as_of``
(docs/requests.md, 5). Medicine coverage uses Kraan's own national IC forecast
(services.live_forecast: the median and the upper 90 % path of COVID IC occupancy),
held at its last day beyond the forecast horizon; without a forecast (too few reports)
the current COVID IC occupancy is held instead, and the view says so.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from kraan.domain.model import CareLevel
from kraan.domain.requests import chain_reports
from kraan.domain.requests.elv import status as order_status
from kraan.domain.requests.signals import Classification, Signal
from kraan.domain.requests.stock import (
    CcvNorm,
    Medicine,
    coverage_months,
    norm_stock,
    peak_month_use,
)
from kraan.settings import Settings
from kraan.store import chain_reports as chain_store
from kraan.store import signals as signal_store
from kraan.store import stock as stock_store


@lru_cache(maxsize=4)
def load_norm(path: Path) -> CcvNorm:
    return CcvNorm.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def elv_figures(conn: Connection, *, as_of: datetime, settings: Settings) -> dict[str, Any]:
    """Per region: ELV/VVT COVID patients, staffed beds and occupancy from the monitor."""
    from kraan.services.overview import take_snapshot

    snapshot = take_snapshot(conn, as_of=as_of, settings=settings)
    out = {}
    for area in snapshot.regions:
        level = area.level(CareLevel.ELV_VVT)
        out[area.code] = {"covid": level.covid + level.ontlabeld, "staffed": level.staffed,
                          "occupancy": level.occupancy}  # fmt: skip
    return out


def signal_view(signal_id: int, item: Signal, elv: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": signal_id, "region_code": item.region_code, "location_code": item.location_code,
        "sector": item.sector.value, "blocked": item.blocked, "since": item.since.isoformat(),
        "state": item.state.value, "version": len(item.events),
        "umbrella": item.umbrella.value if item.umbrella else None,
        "classification": item.classification.value if item.classification else None,
        "needs_action": item.needs_action, "action": item.action, "outcome": item.outcome,
        "filed_at": item.filed_at.isoformat(), "filed_by": item.filed_by,
        "updated_at": _iso(item.updated_at), "region_elv_vvt": elv,
    }  # fmt: skip


def signal_views(
    conn: Connection, *, as_of: datetime, settings: Settings, region: str | None = None
) -> list[dict[str, Any]]:
    items = signal_store.signals_as_of(conn, as_of=as_of, region=region)
    elv = elv_figures(conn, as_of=as_of, settings=settings) if items else {}
    return [signal_view(i, s, elv.get(s.region_code)) for i, s in items]


def order_views(
    conn: Connection, *, as_of: datetime, region: str | None = None
) -> list[dict[str, Any]]:
    out = []
    for order_id, order, reports in signal_store.orders_as_of(conn, as_of=as_of, region=region):
        s = order_status(order, reports, as_of=as_of)
        out.append({"id": order_id, "region_code": order.region_code, "beds": order.beds,
                    "ordered_at": order.ordered_at.isoformat(),
                    "deadline": order.deadline.isoformat(), "available": s.available,
                    "overdue": s.overdue, "due_in_hours": s.due_in_hours,
                    "reports": [{"location_code": r.location_code, "beds": r.beds,
                                 "reported_at": r.reported_at.isoformat()}
                                for r in reports]})  # fmt: skip
    return out


def elv_by_region(views: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for v in views:
        row = out.setdefault(v["region_code"], {"ordered": 0, "available": 0, "overdue": 0})
        row["ordered"] += v["beds"]
        row["available"] += v["available"]
        row["overdue"] += v["overdue"]
    return out


def ic_paths(
    conn: Connection, *, as_of: datetime, settings: Settings
) -> tuple[dict[str, list[float]], str]:
    """Daily national COVID IC occupancy ahead: {"median": [...], "upper90": [...]}."""
    from kraan.services.live_forecast import ForecastError, ForecastSource, engine_key

    source = ForecastSource(conn, as_of=as_of, engine=engine_key(conn.engine))
    try:
        live = source.get("ic")
    except ForecastError as error:
        from kraan.services.overview import take_snapshot

        level = take_snapshot(conn, as_of=as_of, settings=settings).national.level(
            CareLevel.IC
        )
        now = float(level.covid + level.ontlabeld)
        return {"median": [now], "upper90": [now]}, f"current occupancy held ({error})"
    occupancy = live.forecast.result.occupancy
    median = [float(v) for v in occupancy[:, 4]]
    upper = [float(v) for v in occupancy[:, 7]]
    return {"median": median, "upper90": upper}, f"Kraan IC forecast from {live.origin}"


#: Members per quadrant run: enough for a median path, about a second each (2 cores).
SCENARIO_MEMBERS = 40


@lru_cache(maxsize=8)
def scenario_ic_median(quadrant: str, raw_dir: str) -> tuple[float, ...]:
    """The simulation's median national COVID IC census for one quadrant wave (180 days)."""
    import numpy as np

    from kraan.domain.simulation.scenario import Scenario
    from kraan.services.simulation import run_scenario

    scenario = Scenario(name=quadrant, quadrant=quadrant, members=SCENARIO_MEMBERS, seed=14)
    summary, _ = run_scenario(scenario, Path(raw_dir))
    return tuple(float(v) for v in np.median(summary.ic, axis=0))


def scenario_coverage(medicines: list[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Months of cover per medicine if a quadrant wave of the simulation started today."""
    from kraan.services.simulation import load_params

    norm = load_norm(settings.ccv_norm_file)
    out: dict[str, Any] = {}
    for quadrant, spec in load_params().quadrants.items():
        path = scenario_ic_median(quadrant, str(settings.raw_data_dir))
        label = str(getattr(spec, "label", quadrant))
        out[quadrant] = {"label": label, "peak_ic": round(max(path), 1), "months": {
            m["code"]: coverage_months(
                Medicine(m["code"], m["name"], m["unit"], m["stock"], m["regular_per_month"],
                         m["per_ic_patient_day"]), list(path), norm)
            for m in medicines}}  # fmt: skip
    return out


def medicine_views(
    conn: Connection, *, as_of: datetime, settings: Settings
) -> tuple[list[dict[str, Any]], str]:
    medicines = stock_store.medicines_as_of(conn, as_of=as_of)
    if not medicines:
        return [], "no CCV figures recorded"
    norm = load_norm(settings.ccv_norm_file)
    paths, basis = ic_paths(conn, as_of=as_of, settings=settings)
    norm_months = norm.regular_months + norm.peak_months
    out = []
    for med in medicines:
        need = norm_stock(med, norm)
        out.append({
            "code": med.code, "name": med.name, "unit": med.unit, "stock": med.stock,
            "regular_per_month": med.regular_per_month,
            "per_ic_patient_day": med.per_ic_patient_day,
            "norm_stock": round(need, 1), "norm_months": norm_months,
            "peak_month_use": round(peak_month_use(med, norm), 1),
            "share_of_norm": round(med.stock / need, 3) if need else None,
            "below_norm": med.stock < need,
            "coverage_months": coverage_months(med, paths["median"], norm),
            "coverage_months_upper90": coverage_months(med, paths["upper90"], norm),
        })  # fmt: skip
    return out, basis


def chain_picture(
    conn: Connection, *, as_of: datetime, region: str | None = None
) -> dict[str, Any]:
    """GRZ, care-hotel, district-nursing and GP figures per region and nationally."""
    reports = chain_reports.latest(chain_store.reports_as_of(conn, as_of=as_of, region=region))
    regions = chain_reports.picture(reports)
    return {"as_of": as_of.isoformat(), "regions": regions,
            "national": chain_reports.national(regions)}  # fmt: skip


def briefing_figures(conn: Connection, as_of: datetime, settings: Settings) -> dict[str, Any]:
    """Open signals by classification, ELV per region, medicines below norm, ventilators."""
    signals = signal_store.signals_as_of(conn, as_of=as_of)
    open_signals = Counter(
        (s.classification.value if s.classification else "unclassified")
        for _, s in signals if s.is_open
    )  # fmt: skip
    for c in Classification:
        open_signals.setdefault(c.value, 0)
    medicines, _ = medicine_views(conn, as_of=as_of, settings=settings)
    applications = Counter(a["state"] for a in stock_store.applications_as_of(conn, as_of=as_of))
    return {
        "chain_outside_hospital": chain_picture(conn, as_of=as_of)["national"],
        "signals_open_by_classification": dict(open_signals),
        "elv_by_region": elv_by_region(order_views(conn, as_of=as_of)),
        "medicines_below_norm": [
            {"code": m["code"], "name": m["name"], "share_of_norm": m["share_of_norm"],
             "coverage_months": m["coverage_months"]}
            for m in medicines if m["below_norm"]
        ],  # fmt: skip
        "ventilator_applications": dict(applications),
    }
