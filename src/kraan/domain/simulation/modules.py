"""Modules as plugins (covasim's interventions): small objects switched on at a phase or date.

Each module keeps its cited parameters (defaults in ``simulation_defaults.json``) and
implements only the hooks it needs; the engine calls every hook with ``on`` (members
for which the module is active today, shape ``(M,)``) or ``days_on`` (days since it
switched on, -1 while off). Hooks:

* ``ward_routing``: changes how new ward patients are routed (modules 1, 4A);
* ``capacity``: extra beds per level ``"ic" | "ward" | "elv"`` (modules 5, A, 8, ELV);
* ``redistribute``: moves new admissions between regions (fair share, 4B);
* ``planned``: changes planned care demand or supply (modules 5, 6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from kraan.domain.forecast.quantiles import FloatArray
from kraan.domain.simulation.params import ModuleSpec, phase_index
from kraan.domain.spreading.fairshare import fair_share
from kraan.domain.spreading.model import Area, Basis


@dataclass
class Routing:
    """Per-member adjustments of the ward routing, shape ``(M,)`` each."""

    hm_enrolment: FloatArray  # share of eligible patients enrolled in home monitoring
    hm_saved_days: int
    ic_avoided: FloatArray  # share of ward-to-IC moves avoided
    hfno_extra_days: int


@dataclass
class Module:
    key: str
    label: str
    phase: str = "1A"
    start: date | None = None  # a date overrides the phase
    params: Mapping[str, Any] = field(default_factory=dict)

    def start_index(self, first_day: date) -> int | None:
        """Day index at which a date-triggered module switches on (None: by phase)."""
        return None if self.start is None else (self.start - first_day).days

    @property
    def phase_rank(self) -> int:
        return phase_index(self.phase)

    # --- hooks (no-ops by default) ---
    def ward_routing(self, routing: Routing, on: np.ndarray) -> None:
        return None

    def capacity(self, level: str, base: FloatArray, days_on: np.ndarray) -> FloatArray | None:
        return None

    def redistribute(
        self, level: str, arrivals: np.ndarray, census: np.ndarray, capacity: FloatArray,
        on: np.ndarray,
    ) -> np.ndarray | None:
        return None

    def planned(self, kind: str, on: np.ndarray) -> float:
        return 0.0


def _ramp(extra: float, ramp_days: int, days_on: np.ndarray) -> FloatArray:
    """Extra beds reached linearly over ``ramp_days`` from switch-on; 0 while off."""
    frac = np.clip((days_on + 1) / max(ramp_days, 1), 0.0, 1.0)
    return np.where(days_on >= 0, extra * frac, 0.0)


class HomeMonitoring(Module):
    """Module 1: eligible ward patients leave ``bed_days_saved`` days early to home monitoring."""

    def ward_routing(self, routing: Routing, on: np.ndarray) -> None:
        routing.hm_enrolment = np.where(on, float(self.params["enrolment_share"]),
                                        routing.hm_enrolment)
        routing.hm_saved_days = int(self.params["bed_days_saved"])


class HfnoWard(Module):
    """Module 4A: HFNO on the ward avoids part of the moves to IC, at extra ward days."""

    def ward_routing(self, routing: Routing, on: np.ndarray) -> None:
        routing.ic_avoided = np.where(on, float(self.params["ic_avoided_share"]),
                                      routing.ic_avoided)
        routing.hfno_extra_days = int(self.params["extra_ward_days"])


class BedsFromStandby(Module):
    """Extra beds on one level, ramped up from switch-on (modules 5 and ELV)."""

    level: str = "ic"
    beds_key: str = "ic_beds"

    def capacity(self, level: str, base: FloatArray, days_on: np.ndarray) -> FloatArray | None:
        if level != self.level:
            return None
        share = base / max(base.sum(), 1e-9)
        extra = _ramp(float(self.params[self.beds_key]), int(self.params["ramp_days"]), days_on)
        return extra[:, None] * share[None, :]


class Pacu(BedsFromStandby):
    """Module 5: temporary PACU IC beds; the surgery they served stops (U4)."""

    level = "ic"
    beds_key = "ic_beds"

    def planned(self, kind: str, on: np.ndarray) -> float:
        if kind == "U4_lost_per_pacu_bed_day":
            return float(self.params["planned_lost_per_bed_day"])
        return 0.0


class ExtraElv(BedsFromStandby):
    """National measure 1: extra ELV beds up within 72 h from standby (seed 002 item 3)."""

    level = "elv"
    beds_key = "extra_beds"


class Share(Module):
    """Modules 8 and A: a share more of the level's beds becomes usable."""

    level: str = "elv"
    key_share: str = "elv_gain_share"

    def capacity(self, level: str, base: FloatArray, days_on: np.ndarray) -> FloatArray | None:
        if level != self.level:
            return None
        gain = np.where(days_on >= 0, float(self.params[self.key_share]), 0.0)
        return gain[:, None] * base[None, :]


