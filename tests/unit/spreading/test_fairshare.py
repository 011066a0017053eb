"""Fair-share targets, base occupancy and arcs, with plain values."""

from __future__ import annotations

import numpy as np
import pytest

from kraan.domain.spreading.fairshare import (
    agreed_capacity,
    base_occupancy,
    fair_share,
    summarise,
)
from kraan.domain.spreading.model import Area, Basis, Level, SpreadSettings
from kraan.domain.spreading.network import build_arcs, haversine_km

AREAS = [
    Area("A", 100, 60, 20, lat=52.37, lon=4.90, population=1_000_000, scale_up_capacity=120),
    Area("B", 50, 10, 10, lat=51.92, lon=4.48, population=3_000_000, scale_up_capacity=60),
    Area("DE", 20, 3, lat=51.2, lon=6.8, is_last_resort=True),
]


def test_agreed_capacity_splits_the_national_covid_beds_by_basis() -> None:
    covid_beds = 80 + 40
    staffed = agreed_capacity(AREAS, Basis.STAFFED)
    assert staffed[:2].sum() == pytest.approx(covid_beds)
    assert staffed[0] / staffed[1] == pytest.approx(100 / 50)
    assert staffed[2] == 0.0  # Germany carries no share
    people = agreed_capacity(AREAS, Basis.POPULATION)
    assert people[1] / people[0] == pytest.approx(3.0)
    scale_up = agreed_capacity(AREAS, Basis.SCALE_UP)
    assert scale_up[0] / scale_up[1] == pytest.approx(2.0)


def test_fair_share_targets_sum_to_the_national_load() -> None:
    share = fair_share(AREAS, np.array([60.0, 10.0, 3.0]), Basis.STAFFED)
    national = 70 / 120
    assert share.national_load == pytest.approx(national)
    assert share.target[:2].sum() == pytest.approx(70.0)
    assert share.deviation[0] == pytest.approx(60 - 80 / 120 * 70 * 100 / 100 * 1.0, rel=0.1)
    assert share.deviation[:2].sum() == pytest.approx(0.0, abs=1e-9)
    assert np.isnan(share.load[2])


def test_base_occupancy_uses_the_forecast_and_holds_the_last_value() -> None:
    area = Area("A", 10, 5, forecast=(6.0, 7.5), forecast_quantiles={0.9: (8.0, 9.0)})
    assert base_occupancy([area], 4).tolist() == [[5.0, 6.0, 7.5, 7.5]]
    assert base_occupancy([area], 3, quantile=0.9).tolist() == [[5.0, 8.0, 9.0]]
    assert base_occupancy([Area("B", 10, 4)], 3).tolist() == [[4.0, 4.0, 4.0]]
    with pytest.raises(KeyError):
        base_occupancy([area], 3, quantile=0.75)


def test_summary_counts_overflow_above_staffed_beds_only_at_home() -> None:
    occupancy = np.array([[85.0, 90.0], [10.0, 10.0], [30.0, 30.0]])
    summary = summarise(AREAS, occupancy, Basis.STAFFED)
    assert summary.overflow == pytest.approx(5 + 10)  # A: 80 COVID beds; Germany ignored
    assert summary.max_load > summary.min_load


def test_haversine_amsterdam_rotterdam() -> None:
    km = haversine_km(np.array(52.37), np.array(4.90), np.array(51.92), np.array(4.48))
    assert float(km) == pytest.approx(57.5, abs=1.5)
    assert float(haversine_km(np.nan, 4.0, 52.0, 5.0)) == 0.0


def test_arcs_nearest_neighbours_regional_groups_and_last_resort() -> None:
    grid = [Area(f"H{i}", 10, 5, lat=52.0, lon=4.0 + i * 0.1, group="G1" if i < 3 else "G2")
            for i in range(6)]  # fmt: skip
    grid.append(Area("DE", 10, 0, lat=51.2, lon=6.8, is_last_resort=True, group="G1"))
    everything = build_arcs(grid, SpreadSettings())
    assert len(everything) == 6 * 5 + 6  # all pairs plus Germany for every sender
    assert 6 not in everything.source.tolist()  # Germany never sends
    nearest = build_arcs(grid, SpreadSettings(max_neighbours=2, use_last_resort=False))
    assert len(nearest) == 6 * 2
    assert set(nearest.target[nearest.source == 0].tolist()) == {1, 2}
    regional = build_arcs(grid, SpreadSettings(level=Level.REGIONAL))
    for s, t in zip(regional.source.tolist(), regional.target.tolist(), strict=True):
        assert grid[s].group == grid[t].group


def test_summary_loads_are_those_the_plan_leads_to() -> None:
    # day 0 unbalanced (transfers not yet arrived), last day balanced: the summary must show
    # the balance the plan reaches, not the day-0 imbalance it started from
    before = np.array([[80.0, 80.0], [10.0, 10.0], [0.0, 0.0]])
    after = np.array([[80.0, 60.0], [10.0, 30.0], [0.0, 0.0]])
    assert (
        summarise(AREAS, after, Basis.STAFFED).max_load
        < summarise(AREAS, before, Basis.STAFFED).max_load
    )
