"""Plain data of spreading: areas, the one settings object, transfers and plans.

Every default below names its source: a figure of domain.md (which digests the seeds
in ``shared/seeds``) or, where the seeds give no number, the word *assumption* so that
nobody mistakes it for a published figure. All of them are configurable per request.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Basis(StrEnum):
    """What an area's agreed share of the national COVID capacity is proportional to."""

    STAFFED = "staffed"  # staffed, opened beds (LCPS counting, domain.md "Reporting practice")
    SCALE_UP = "scale_up"  # beds in the LNAZ scale-up plan (1,350 IC in phase 2B, domain.md)
    POPULATION = "population"  # inhabitants: equal access per head (seed 001, fair share)


class SpreadMeasure(StrEnum):
    MAXMIN = "maxmin"  # highest minus lowest load per day
    SAD = "sad"  # sum of absolute deviations from the fair share, in patients
    #: convex piecewise-linear in each area's load gap: the further an area is off its
    #: share (in load, not patients), the more each patient moved counts (issue 13)
    CONVEX = "convex"


class Level(StrEnum):
    NATIONAL = "national"  # between regions (LCPS)
    REGIONAL = "regional"  # between hospitals of one region (RCPS): arcs stay in a group


class Vehicle(StrEnum):
    MICU = "micu"  # mobile IC unit: carries ventilated IC patients (seed 001, module 4B)
    AMBULANCE_PLUS = "ambulance_plus"  # the only carrier able to move HFNO patients (4B)
    AMBULANCE = "ambulance"  # ordinary ward patients


@dataclass(frozen=True, slots=True)
class PatientClass:
    """A group of patients that travels by one kind of vehicle."""

    name: str
    vehicle: Vehicle
    share: float  # share of an area's COVID patients in this class


@dataclass(frozen=True, slots=True)
class Area:
    """A region (national level) or a hospital (regional level) at the plan's start."""

    code: str
    capacity: int  # staffed beds of the care level
    covid_occupied: int  # COVID patients incl. ontlabeld (LevelTotals.covid_load)
    non_covid_occupied: int = 0
    forecast: tuple[float, ...] = ()  # daily medians of COVID occupancy, [0] = tomorrow
    forecast_quantiles: Mapping[float, tuple[float, ...]] = field(default_factory=dict)
    lat: float = math.nan
    lon: float = math.nan
    population: int = 0
    scale_up_capacity: int | None = None  # beds in the scale-up plan (Basis.SCALE_UP)
    covid_capacity: int | None = None  # agreed COVID beds; default staffed - non-COVID
    acute_inflow: float = 0.0  # own expected COVID admissions per day (for the reserve)
    group: str = ""  # region of a hospital (Level.REGIONAL keeps transfers inside it)
    is_last_resort: bool = False  # Germany: receives only, at a cost (seed 000, item 2a-c)
    cost_weight: float = 1.0  # multiplies the transport cost of patients sent here

    @property
    def beds_for_covid(self) -> int:
        """Staffed beds left for COVID patients when non-COVID occupancy is held flat."""
        if self.covid_capacity is not None:
            return self.covid_capacity
        return max(self.capacity - self.non_covid_occupied, 0)


