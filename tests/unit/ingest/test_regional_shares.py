"""Admissions counted by safety region go to ROAZ regions by municipality population share."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kraan.domain.model import Region
from kraan.ingest.demo import DASHBOARD_DIR, regional_covid_shares, safety_region_weights
from kraan.ingest.reference import Municipality, Reference, load_reference
from kraan.settings import get_settings

RAW = get_settings().raw_data_dir
DAY = 86_400


def _small_reference() -> Reference:
    """VR01 lies 3/4 in R1 and 1/4 in R2 (by population); VR02 wholly in R2."""
    towns = (
        Municipality("GM0001", "Alpha", "VR01", 300_000, region_code="R1"),
        Municipality("GM0002", "Beta", "VR01", 100_000, region_code="R2"),
        Municipality("GM0003", "Gamma", "VR02", 200_000, region_code="R2"),
    )
    regions = (
        Region("R1", "One", ("VR01",), 300_000, ("GM0001",)),
        Region("R2", "Two", ("VR01", "VR02"), 300_000, ("GM0002", "GM0003")),
    )
    return Reference(regions, {"VR01": "One", "VR02": "Two"}, towns, ())


def _dashboard(raw: Path, vr: str, admissions: float, days: int = 20) -> None:
    folder = raw / DASHBOARD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    start = 1_600_000_000 // DAY * DAY
    values = [
        {"date_unix": start + k * DAY, "admissions_moving_average": admissions} for k in range(days)
    ]
    (folder / f"{vr}.json").write_text(json.dumps({"hospital_nice": {"values": values}}))


def test_weights_are_population_shares() -> None:
    weights = safety_region_weights(_small_reference())
    assert weights["VR01"].tolist() == [0.75, 0.25]
    assert weights["VR02"].tolist() == [0.0, 1.0]


def test_a_split_safety_region_is_apportioned_by_population(tmp_path: Path) -> None:
    _dashboard(tmp_path, "VR01", 8.0)
    _dashboard(tmp_path, "VR02", 4.0)
    start = np.datetime64(1_600_000_000 // DAY * DAY, "s").astype("datetime64[D]")
    dates = start + np.arange(5, 15)
    shares = regional_covid_shares(tmp_path, _small_reference(), dates)
    # R1 = 3/4 of 8 = 6; R2 = 1/4 of 8 + 4 = 6: half each, every day
    assert np.allclose(shares, 0.5)


@pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")
def test_real_shares_sum_to_one_and_split_regions_add_up() -> None:
    reference = load_reference(RAW)
    weights = safety_region_weights(reference)
    assert sorted(weights) == [f"VR{i:02d}" for i in range(1, 26)]
    for row in weights.values():
        assert row.sum() == pytest.approx(1.0)
    spanning = {vr for vr, row in weights.items() if (row > 0).sum() > 1}
    assert {"VR03", "VR06", "VR07", "VR10", "VR11", "VR13"} == spanning
    dates = np.arange(np.datetime64("2020-10-01"), np.datetime64("2021-01-01"))
    shares = regional_covid_shares(RAW, reference, dates)
    assert shares.shape == (dates.shape[0], 11)
    assert np.allclose(shares.sum(axis=1), 1.0)
