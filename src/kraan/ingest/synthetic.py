"""A SYNTHETIC, deterministic set of care locations for the demo and the tests.

No open list of Dutch hospitals with ROAZ region and staffed beds exists (SOURCES.md,
"Looked for, not obtained"), so the locations here are invented: names say "Synthetic", every
location has ``synthetic=True`` (except the real cross-border partner Germany) and only the
national bed totals are public figures. Same seed, same locations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from kraan.domain.model import CareLevel, Location, LocationKind, Region
from kraan.figures import public_figures

if TYPE_CHECKING:
    from kraan.ingest.reference import Municipality

_FIGURES = public_figures()  # data/public_figures.json: each value with its source
#: Normal staffed adult IC beds nationally. Regional IC beds sum to this exactly.
IC_BEDS_NORMAL = _FIGURES.ic_beds_normal.value
#: IC beds guaranteed in the LNAZ scale-up plan. The difference to IC_BEDS_NORMAL is
#: planned as temporary PACU IC beds (module 5), so planned IC + PACU = this.
IC_BEDS_SCALE_UP = _FIGURES.ic_beds_scale_up.value
#: LCPS ward ("kliniek") capacity. Hospital + ZBC ward beds sum to this exactly.
WARD_BEDS = _FIGURES.ward_beds.value
#: ELV/VVT beds at the peak: extra beds scaled up + beds occupied by COVID clients.
ELV_VVT_BEDS = _FIGURES.elv_vvt_extra_beds.value + _FIGURES.elv_vvt_covid_clients_peak.value
#: Target hospital count (the Netherlands had about 70 hospital organisations with an IC).
HOSPITALS_TARGET = 70
MIN_HOSPITALS_PER_REGION = 3
ZBC_COUNT = 10
ZBC_WARD_BEDS = (8, 24)  # synthetic: small day-surgery clinics with a few overnight beds
HFNO_SHARE = 0.5  # synthetic: half the hospitals run HFNO on the ward (module 4A)
HFNO_BEDS_PER_WARD_BED = 0.04  # synthetic
JITTER_DEG = 0.01  # spread locations in the same municipality on the map

ABROAD = Location(
    code="DE-ABROAD",
    name="Germany (cross-border partner)",
    kind=LocationKind.ABROAD,
    region_code="DE",
    safety_region_code="",
    municipality_code="",
    lat=51.2,
    lon=6.8,
    planned_beds={},
    synthetic=False,
)


def largest_remainder(totals: np.ndarray | int, weights: np.ndarray) -> np.ndarray:
    """Split integer totals over weights so that each row sums to its total exactly.

    ``weights`` is (n,) or (rows, n); rows with zero total weight are split evenly. Ties go
    to the lower index, so the result is deterministic.
    """
    w = np.asarray(weights, dtype=float)
    squeeze = w.ndim == 1
    w = np.atleast_2d(w)
    totals = np.broadcast_to(np.asarray(totals, dtype=np.int64), (w.shape[0],))
    sums = w.sum(axis=1, keepdims=True)
    w = np.where(sums > 0, w, 1.0)
    quota = w / w.sum(axis=1, keepdims=True) * totals[:, None]
    base = np.floor(quota + 1e-9).astype(np.int64)
    left = np.clip(totals - base.sum(axis=1), 0, None)
    order = np.argsort(-(quota - base), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(w.shape[1]), w.shape), axis=1)
    base += ranks < left[:, None]
    return base[0] if squeeze else base


def _dhondt(populations: Sequence[int], seats: int, counts: list[int]) -> list[int]:
    """Add seats per municipality (D'Hondt): big cities get several hospitals, as in reality."""
    counts = list(counts)
    for _ in range(seats - sum(counts)):
        best = max(range(len(populations)), key=lambda i: populations[i] / (counts[i] + 1))
        counts[best] += 1
    return counts


def _place(rng: np.random.Generator, centroid: tuple[float, float]) -> tuple[float, float]:
    lat, lon = centroid
    dlat, dlon = rng.normal(0.0, JITTER_DEG, size=2)
    return round(lat + float(dlat), 5), round(lon + float(dlon), 5)


def generate_locations(
    regions: Sequence[Region],
    municipalities: Sequence[Municipality],
    centroids: Mapping[str, tuple[float, float]],
    *,
    seed: int = 2020,
) -> tuple[Location, ...]:
    """Hospitals, one VVT/ELV provider per safety region, ~10 ZBCs and Germany (see module doc).

    A location lies in the ROAZ region of its municipality (``Municipality.region_code``), so
    the hospitals of a safety region that spans two ROAZ regions fall in both.
    """
    rng = np.random.default_rng(seed)
    by_vr: dict[str, list[Municipality]] = defaultdict(list)
    for m in municipalities:
        by_vr[m.safety_region_code].append(m)
    for members in by_vr.values():
        members.sort(key=lambda m: (-m.population, m.code))
    in_region = {
        r.code: sorted(
            (m for m in municipalities if m.region_code == r.code),
            key=lambda m: (-m.population, m.code),
        )
        for r in regions
    }
    population = np.array([r.population for r in regions], dtype=float)
    n_hospitals = np.maximum(
        MIN_HOSPITALS_PER_REGION, np.round(HOSPITALS_TARGET * population / population.sum())
    ).astype(int)
    zbc_regions = set(
        rng.choice(
            len(regions),
            size=min(ZBC_COUNT, len(regions)),
            replace=False,
            p=population / population.sum(),
        ).tolist()
    )
    zbc_beds = {i: int(rng.integers(ZBC_WARD_BEDS[0], ZBC_WARD_BEDS[1] + 1)) for i in zbc_regions}
    region_ic = largest_remainder(IC_BEDS_NORMAL, population)
    region_ward = largest_remainder(WARD_BEDS - sum(zbc_beds.values()), population)

    hospitals: list[Location] = []
    pacu_weights: list[float] = []
    for r_idx, region in enumerate(regions):
        towns = in_region[region.code]
        # Every safety region gets a hospital in its largest town (Zeeland too), in the ROAZ
        # region that town lies in; then D'Hondt.
        firsts = {members[0].code for members in by_vr.values()} & {m.code for m in towns}
        start = [1 if m.code in firsts else 0 for m in towns]
        seats = _dhondt([m.population for m in towns], int(n_hospitals[r_idx]), start)
        sites = [(m, k + 1) for m, s in zip(towns, seats, strict=True) for k in range(s)]
        size = np.clip(rng.lognormal(0.0, 0.4, len(sites)), 0.5, 3.0)
        size[0] *= 1.8  # the largest city's first hospital stands in for a teaching hospital
        ic = largest_remainder(int(region_ic[r_idx]), size)
        ward = largest_remainder(int(region_ward[r_idx]), size)
        hfno = rng.random(len(sites)) < HFNO_SHARE
        pacu = rng.random(len(sites)) < 0.3
        pacu[0] = True
        for h, (town, k) in enumerate(sites):
            beds = {CareLevel.IC: int(ic[h]), CareLevel.WARD: int(ward[h])}
            if hfno[h]:
                beds[CareLevel.HFNO] = max(2, round(HFNO_BEDS_PER_WARD_BED * ward[h]))
            lat, lon = _place(rng, centroids[town.code])
            hospitals.append(
                Location(
                    code=f"H-{region.code}-{h + 1:02d}",
                    name=f"Synthetic hospital {town.name} {k}",
                    kind=LocationKind.HOSPITAL,
                    region_code=region.code,
                    safety_region_code=town.safety_region_code,
                    municipality_code=town.code,
                    lat=lat,
                    lon=lon,
                    planned_beds=beds,
                )
            )
            pacu_weights.append(float(ic[h]) if pacu[h] else 0.0)
    pacu_beds = largest_remainder(IC_BEDS_SCALE_UP - IC_BEDS_NORMAL, np.array(pacu_weights))
    hospitals = [
        replace(h, planned_beds={**h.planned_beds, CareLevel.PACU: int(p)}) if p > 0 else h
        for h, p in zip(hospitals, pacu_beds, strict=True)
    ]

    vr_codes = sorted(by_vr)
    vr_population = np.array([sum(m.population for m in by_vr[vr]) for vr in vr_codes])
    elv = largest_remainder(ELV_VVT_BEDS, vr_population)
    vvts = []
    for vr, beds in zip(vr_codes, elv, strict=True):
        town = by_vr[vr][0]
        lat, lon = _place(rng, centroids[town.code])
        vvts.append(
            Location(
                code=f"V-{vr}",
                name=f"Synthetic VVT/ELV provider {town.name}",
                kind=LocationKind.VVT,
                region_code=town.region_code,
                safety_region_code=vr,
                municipality_code=town.code,
                lat=lat,
                lon=lon,
                planned_beds={CareLevel.ELV_VVT: int(beds)},
            )
        )

    zbcs = []
    for r_idx in sorted(zbc_regions):
        region = regions[r_idx]
        towns = in_region[region.code]
        town = towns[1] if len(towns) > 1 else towns[0]
        lat, lon = _place(rng, centroids[town.code])
        zbcs.append(
            Location(
                code=f"Z-{region.code}-01",
                name=f"Synthetic ZBC {town.name}",
                kind=LocationKind.ZBC,
                region_code=region.code,
                safety_region_code=town.safety_region_code,
                municipality_code=town.code,
                lat=lat,
                lon=lon,
                planned_beds={CareLevel.WARD: zbc_beds[r_idx]},
            )
        )
    return (*hospitals, *vvts, *zbcs, ABROAD)