@dataclass(frozen=True, slots=True)
class SpreadSettings:
    """One frozen parameters object for fair share and the optimiser (style.md item 3)."""

    level: Level = Level.NATIONAL
    care_level: str = "ic"  # "ic" (MICU only) or "ward" (HFNO by ambulance+, rest ambulance)
    #: LCPS forecast one week ahead, updated daily (domain.md "Forecasting and spreading").
    horizon_days: int = 7
    #: 0.5 = the forecast median; any other quantile must be in Area.forecast_quantiles.
    quantile: float = 0.5
    basis: Basis = Basis.STAFFED
    spread_measure: SpreadMeasure = SpreadMeasure.CONVEX
    # --- objective weights, in the order (weight 0 switches a penalty off) ---
    #: per bed-day above staffed capacity; dominant (issue: objective 1). 5,000 since
    #: issue 13 (was 1,000): ten patient-days of peak load in a mean-sized area.
    weight_overflow: float = 5000.0
    #: per patient-day of deviation from the fair share (SAD), or per day of max-min load
    #: spread times the mean agreed capacity (MAXMIN), so both read in patients.
    weight_spread: float = 10.0
    #: CONVEX: breakpoints of |load - national load| (load units) where the cost per
    #: patient-day steps up, and the multipliers of ``weight_spread`` between them
    #: (dead band of half a patient, then x1; x2 beyond 0.05; x4 beyond 0.10; x8 beyond
    #: 0.20). Assumption, chosen so that a region 0.2 over its share counts 8x a region
    #: just over it; the replay of docs/spreading.md section 5 measures the effect.
    convex_breakpoints: tuple[float, ...] = (0.05, 0.10, 0.20)
    convex_slopes: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    #: per day, per unit of the highest load over the domestic areas, times the mean
    #: agreed capacity (so it reads per patient of a mean-sized area): the worst area
    #: first. Well above the spread and transport terms of one patient (at most ~10 x 8
    #: x 2 + 3 a day), below overflow (issue 13: "minimise the highest load, then the
    #: deviations"; weighted, so lexicographic in practice; assumption). At 50 the
    #: convex term could still trade a higher peak for less spread in small areas.
    weight_peak_load: float = 500.0
    #: the same for the lowest load (the area furthest below the national load), a fifth
    #: of the peak's so the top still goes first. Assumption; without it the demo replay's
    #: worst region-day (a low one) was 0.119 against greedy's 0.104, with it 0.101.
    weight_low_load: float = 100.0
    #: mip: two stages, first overflow, last resort and peak load alone (proved to half a
    #: patient of peak), then the whole objective with that first-stage cost held: exact
    #: lexicographic, but 5-10x the solve time (docs/spreading.md), so off by default.
    lexicographic: bool = False
    #: per patient-km; 200 km costs 2, below the 20 gained per patient-day moved to fairness.
    weight_distance: float = 0.01
    #: per transfer (one arc on one day, any batch size), JHU's minimum-transfer option.
    weight_transfer: float = 1.0
    #: fixed cost per patient sent to a last-resort area (Germany), less than one overflow
    #: bed-day (assumption). Germany's arcs exist only while a domestic area overflows
    #: (``solve``), so it is never used to even out load alone.
    last_resort_cost: float = 500.0
    # --- constraints: each its own builder, switched here ---
    enforce_receiving_capacity: bool = True
    enforce_transport_capacity: bool = True
    enforce_stable_share: bool = True
    enforce_min_batch: bool = True
    enforce_no_send_and_receive: bool = True
    use_last_resort: bool = True
    #: beds kept free for the own acute inflow: days of the area's COVID admissions
    #: (assumption: one day, as the LCPS day-cut) and/or a share of staffed beds.
    reserve_days: float = 1.0
    reserve_share: float = 0.0
    #: patients per day. MICU: Nov 2020 saw 10-20 transfer requests a day (domain.md,
    #: "Figures for parameters"): transport for the upper end. Ambulance+: one HFNO carrier
    #: in NL (seed 001, module 4B), assumption 4 a day. Ambulance: assumption 40 a day.
    transport_micu: int = 20
    transport_ambulance_plus: int = 4
    transport_ambulance: int = 40
    #: share of ward COVID patients on HFNO (assumption; module 4A has no national figure).
    hfno_share: float = 0.2
    #: share of an area's COVID patients stable enough to move on one day (assumption).
    stable_share: float = 0.25
    #: smallest number of patients in one transfer (JHU minimum-transfer-size; assumption 1).
    min_batch: int = 1
    #: arcs: each area may send to its k nearest areas (None = all) within max_distance_km.
    max_neighbours: int | None = None
    max_distance_km: float | None = None
    #: drop arcs that cannot pay: only areas above their fair share (or overflowing) send,
    #: only areas below it (or with beds free while another overflows) receive, and at
    #: most 2 x daily transport x days senders, the largest surplus first.
    prune_arcs: bool = True
    # --- solver ---
    #: "mip": HiGHS branch and bound on whole patients and the indicator binaries.
    #: "lp_round": HiGHS LP relaxation, then a repair to whole patients that keeps every
    #: enforced constraint (much faster, objective a little worse; see docs/spreading.md).
    #: "auto": mip up to ``auto_mip_max_areas`` areas, lp_round above. Since issue 13 the
    #: peak-load term makes the MIP's LP bound weak (a fraction of a patient at the top
    #: is worth hundreds), so a national MIP takes 1-2 s of CPU against ~0.02 s for
    #: lp_round at an equal or better replay score (docs/spreading.md): 0 = lp_round
    #: always, which keeps every solve-time goal. Was 30 (mip nationally).
    method: str = "auto"
    auto_mip_max_areas: int = 0
    integer: bool = True
    #: plan days solved in whole patients with their binaries by the MIP; later days are
    #: an LP, rounded by the repair. Later days are provisional: the plan is re-made daily
    #: and only day 0 is carried out (as LCPS worked). None = every day integer.
    integer_days: int | None = 2
    #: count transfers (objective 4) with one binary per arc and day; off = the LP
    #: relaxation of that count (weight_transfer / arc bound per patient). A minimum batch
    #: above 1 always gets the binaries on the integer days.
    exact_transfer_count: bool = False
    #: HiGHS stops at whichever gap it reaches first: relative, or absolute in objective
    #: units (2 = a fifth of a patient-day of deviation at the default spread weight; on
    #: the national case the 1 % is reached first, so it binds only on small snapshots,
    #: where a coarser gap let a rounded start stand with a higher peak load). Measured
    #: trade-off on 11 regions x 7 days (docs/spreading.md); assumption, not a seed figure.
    mip_rel_gap: float = 0.01
    mip_abs_gap: float = 2.0
    time_limit_seconds: float = 30.0
    #: any further HiGHS option by name, e.g. {"mip_heuristic_effort": 0.3}
    highs_options: Mapping[str, float | int | bool | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Accept plain strings for the enum options (JSON, CLI)."""
        for name, kind in (("level", Level), ("basis", Basis), ("spread_measure", SpreadMeasure)):
            object.__setattr__(self, name, kind(getattr(self, name)))

    def classes(self) -> tuple[PatientClass, ...]:
        """IC patients travel by MICU; ward patients split into HFNO (ambulance+) and others."""
        if self.care_level == "ic":
            return (PatientClass("ic", Vehicle.MICU, 1.0),)
        return (
            PatientClass("hfno", Vehicle.AMBULANCE_PLUS, self.hfno_share),
            PatientClass("ward", Vehicle.AMBULANCE, 1.0 - self.hfno_share),
        )

    def transport_capacity(self, vehicle: Vehicle) -> int:
        return {
            Vehicle.MICU: self.transport_micu,
            Vehicle.AMBULANCE_PLUS: self.transport_ambulance_plus,
            Vehicle.AMBULANCE: self.transport_ambulance,
        }[vehicle]

    def method_for(self, area_count: int) -> str:
        """The method "auto" stands for with this many areas."""
        if self.method != "auto":
            return self.method
        return "mip" if area_count <= self.auto_mip_max_areas else "lp_round"

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for every value out of range; empty when valid."""
        found: list[tuple[str, str]] = []
        if self.method not in ("auto", "mip", "lp_round"):
            found.append(("method", "must be 'auto', 'mip' or 'lp_round'"))
        if self.care_level not in ("ic", "ward"):
            found.append(("care_level", "must be 'ic' or 'ward'"))
        if not 1 <= self.horizon_days <= 60:
            found.append(("horizon_days", "must be between 1 and 60"))
        if not 0.0 < self.quantile < 1.0:
            found.append(("quantile", "must lie strictly between 0 and 1"))
        for name in ("hfno_share", "stable_share", "reserve_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                found.append((name, "must be a share between 0 and 1"))
        numbers = ("last_resort_cost", "reserve_days", "mip_rel_gap", "mip_abs_gap")
        for f in fields(self):
            value = getattr(self, f.name)
            named = f.name.startswith(("weight_", "transport_")) or f.name in numbers
            if named and (not isinstance(value, int | float) or not 0 <= value < math.inf):
                found.append((f.name, "must be a finite number >= 0"))
        slopes, points = self.convex_slopes, self.convex_breakpoints
        if len(slopes) != len(points) + 1:
            found.append(("convex_slopes", "needs one slope more than convex_breakpoints"))
        elif any(b <= a for a, b in zip(slopes, slopes[1:], strict=False)) or slopes[0] <= 0:
            found.append(("convex_slopes", "must be positive and increasing (convex)"))
        if any(b <= a for a, b in zip((0.0, *points), points, strict=False)):
            found.append(("convex_breakpoints", "must be positive and increasing"))
        if self.min_batch < 1:
            found.append(("min_batch", "must be at least 1"))
        if self.integer_days is not None and self.integer_days < 1:
            found.append(("integer_days", "must be at least 1"))
        if self.max_neighbours is not None and self.max_neighbours < 1:
            found.append(("max_neighbours", "must be at least 1"))
        if self.time_limit_seconds <= 0:
            found.append(("time_limit_seconds", "must be > 0"))
        return found


@dataclass(frozen=True, slots=True)
class Transfer:
    """Patients of one class moved from one area to another on one plan day."""

    day: int
    source: str
    target: str
    patients: int
    patient_class: str = "ic"


@dataclass(frozen=True, slots=True)
class Plan:
    """A solved plan: transfers plus COVID occupancy per [area, day] before and after.

    ``occupancy_*[i, t]`` is the occupancy at the end of plan day t (day 0 = today).
    """

    codes: tuple[str, ...]
    transfers: tuple[Transfer, ...]
    occupancy_before: FloatArray
    occupancy_after: FloatArray
    status: str
    objective: float
    solve_seconds: float
    mip_gap: float = 0.0
    patient_km: float = 0.0

    @property
    def patients_moved(self) -> int:
        return sum(t.patients for t in self.transfers)
