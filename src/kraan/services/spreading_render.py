"""Spreading results -> the output contract (docs/spreading.md), and solving a document.

``{"plan": [...], "before": {...}, "after": {...}, "solve_seconds": ...}`` plus each
area's fair share now, as forecast and after the plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, fields
from typing import Any

from kraan.domain.spreading.fairshare import fair_share, summarise
from kraan.domain.spreading.model import Area, FloatArray, Plan, SpreadSettings, Transfer
from kraan.domain.spreading.solve import solve_plan
from kraan.services.spreading_parse import parse_document

#: A request thread must not solve for minutes; longer runs belong to ``kraan spread``.
MAX_TIME_LIMIT_SECONDS = 20.0


def _summary(
    areas: Sequence[Area], occupancy: FloatArray, settings: SpreadSettings
) -> dict[str, float]:
    s = summarise(areas, occupancy, settings.basis)
    return {
        "max_load": round(s.max_load, 4),
        "min_load": round(s.min_load, 4),
        "overflow": round(s.overflow, 2),
        "max_deviation": round(s.max_deviation, 4),
    }


def plan_document(areas: Sequence[Area], settings: SpreadSettings, plan: Plan) -> dict[str, Any]:
    """The output contract, plus each area's fair share now, as forecast and after."""
    before = fair_share(areas, plan.occupancy_before, settings.basis)
    after = fair_share(areas, plan.occupancy_after, settings.basis)
    rows = []
    for i, area in enumerate(areas):
        if area.is_last_resort:
            continue
        rows.append(
            {
                "code": area.code,
                "load_now": round(float(before.load[i, 0]), 4),
                "fair_share_now": round(float(before.target[i, 0]), 2),
                "deviation_now": round(float(before.deviation[i, 0]), 2),
                "deviation_forecast": [round(float(v), 2) for v in before.deviation[i]],
                "deviation_after": [round(float(v), 2) for v in after.deviation[i]],
            }
        )
    return {
        "plan": [
            {
                "day": t.day,
                "from": t.source,
                "to": t.target,
                "patients": t.patients,
                "patient_class": t.patient_class,
            }
            for t in plan.transfers
        ],  # fmt: skip
        "before": _summary(areas, plan.occupancy_before, settings),
        "after": _summary(areas, plan.occupancy_after, settings),
        "solve_seconds": round(plan.solve_seconds, 4),
        "status": plan.status,
        "method": settings.method_for(len(areas)),
        "objective": None if math.isnan(plan.objective) else round(plan.objective, 3),
        "patients_moved": plan.patients_moved,
        "patient_km": round(plan.patient_km, 1),
        "areas": rows,
    }


def plan_transfers(result: Mapping[str, Any]) -> tuple[Transfer, ...]:
    """The transfers of a plan document's ``plan`` rows (the inverse of ``plan_document``)."""
    return tuple(
        Transfer(int(row["day"]), str(row["from"]), str(row["to"]), int(row["patients"]),
                 str(row.get("patient_class", "ic")))
        for row in result.get("plan", [])
    )  # fmt: skip


def solve_document(document: Any) -> dict[str, Any]:
    """Parse, solve and render: the whole ``kraan spread --input`` in one call."""
    areas, settings = parse_document(document)
    plan = solve_plan(areas, settings)
    return plan_document(areas, settings, plan)


def capped_document(document: dict[str, Any]) -> dict[str, Any]:
    """The solver's time limit, capped server-side (a bad value is left for the parser)."""
    settings = document.get("settings")
    settings = dict(settings) if isinstance(settings, dict) else {}
    asked = settings.get("time_limit_seconds", MAX_TIME_LIMIT_SECONDS)
    if isinstance(asked, int | float) and not isinstance(asked, bool) and math.isfinite(asked):
        settings["time_limit_seconds"] = min(float(asked), MAX_TIME_LIMIT_SECONDS)
    return {**document, "settings": settings}


def area_document(area: Area) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": area.code, "capacity": area.capacity, "covid_occupied": area.covid_occupied,
        "non_covid_occupied": area.non_covid_occupied, "lat": area.lat, "lon": area.lon,
    }  # fmt: skip
    defaults = {f.name: f.default for f in fields(Area) if f.default is not MISSING}
    for name in ("population", "acute_inflow", "is_last_resort", "cost_weight", "group"):
        if getattr(area, name) != defaults.get(name):
            out[name] = getattr(area, name)
    if area.forecast:
        out["forecast"] = list(area.forecast)
    if area.forecast_quantiles:
        out["forecast_quantiles"] = {f"{q:g}": list(v) for q, v in area.forecast_quantiles.items()}
    return out
