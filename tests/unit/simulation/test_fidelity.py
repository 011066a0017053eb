"""Fidelity: replaying real LCPS admissions (no modules) tracks the LCPS census.

The full check (2020-10-01..2021-06-30, and the unseen 2021-07..2022-06) is in
docs/simulation.md; here a shorter period of the fitting window keeps the test fast.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kraan.domain.simulation.ensemble import run_ensemble
from kraan.services import simulation as sim
from kraan.settings import get_settings

RAW = Path(get_settings().raw_data_dir)
pytestmark = pytest.mark.skipif(not (RAW / "lcps_zubcevic").is_dir(), reason="no raw LCPS data")


def test_replay_of_the_second_wave_is_within_ten_percent() -> None:
    params = sim.load_params()
    setup = sim.load_regions(RAW)
    series = sim.load_series(None, RAW)
    first, last = date(2020, 11, 1), date(2021, 1, 31)
    inputs = sim.replay_flow_inputs(series, first, last, params, setup)
    summary = run_ensemble(inputs, params, [], members=60, seed=1)
    ic, ward = sim.census(series)
    i0, i1 = series.index_of(first), series.index_of(last)
    score = sim.fidelity(summary, ic[i0 : i1 + 1], ward[i0 : i1 + 1])
    for level in ("ic", "ward"):
        assert score[level]["mape"] < 0.10, score
        assert score[level]["coverage"] >= 0.80, score


def test_the_stored_stays_are_the_fit_on_the_fitting_window() -> None:
    params = sim.load_params()
    series = sim.load_series(None, RAW)
    fits = sim.fit_stays(series, date(2020, 10, 1), date(2021, 6, 30), params)
    assert fits["ic"].mean_days == pytest.approx(params.stays["ic"].mean_days, rel=0.01)
    assert fits["ic"].mape < 0.08
    assert fits["ward"].mape < 0.08