class VvtConcentration(Share):
    level = "elv"
    key_share = "elv_gain_share"


class IcConcentration(Share):
    level = "ic"
    key_share = "usable_gain_share"


class Zbc(Module):
    """Module 6: ZBCs take a share of the hospitals' U4/U5 ward care, up to their beds."""

    def planned(self, kind: str, on: np.ndarray) -> float:
        if kind == "zbc_share":
            return float(self.params["share_moved"])
        if kind == "zbc_beds":
            return float(self.params["zbc_beds"])
        return 0.0


def _move(arrivals: np.ndarray, excess: FloatArray, room: FloatArray, budget: float,
          on: np.ndarray) -> np.ndarray:
    """Move up to ``budget`` of today's arrivals from regions with excess to those with room.

    Vectorised over members ``(M, R)``; integer counts; senders and receivers pro rata.
    """
    send_cap = np.minimum(arrivals, np.floor(np.clip(excess, 0.0, None)))
    room = np.floor(np.clip(room, 0.0, None))
    total = np.minimum(np.minimum(send_cap.sum(axis=1), room.sum(axis=1)), budget)
    total = np.where(on, total, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        send = np.floor(send_cap * (total / send_cap.sum(axis=1))[:, None])
        moved = send.sum(axis=1)
        recv = np.floor(room * (moved / room.sum(axis=1))[:, None])
    send = np.nan_to_num(send)
    recv = np.nan_to_num(recv)
    rest = send.sum(axis=1) - recv.sum(axis=1)
    rows = np.arange(arrivals.shape[0])
    recv[rows, np.argmax(room, axis=1)] += rest
    return (arrivals - send + recv).astype(arrivals.dtype)


class FairShare(Module):
    """Fair-share spreading (national measure 3) of new IC admissions, using the spreading code.

    Loads and targets come from :func:`kraan.domain.spreading.fairshare.fair_share` on one
    :class:`Area` per region (members are its time axis); regions above their fair share
    send today's admissions to regions below it, up to ``transfers_per_day`` nationally.
    """

    def redistribute(
        self, level: str, arrivals: np.ndarray, census: np.ndarray, capacity: FloatArray,
        on: np.ndarray,
    ) -> np.ndarray | None:
        if level != "ic" or not on.any():
            return None
        cap = capacity.mean(axis=0)
        areas = [
            Area(code=f"R{i}", capacity=max(int(round(c)), 1), covid_occupied=0,
                 covid_capacity=max(int(round(c)), 1))
            for i, c in enumerate(cap)
        ]
        share = fair_share(areas, (census + arrivals).T.astype(np.float64),
                           Basis(str(self.params["basis"])))
        dev = share.deviation.T  # (M, R)
        return _move(arrivals, dev, -dev, float(self.params["transfers_per_day"]), on)


class HfnoTransport(Module):
    """Module 4B: ambulance+ moves new ward patients from regions over their COVID beds."""

    def redistribute(
        self, level: str, arrivals: np.ndarray, census: np.ndarray, capacity: FloatArray,
        on: np.ndarray,
    ) -> np.ndarray | None:
        if level != "ward" or not on.any():
            return None
        free = capacity - census - arrivals
        return _move(arrivals, -free, free, float(self.params["transfers_per_day"]), on)


MODULE_CLASSES: dict[str, type[Module]] = {
    "1": HomeMonitoring,
    "4A": HfnoWard,
    "4B": HfnoTransport,
    "5": Pacu,
    "6": Zbc,
    "8": VvtConcentration,
    "A": IcConcentration,
    "ELV": ExtraElv,
    "FS": FairShare,
}
MODULE_KEYS: tuple[str, ...] = tuple(MODULE_CLASSES)


def build_module(
    spec: ModuleSpec, *, phase: str | None = None, start: date | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Module:
    """A module from its defaults, optionally with another trigger and parameter values."""
    params = dict(spec.params)
    unknown = set(overrides or {}) - set(params)
    if unknown:
        raise ValueError(f"module {spec.key}: unknown parameters {', '.join(sorted(unknown))}")
    params.update(overrides or {})
    cls = MODULE_CLASSES[spec.key]
    module = cls(key=spec.key, label=spec.label, phase=phase or spec.phase, start=start,
                 params=params)
    phase_index(module.phase)
    return module


def build_modules(specs: Mapping[str, ModuleSpec], keys: Sequence[str]) -> list[Module]:
    unknown = [k for k in keys if k not in MODULE_CLASSES or k not in specs]
    if unknown:
        raise ValueError(
            f"unknown module(s) {', '.join(unknown)}; known: {', '.join(MODULE_KEYS)}"
        )
    return [build_module(specs[k]) for k in keys]
