"""Demo capacity reports: the real national LCPS figures split over the synthetic locations.

The national sums are real (LCPS, see :mod:`kraan.ingest.lcps`); how they are split over
locations is SYNTHETIC (no per-hospital open data exists, SOURCES.md). Every split is an
integer largest-remainder apportionment, so the Dutch locations add up to the national
figure exactly. Everything is vectorised per level over (days x locations).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np

from kraan.domain.model import (
    CapacityReport,
    CareLevel,
    LevelReport,
    LevelStatus,
    Location,
    LocationKind,
    Provenance,
)
from kraan.figures import public_figures
from kraan.ingest.lcps import NationalSeries
from kraan.ingest.reference import Reference
from kraan.ingest.synthetic import ELV_VVT_BEDS, IC_BEDS_NORMAL, WARD_BEDS, largest_remainder

DASHBOARD_DIR = Path("coronadashboard_2021-01")
#: LCPS counted occupancy at a fixed time of day (domain.md, "Reporting practice").
REPORT_TIME = time(8, 0)
NEW_FEED_FROM = np.datetime64("2021-01-01")

#: Estimated national staffed IC beds before the new feed had ``IC_capaciteit_totaal``:
#: normal, the scale-up plan from phase 2B on 2020-10-01, and the December 2020 step from
#: 2020-12-21 (data/public_figures.json, with their sources).
IC_STAFFED_STEPS: tuple[tuple[str, int], ...] = (
    ("2020-01-01", IC_BEDS_NORMAL),
    ("2020-10-01", public_figures().ic_beds_scale_up.value),
    ("2020-12-21", public_figures().ic_beds_december_2020.value),
)
#: National figures missing from the old (2020) feed take the first value the feeds have:
#: ward non-COVID 8,620 (lcps_zubcevic 2021-01-01, kliniek_bezetting_noncovid) and IC
#: non-COVID 356 (mzelst 2020-04-18, first IC_Bedden_Non_COVID). The constants are used only
#: when a series holds no value at all.
NATIONAL_FALLBACK: dict[str, int] = {"ward_non_covid": 8_620, "ic_non_covid": 356}
#: Staffed beds are never estimated below occupied / this (5 % free beds kept open).
MAX_ESTIMATED_OCCUPANCY = 0.95
#: ELV/VVT COVID clients per hospital ward COVID patient. At the highest national ward COVID
#: occupancy in the series (3,284 on 2020-03-29) 0.40 gives ~1,300 = the VVT peak of
#: domain.md ("Figures for parameters": 1,300 beds occupied by COVID clients, ch. 4).
ELV_COVID_PER_WARD_COVID = 0.40
#: Synthetic: non-COVID ELV/VVT clients as a share of the planned ELV/VVT beds.
ELV_NON_COVID_SHARE = 0.40
#: Trailing window of NICE admissions used as a region's share of COVID occupancy (days):
#: roughly the median hospital length of stay, so recent admissions ~ present patients.
SHARE_WINDOW_DAYS = 10
#: Synthetic staff absence (%): baseline + extra that rises with national COVID load,
#: saturating at SATURATION hospital COVID patients, plus a fixed per-location offset.
ABSENCE_BASE_PCT = 5.0
ABSENCE_COVID_PCT = 8.0
ABSENCE_SATURATION = 4_000
ABSENCE_OFFSET_PCT = 1.5
#: DIVI-style status per level, and the continuity flags (occupancy = occupied / staffed).
LIMITED_AT = 0.90
NOT_AVAILABLE_AT = 1.00
CRITICAL_PLANNED_CARE_LOST_AT = 0.97
ACUTE_CARE_LOST_AT = 1.05


def safety_region_weights(reference: Reference) -> dict[str, np.ndarray]:
    """Per safety region, the share of its population in each ROAZ region (rows sum to 1).

    A safety region that spans two or three ROAZ regions (e.g. VR06 Noord- en Oost-Gelderland:
    Euregio, Oost and Zwolle) has its figures apportioned by municipality population.
    """
    column = {r.code: i for i, r in enumerate(reference.regions)}
    weights: dict[str, np.ndarray] = {}
    for m in reference.municipalities:
        row = weights.setdefault(m.safety_region_code, np.zeros(len(reference.regions)))
        row[column[m.region_code]] += m.population
    return {vr: row / row.sum() for vr, row in weights.items() if row.sum() > 0}


def regional_covid_shares(raw_dir: Path, reference: Reference, dates: np.ndarray) -> np.ndarray:
    """(days x regions) share of national COVID occupancy per ROAZ region.

    From the NICE hospital admissions of each safety region's residents (Coronadashboard
    ``VRxx.json`` ``hospital_nice``, 2020-03-16..2021-01-11): a trailing 10-day sum of the
    3-day moving average. The dashboard counts by safety region; each safety region's
    admissions are apportioned over the ROAZ regions its municipalities lie in, by their
    population share (:func:`safety_region_weights`), then summed per ROAZ region.
    Population share outside that range.
    """
    regions = reference.regions
    population = np.array([r.population for r in regions], dtype=float)
    shares = np.tile(population / population.sum(), (dates.shape[0], 1))
    weights = safety_region_weights(reference)
    per_vr: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for vr in sorted(weights):
        path = Path(raw_dir) / DASHBOARD_DIR / f"{vr}.json"
        if not path.is_file():
            return shares  # a partial picture would bias the split; keep population shares
        values = json.loads(path.read_text(encoding="utf-8"))["hospital_nice"]["values"]
        days = np.array([v["date_unix"] for v in values], dtype="datetime64[s]")
        per_vr[vr] = (
            days.astype("datetime64[D]"),
            np.array([v["admissions_moving_average"] or 0.0 for v in values], dtype=float),
        )
    first = min(d[0] for d, _ in per_vr.values())
    last = max(d[-1] for d, _ in per_vr.values())
    axis = np.arange(first, last + 1)
    admissions = np.zeros((axis.shape[0], len(regions)))
    for vr, (days, values) in per_vr.items():
        np.add.at(admissions, (days - first).astype(int), values[:, None] * weights[vr][None, :])
    cumulative = np.vstack([np.zeros(len(regions)), np.cumsum(admissions, axis=0)])
    hi = np.arange(1, axis.shape[0] + 1)
    trailing = cumulative[hi] - cumulative[np.maximum(hi - SHARE_WINDOW_DAYS, 0)]
    totals = trailing.sum(axis=1, keepdims=True)
    usable = totals[:, 0] > 0
    rows = (dates - first).astype(int)
    inside = (rows >= 0) & (rows < axis.shape[0])
    inside[inside] &= usable[rows[inside]]
    shares[inside] = trailing[rows[inside]] / totals[rows[inside]]
    return shares


@dataclass(frozen=True, eq=False)
class _Level:
    """One care level over (days x locations) of the locations that report it."""

    care_level: CareLevel
    members: np.ndarray  # indices into the Dutch location list
    staffed: np.ndarray
    covid: np.ndarray
    ontlabeld: np.ndarray
    non_covid: np.ndarray
    admissions: np.ndarray | None  # None: not apportioned at this level
    admissions_known: np.ndarray  # (days,) bool

    @property
    def occupied(self) -> np.ndarray:
        return self.covid + self.ontlabeld + self.non_covid


def _ints(values: np.ndarray, fallback: int) -> tuple[np.ndarray, np.ndarray]:
    """National counts as integers; NaN filled from the nearest known day (flagged estimated).

    Leading NaN take the first known value, later ones the last known value; ``fallback``
    when the series has no value at all.
    """
    known = ~np.isnan(values)
    if not known.any():
        return np.full(values.shape[0], fallback, dtype=np.int64), ~known
    idx = np.where(known, np.arange(values.shape[0]), -1)
    idx = np.maximum.accumulate(idx)
    first = int(np.flatnonzero(known)[0])
    idx[idx < 0] = first
    return np.round(values[idx]).astype(np.int64), ~known


def _staffed(
    total: np.ndarray, occupied: np.ndarray, planned: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Split national staffed beds so each location keeps staffed >= occupied when possible.

    Free beds (staffed - occupied) go to locations in proportion to their slack under a
    planned-bed split; where the nation itself is over capacity the planned split stands and
    locations above it are flagged overflow.
    """
    base = largest_remainder(total, np.broadcast_to(planned, occupied.shape))
    free = total - occupied.sum(axis=1)
    slack = np.maximum(base - occupied, 0)
    slack = np.where(slack.sum(axis=1, keepdims=True) > 0, slack, planned)
    spread = occupied + largest_remainder(np.maximum(free, 0), slack)
    staffed = np.where((free >= 0)[:, None], spread, base)
    return staffed, occupied > staffed


