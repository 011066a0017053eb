"""The simulation's parameters as frozen plain data, built from the versioned defaults.

The defaults live in ``kraan/data/simulation_defaults.json`` (every value with its
source); the services read that file and hand the parsed mapping to
:func:`params_from_mapping`. A scenario may override single values
(:func:`with_overrides`), so two runs differ only where their scenario files differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

PHASES: tuple[str, ...] = ("1A", "1B", "2A", "2B", "2C", "2D", "3")


def phase_index(phase: str) -> int:
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; use one of {', '.join(PHASES)}")
    return PHASES.index(phase)


@dataclass(frozen=True, slots=True)
class Stay:
    """A discretised Weibull length of stay; ``scale`` multiplies the arrivals (fit only)."""

    mean_days: float
    shape: float
    scale: float = 1.0


@dataclass(frozen=True, slots=True)
class Quadrant:
    """A synthetic wave shaped by the variant quadrant (seed 001 ch. 2)."""

    name: str
    label: str
    growth: float  # early daily growth rate of admissions
    peak_ward_admissions: float  # national ward admissions per day at the peak
    ic_share: float  # direct IC admissions per ward admission
    los_factor: float  # multiplies every hospital stay


@dataclass(frozen=True, slots=True)
class ModuleSpec:
    """A module's defaults: label, the phase at which it switches on, its parameters."""

    key: str
    label: str
    phase: str
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SimParams:
    version: str
    max_stay: int
    stays: Mapping[str, Stay]
    los_cv: float
    arrival_cv: float
    ward_to_ic: float
    ic_to_ward: float
    elv_share: float
    hm_eligible: float
    hm_readmission: float
    ic_beds: float
    ic_scale_up: tuple[tuple[str, float], ...]
    scale_up_ramp: int
    ward_beds: float
    ward_covid_beds: float
    elv_beds: float
    ic_non_covid: float
    ward_non_covid: float
    planned_shares: Mapping[str, float]
    protect_u3_until: str
    phase_thresholds: Mapping[str, float]
    quadrants: Mapping[str, Quadrant]
    peak_day: int
    peak_cv: float
    modules: Mapping[str, ModuleSpec] = field(default_factory=dict)


def _v(block: Mapping[str, Any], key: str) -> Any:
    return block[key]["value"]


def params_from_mapping(data: Mapping[str, Any]) -> SimParams:
    """Build :class:`SimParams` from the parsed defaults file (see module doc)."""
    los = data["los"]
    stays = {
        name: Stay(float(v["mean_days"]), float(v["shape"]), float(v.get("scale", 1.0)))
        for name, v in los.items()
    }
    flow, cap, planned = data["flow"], data["capacity"], data["planned_care"]
    quadrants = {
        name: Quadrant(
            name=name,
            label=q["label"],
            growth=float(q["growth"]),
            peak_ward_admissions=float(q["peak_ward_admissions"]),
            ic_share=float(q["ic_share"]),
            los_factor=float(q["los_factor"]),
        )
        for name, q in data["quadrants"].items()
    }
    modules = {
        key: ModuleSpec(
            key=key,
            label=m["label"],
            phase=m["phase"],
            params={name: p["value"] for name, p in m["params"].items()},
        )
        for key, m in data["modules"].items()
    }
    return SimParams(
        version=str(data["version"]),
        max_stay=int(data["horizon_max_stay_days"]),
        stays=stays,
        los_cv=float(_v(data["member_spread"], "los_cv")),
        arrival_cv=float(_v(data["member_spread"], "arrival_cv")),
        ward_to_ic=float(_v(flow, "ward_to_ic_share")),
        ic_to_ward=float(_v(flow, "ic_to_ward_share")),
        elv_share=float(_v(flow, "elv_share")),
        hm_eligible=float(_v(flow, "home_monitoring_eligible_share")),
        hm_readmission=float(_v(flow, "home_monitoring_readmission")),
        ic_beds=float(_v(cap, "ic_beds")),
        ic_scale_up=tuple((str(p), float(b)) for p, b in _v(cap, "ic_scale_up_path")),
        scale_up_ramp=int(_v(cap, "scale_up_ramp_days")),
        ward_beds=float(_v(cap, "ward_beds")),
        ward_covid_beds=float(_v(cap, "ward_covid_beds")),
        elv_beds=float(_v(cap, "elv_beds")),
        ic_non_covid=float(_v(planned, "ic_non_covid")),
        ward_non_covid=float(_v(planned, "ward_non_covid")),
        planned_shares={k: float(v) for k, v in _v(planned, "shares").items()},
        protect_u3_until=str(_v(planned, "protect_u3_until_phase")),
        phase_thresholds={
            k: float(v) for k, v in _v(data["phases"], "ic_covid_share_of_beds").items()
        },
        quadrants=quadrants,
        peak_day=int(_v(data["wave"], "peak_day")),
        peak_cv=float(_v(data["wave"], "peak_cv")),
        modules=modules,
    )


def with_overrides(params: SimParams, overrides: Mapping[str, Any]) -> SimParams:
    """A copy with top-level fields replaced (e.g. ``{"elv_beds": 2000, "los_cv": 0}``)."""
    unknown = set(overrides) - set(SimParams.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown simulation parameters: {', '.join(sorted(unknown))}")
    return replace(params, **dict(overrides))
