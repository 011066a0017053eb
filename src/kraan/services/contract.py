"""The stable JSON contract of ``kraan status`` and ``GET /api/v1/status``.

Other tools rely on these keys: add keys if needed, never rename or remove.
See docs/status-contract.md.
"""

from __future__ import annotations

from typing import Any

from kraan.domain.model import CareLevel
from kraan.domain.monitor import AreaSnapshot, LevelTotals
from kraan.domain.phases import ChainContext
from kraan.domain.requests.chain_reports import complete
from kraan.services.overview import Overview


def _level(totals: LevelTotals, *, abroad: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "covid": totals.covid,
        "ontlabeld": totals.ontlabeld,
        "non_covid": totals.non_covid,
        "staffed": totals.staffed,
        "admissions_24h": totals.admissions_24h,
        "occupancy": round(totals.occupancy, 4) if totals.occupancy is not None else None,
    }
    if abroad is not None:
        out["abroad"] = abroad
    return out


def _area_levels(area: AreaSnapshot, abroad: int | None = None) -> dict[str, Any]:
    return {
        "ic": _level(area.level(CareLevel.IC), abroad=abroad),
        # abroad is counted for IC only (LCPS IC_bezetting_covid_internationaal): null, not 0
        "ward": {
            **_level(area.level(CareLevel.WARD)),
            **({"abroad": None} if abroad is not None else {}),
        },
        "elv_vvt": _level(area.level(CareLevel.ELV_VVT)),
    }


def context_item(item: ChainContext) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": item.kind, "text": item.text}
    if item.occupancy is not None:
        out["occupancy"] = round(item.occupancy, 4)
    else:
        out.update(reporters=item.reporters, under_pressure=item.under_pressure,
                   no_new_patients=item.no_new_patients)  # fmt: skip
    return out


def status_document(overview: Overview) -> dict[str, Any]:
    snapshot = overview.snapshot
    national = snapshot.national
    synthetic_regions = {loc.region_code for _, loc in overview.locations if loc.synthetic}
    chain_regions = overview.chain.get("regions", {})
    empty_chain = complete({})
    regions = []
    for area in snapshot.regions:
        view = overview.statuses[area.code]
        regions.append(
            {
                "code": area.code,
                "name": area.name,
                "status": view.effective.value,
                "computed_status": view.computed.status.value,
                "declared": (
                    {
                        "status": view.declared.status,
                        "reason": view.declared.reason,
                        "by": view.declared.declared_by,
                        "at": view.declared.declared_at.isoformat(),
                    }
                    if view.declared
                    else None
                ),
                "explanation": list(view.computed.explanation),
                **_area_levels(area),
                "coverage": round(area.coverage, 4) if area.coverage is not None else None,
                "reporting": area.reporting,
                "expected": area.expected,
                "stale": sorted(area.stale),
                "imputed": area.imputed,
                "provenance": sorted(p.value for p in area.provenance),
                "synthetic_locations": area.code in synthetic_regions,
                "staff_absence_pct": (
                    round(area.staff_absence_pct, 2) if area.staff_absence_pct is not None else None
                ),
                "chain": chain_regions.get(area.code, empty_chain),
            }
        )
    playbook = overview.playbook
    return {
        "as_of": overview.as_of.isoformat(),
        "national": {
            "phase": overview.phase.phase.value,
            "phase_explanation": overview.phase.explanation,
            "phase_context": [context_item(c) for c in overview.phase.context],
            "chain": overview.chain.get("national", empty_chain),
            **_area_levels(national, abroad=snapshot.abroad_ic),
            "coverage": round(national.coverage, 4) if national.coverage is not None else None,
            "stale": len(national.stale),
            "imputed": national.imputed,
            "provenance": sorted(p.value for p in national.provenance),
            "synthetic_locations": bool(synthetic_regions),
            "playbook": (
                {
                    "governance": playbook.governance,
                    "financing": playbook.financing,
                    "definition": playbook.definition,
                    "modules": [
                        {"code": m.code, "name": m.name, "mandatory": m.mandatory}
                        for m in playbook.modules
                    ],
                }
                if playbook
                else None
            ),
        },
        "regions": regions,
        "criteria_version": overview.criteria_version,
    }