def _status(occupied: int, staffed: int) -> LevelStatus:
    if staffed <= 0 or occupied >= NOT_AVAILABLE_AT * staffed:
        return LevelStatus.NOT_AVAILABLE
    if occupied >= LIMITED_AT * staffed:
        return LevelStatus.LIMITED
    return LevelStatus.AVAILABLE


def _levels(
    reference: Reference, series: NationalSeries, shares: np.ndarray
) -> tuple[list[Location], tuple[_Level, ...], dict[CareLevel, np.ndarray], np.ndarray]:
    """Apportion every national figure over the Dutch locations, level by level."""
    dutch = [loc for loc in reference.locations if loc.kind != LocationKind.ABROAD]
    region_col = {r.code: i for i, r in enumerate(reference.regions)}

    def members(kinds: tuple[LocationKind, ...], level: CareLevel) -> np.ndarray:
        return np.array(
            [
                i
                for i, loc in enumerate(dutch)
                if loc.kind in kinds and loc.planned_beds.get(level, 0) > 0
            ],
            dtype=int,
        )

    def covid_weights(idx: np.ndarray, level: CareLevel, covid_ok: np.ndarray) -> np.ndarray:
        planned = np.array([dutch[i].planned_beds[level] for i in idx], dtype=float) * covid_ok
        cols = np.array([region_col[dutch[i].region_code] for i in idx])
        region_planned = np.bincount(cols, weights=planned, minlength=shares.shape[1])
        within = planned / np.where(region_planned[cols] > 0, region_planned[cols], 1.0)
        return shares[:, cols] * within

    def planned(idx: np.ndarray, level: CareLevel) -> np.ndarray:
        return np.array([dutch[i].planned_beds[level] for i in idx], dtype=float)

    estimated = np.zeros(len(series), dtype=bool)

    def national(name: str) -> np.ndarray:
        values, est = _ints(getattr(series, name), NATIONAL_FALLBACK.get(name, 0))
        estimated[:] |= est
        return values

    def split(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return largest_remainder(total, np.broadcast_to(weights, (len(series), weights.shape[-1])))

    ic_idx = members((LocationKind.HOSPITAL,), CareLevel.IC)
    ic_w = covid_weights(ic_idx, CareLevel.IC, np.ones(ic_idx.shape[0]))
    ic_covid, ic_ontl = split(national("ic_covid"), ic_w), split(national("ic_ontlabeld"), ic_w)
    ic_non = split(national("ic_non_covid"), planned(ic_idx, CareLevel.IC))
    ic_occ = ic_covid + ic_ontl + ic_non
    ic_floor = np.ceil(ic_occ.sum(axis=1) / MAX_ESTIMATED_OCCUPANCY).astype(np.int64)
    step = np.zeros(len(series), dtype=np.int64)
    for since, beds in IC_STAFFED_STEPS:
        step[series.dates >= np.datetime64(since)] = beds
    estimated |= np.isnan(series.ic_capacity)
    ic_cap = np.where(
        np.isnan(series.ic_capacity), np.maximum(step, ic_floor), np.nan_to_num(series.ic_capacity)
    ).astype(np.int64)
    ic_staffed, ic_over = _staffed(ic_cap, ic_occ, planned(ic_idx, CareLevel.IC))

    ward_idx = members((LocationKind.HOSPITAL, LocationKind.ZBC), CareLevel.WARD)
    is_hospital = np.array([dutch[i].kind == LocationKind.HOSPITAL for i in ward_idx], dtype=float)
    ward_w = covid_weights(ward_idx, CareLevel.WARD, is_hospital)  # ZBCs take no COVID care
    ward_covid_total = national("ward_covid")
    ward_ontl_total = national("ward_ontlabeld")
    ward_covid, ward_ontl = split(ward_covid_total, ward_w), split(ward_ontl_total, ward_w)
    ward_non = split(national("ward_non_covid"), planned(ward_idx, CareLevel.WARD))
    ward_occ = ward_covid + ward_ontl + ward_non
    ward_floor = np.ceil(ward_occ.sum(axis=1) / MAX_ESTIMATED_OCCUPANCY).astype(np.int64)
    estimated |= np.isnan(series.ward_capacity)
    ward_cap = np.where(
        np.isnan(series.ward_capacity),
        np.maximum(WARD_BEDS, ward_floor),
        np.nan_to_num(series.ward_capacity),
    ).astype(np.int64)
    ward_staffed, ward_over = _staffed(ward_cap, ward_occ, planned(ward_idx, CareLevel.WARD))

    elv_idx = members((LocationKind.VVT,), CareLevel.ELV_VVT)
    elv_planned = planned(elv_idx, CareLevel.ELV_VVT)
    elv_covid_total = np.round(
        ELV_COVID_PER_WARD_COVID * (ward_covid_total + ward_ontl_total)
    ).astype(np.int64)
    elv_covid = split(
        elv_covid_total, covid_weights(elv_idx, CareLevel.ELV_VVT, np.ones(elv_idx.shape[0]))
    )
    elv_non = split(np.full(len(series), round(ELV_NON_COVID_SHARE * ELV_VVT_BEDS)), elv_planned)
    elv_occ = elv_covid + elv_non
    # Staffed = planned ELV beds, scaled up when occupancy needs it (ELV scale-up within 72 h,
    # domain.md "Figures for parameters", action plan item 3).
    elv_cap = np.maximum(ELV_VVT_BEDS, np.ceil(elv_occ.sum(axis=1) / MAX_ESTIMATED_OCCUPANCY))
    elv_staffed, elv_over = _staffed(elv_cap.astype(np.int64), elv_occ, elv_planned)

    def admissions(name: str, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = getattr(series, name)
        known = ~np.isnan(values)
        return split(
            np.where(known, np.round(np.nan_to_num(values)), 0).astype(np.int64), weights
        ), known

    ic_adm, ic_adm_known = admissions("ic_admissions", ic_w)
    ward_adm, ward_adm_known = admissions("ward_admissions", ward_w)
    zeros_elv = np.zeros_like(elv_covid)
    levels = (
        _Level(CareLevel.IC, ic_idx, ic_staffed, ic_covid, ic_ontl, ic_non, ic_adm, ic_adm_known),
        _Level(
            CareLevel.WARD,
            ward_idx,
            ward_staffed,
            ward_covid,
            ward_ontl,
            ward_non,
            ward_adm,
            ward_adm_known,
        ),
        _Level(
            CareLevel.ELV_VVT,
            elv_idx,
            elv_staffed,
            elv_covid,
            zeros_elv,
            elv_non,
            None,
            np.zeros(len(series), dtype=bool),
        ),
    )
    overflow = {CareLevel.IC: ic_over, CareLevel.WARD: ward_over, CareLevel.ELV_VVT: elv_over}
    return dutch, levels, overflow, estimated


def build_demo_reports(
    reference: Reference,
    series: NationalSeries,
    raw_dir: Path,
    *,
    start: date | None = None,
    end: date | None = None,
    seed: int = 2020,
) -> Iterator[CapacityReport]:
    """One report per Dutch location per day at 08:00 (naive UTC), plus Germany's IC count.

    Germany (``DE-ABROAD``) reports IC only, staffed = occupied = NL patients there (beds
    were arranged per patient), on days where that number is known.

    Provenance: ESTIMATED on days that needed an estimated national figure (all of 2020:
    ward non-COVID and staffed beds are not in the old feed), else IMPUTED on days LCPS did
    not report, else SYNTHETIC (the national sums are real, the split is not).
    """
    # Split the whole series, then emit the asked days: a day's figures do not depend on
    # the range asked for (estimates fill from the nearest known day of the whole series).
    start, end = max(start or series.start, series.start), min(end or series.end, series.end)
    if len(series) == 0 or start > end:
        return
    first, last = series.index_of(start), series.index_of(end)
    shares = regional_covid_shares(raw_dir, reference, series.dates)
    dutch, levels, overflow, estimated = _levels(reference, series, shares)
    n_loc = len(dutch)
    rng = np.random.default_rng(seed)
    offset = rng.uniform(-ABSENCE_OFFSET_PCT, ABSENCE_OFFSET_PCT, n_loc)
    load = np.nan_to_num(
        series.ic_covid + series.ic_ontlabeld + series.ward_covid + series.ward_ontlabeld
    )
    absence = ABSENCE_BASE_PCT + ABSENCE_COVID_PCT * np.minimum(load / ABSENCE_SATURATION, 1.0)
    absence = np.round(absence[:, None] + offset[None, :], 1).tolist()
    # The level that decides a location's continuity flags: IC in hospitals, else its own level.
    primary = {
        CareLevel.IC: LocationKind.HOSPITAL,
        CareLevel.ELV_VVT: LocationKind.VVT,
        CareLevel.WARD: LocationKind.ZBC,
    }
    abroad = [loc for loc in reference.locations if loc.kind == LocationKind.ABROAD]

    for d in range(first, last + 1):
        day = series.dates[d].astype(object)
        reported_at = datetime.combine(day, REPORT_TIME)
        if series.imputed[d]:  # a day LCPS did not publish: the stronger flag
            provenance = Provenance.IMPUTED
        elif estimated[d]:
            provenance = Provenance.ESTIMATED
        else:
            provenance = Provenance.SYNTHETIC
        per_location: list[list[LevelReport]] = [[] for _ in range(n_loc)]
        occupancy: list[float | None] = [None] * n_loc
        for lv in levels:
            cols = lv.members.tolist()
            staffed = lv.staffed[d].tolist()
            covid, ontl, non = (
                lv.covid[d].tolist(),
                lv.ontlabeld[d].tolist(),
                lv.non_covid[d].tolist(),
            )
            over = overflow[lv.care_level][d].tolist()
            adm = lv.admissions[d].tolist() if lv.admissions is not None else None
            adm_ok = bool(lv.admissions_known[d])
            for k, i in enumerate(cols):
                occupied = covid[k] + ontl[k] + non[k]
                per_location[i].append(
                    LevelReport(
                        care_level=lv.care_level,
                        staffed_beds=staffed[k],
                        covid_occupied=covid[k],
                        ontlabeld_occupied=ontl[k],
                        non_covid_occupied=non[k],
                        covid_admissions_24h=adm[k] if adm is not None and adm_ok else None,
                        status=_status(occupied, staffed[k]),
                        overflow=over[k],
                    )
                )
                if dutch[i].kind == primary[lv.care_level]:
                    occupancy[i] = occupied / staffed[k] if staffed[k] else math.inf
        for i, loc in enumerate(dutch):
            occ = occupancy[i]
            yield CapacityReport(
                location_code=loc.code,
                reported_at=reported_at,
                levels=tuple(per_location[i]),
                staff_absence_pct=absence[d][i],
                critical_planned_care_ok=None
                if occ is None
                else occ < CRITICAL_PLANNED_CARE_LOST_AT,
                acute_care_ok=None if occ is None else occ < ACUTE_CARE_LOST_AT,
                provenance=provenance,
            )
        n_abroad = series.ic_abroad[d]
        if abroad and not np.isnan(n_abroad):
            beds = int(round(n_abroad))
            yield CapacityReport(
                location_code=abroad[0].code,
                reported_at=reported_at,
                levels=(LevelReport(CareLevel.IC, staffed_beds=beds, covid_occupied=beds),),
                provenance=Provenance.IMPUTED if series.imputed[d] else Provenance.ACTUAL,
            )
