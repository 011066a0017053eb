"""The synthetic locations hit the public national totals and are reproducible."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kraan.domain.model import CareLevel, LocationKind, Region
from kraan.ingest.reference import Municipality, load_reference
from kraan.ingest.synthetic import (
    ELV_VVT_BEDS,
    IC_BEDS_NORMAL,
    IC_BEDS_SCALE_UP,
    WARD_BEDS,
    generate_locations,
    largest_remainder,
)
from kraan.settings import get_settings

RAW = get_settings().raw_data_dir
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")


@pytest.fixture(scope="module")
def reference():
    return load_reference(RAW)


def beds(locations, level: CareLevel) -> int:
    return sum(loc.planned_beds.get(level, 0) for loc in locations)


def test_national_bed_totals(reference):
    locs = reference.locations
    assert IC_BEDS_NORMAL == 1_150 and IC_BEDS_SCALE_UP == 1_350
    assert beds(locs, CareLevel.IC) == 1_150
    assert beds(locs, CareLevel.IC) + beds(locs, CareLevel.PACU) == 1_350
    assert beds(locs, CareLevel.WARD) == WARD_BEDS == 13_698
    assert beds(locs, CareLevel.ELV_VVT) == ELV_VVT_BEDS == 2_248


def test_kinds_and_counts(reference):
    kinds = Counter(loc.kind for loc in reference.locations)
    assert 65 <= kinds[LocationKind.HOSPITAL] <= 75
    assert kinds[LocationKind.VVT] == 25
    assert 8 <= kinds[LocationKind.ZBC] <= 12
    assert kinds[LocationKind.ABROAD] == 1
    per_region = Counter(
        loc.region_code for loc in reference.locations if loc.kind == LocationKind.HOSPITAL
    )
    assert set(per_region) == {r.code for r in reference.regions}
    assert min(per_region.values()) >= 3
    assert len({loc.code for loc in reference.locations}) == len(reference.locations)


def test_regional_ic_follows_population(reference):
    total_pop = sum(r.population for r in reference.regions)
    for region in reference.regions:
        ic = beds(
            [loc for loc in reference.locations if loc.region_code == region.code], CareLevel.IC
        )
        assert abs(ic - IC_BEDS_NORMAL * region.population / total_pop) < 1


def test_location_fields(reference):
    vr_codes = {vr for r in reference.regions for vr in r.safety_regions}
    for loc in reference.locations:
        if loc.kind == LocationKind.ABROAD:
            assert (loc.code, loc.name, loc.region_code) == (
                "DE-ABROAD",
                "Germany (cross-border partner)",
                "DE",
            )
            assert (loc.safety_region_code, loc.municipality_code) == ("", "")
            assert (loc.lat, loc.lon) == (51.2, 6.8)
            continue
        assert loc.synthetic and "Synthetic" in loc.name
        assert loc.safety_region_code in vr_codes
        assert 50.6 < loc.lat < 53.7 and 3.2 < loc.lon < 7.4
        if loc.kind == LocationKind.HOSPITAL:
            assert loc.code.startswith(f"H-{loc.region_code}-")
            assert loc.planned_beds[CareLevel.IC] > 0 and loc.planned_beds[CareLevel.WARD] > 0
        elif loc.kind == LocationKind.VVT:
            assert loc.code == f"V-{loc.safety_region_code}"
            assert set(loc.planned_beds) == {CareLevel.ELV_VVT}
        else:
            assert loc.code == f"Z-{loc.region_code}-01"
            assert set(loc.planned_beds) == {CareLevel.WARD}
            assert loc.planned_beds[CareLevel.WARD] < 30


def test_same_seed_same_locations(reference):
    again = generate_locations(reference.regions, reference.municipalities, reference.centroids)
    assert again == reference.locations
    other = generate_locations(
        reference.regions, reference.municipalities, reference.centroids, seed=7
    )
    assert other != reference.locations
    assert beds(other, CareLevel.IC) == IC_BEDS_NORMAL


@given(
    total=st.integers(0, 5_000),
    weights=st.lists(st.floats(0, 1_000, allow_nan=False), min_size=1, max_size=40),
)
def test_largest_remainder_sums_exactly(total, weights):
    w = np.array(weights)
    parts = largest_remainder(total, w)
    assert parts.sum() == total
    assert (parts >= 0).all()
    if w.sum() > 0:
        quota = w / w.sum() * total
        assert (np.abs(parts - quota) < 1 + 1e-6).all()


def test_a_safety_region_in_two_roaz_regions_has_locations_in_both():
    """Locations follow their municipality's ROAZ region, not their safety region's."""
    towns = (
        Municipality("GM0001", "Alpha", "VR01", 300_000, region_code="R1"),
        Municipality("GM0002", "Beta", "VR01", 200_000, region_code="R2"),
        Municipality("GM0003", "Gamma", "VR02", 250_000, region_code="R2"),
        Municipality("GM0004", "Delta", "VR02", 100_000, region_code="R2"),
    )
    regions = (
        Region("R1", "One", ("VR01",), 300_000, ("GM0001",)),
        Region("R2", "Two", ("VR01", "VR02"), 550_000, ("GM0002", "GM0003", "GM0004")),
    )
    centroids = {m.code: (52.0 + k / 10, 5.0) for k, m in enumerate(towns)}
    locations = generate_locations(regions, towns, centroids)
    region_of = {m.code: m.region_code for m in towns}
    hospitals = [loc for loc in locations if loc.kind == LocationKind.HOSPITAL]
    assert {loc.region_code for loc in hospitals if loc.safety_region_code == "VR01"} == {
        "R1",
        "R2",
    }
    for loc in locations:
        if loc.kind != LocationKind.ABROAD:
            assert loc.region_code == region_of[loc.municipality_code]
    vvt = {loc.safety_region_code: loc for loc in locations if loc.kind == LocationKind.VVT}
    assert (vvt["VR01"].municipality_code, vvt["VR01"].region_code) == ("GM0001", "R1")
    assert beds(locations, CareLevel.IC) == IC_BEDS_NORMAL
