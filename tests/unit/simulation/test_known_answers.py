"""Known answers of the patient-flow model: steady census, module 1's saved bed-days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from kraan.domain.simulation.engine import FlowInputs, run_flow
from kraan.domain.simulation.ensemble import BLOCK, block_rng, run_ensemble
from kraan.domain.simulation.modules import build_modules
from kraan.domain.simulation.params import SimParams, Stay
from kraan.domain.simulation.stays import (
    quantile_table,
    residual_pmf,
    stay_pmf,
    weibull_survival,
)
from kraan.services.simulation import load_params


@pytest.fixture(scope="module")
def plain() -> SimParams:
    """Only ward stays: no moves to IC, no ELV, no member spread, arrivals not rescaled."""
    p = load_params()
    return replace(
        p, ward_to_ic=0.0, elv_share=0.0, los_cv=0.0, arrival_cv=0.0,
        stays={**p.stays, "ward": Stay(8.0, 1.5, 1.0), "ic": Stay(12.0, 1.0, 1.0)},
    )


def _inputs(ward: np.ndarray, ic: np.ndarray | None = None) -> FlowInputs:
    t = ward.shape[0]
    one = np.ones(1)
    return FlowInputs(
        first_day=date(2021, 1, 1), regions=("R",), ward_rate=ward[:, None],
        ic_rate=(np.zeros(t) if ic is None else ic)[:, None], ic0=np.zeros(1),
        ward0=np.zeros(1), ic0_residual=residual_pmf(np.array([]), weibull_survival(
            Stay(12.0, 1.0), 71)), ward0_residual=residual_pmf(np.array([]),
            weibull_survival(Stay(8.0, 1.5), 71)),
        ic_beds=one * 100, ward_beds=one * 1000, ward_covid_beds=one * 500,
        elv_beds=one * 100,
    )


def test_table_gives_back_the_stay_distribution() -> None:
    pmf = stay_pmf(weibull_survival(Stay(8.0, 1.5), 71))
    d = np.floor(quantile_table(pmf) + 0.5)
    assert abs(d.mean() - float(np.arange(71) @ pmf)) < 0.02


def test_constant_arrivals_times_mean_stay_is_the_steady_census(plain: SimParams) -> None:
    a = 40.0
    res = run_flow(_inputs(np.full(200, a)), plain, [], 20, block_rng(1, 0))
    mean_stay = float(np.arange(71) @ stay_pmf(weibull_survival(plain.stays["ward"], 71)))
    steady = res.ward[:, 120:, 0].mean()
    assert steady == pytest.approx(a * mean_stay, rel=0.02)
    assert mean_stay == pytest.approx(8.0, rel=0.05)  # the Weibull mean, discretised


def test_ic_census_follows_little_law_with_the_ic_stay(plain: SimParams) -> None:
    res = run_flow(_inputs(np.zeros(200), np.full(200, 10.0)), plain, [], 20, block_rng(2, 0))
    mean_stay = float(np.arange(71) @ stay_pmf(weibull_survival(plain.stays["ic"], 71)))
    assert res.ic[:, 120:, 0].mean() == pytest.approx(10.0 * mean_stay, rel=0.03)


def test_home_monitoring_saves_p_times_six_bed_days_per_eligible_patient(
    plain: SimParams,
) -> None:
    # 100 days of admissions, then 80 quiet days: every stay ends inside the run
    arrivals = np.concatenate([np.full(100, 60.0), np.zeros(80)])
    p = 0.4
    mods = build_modules(plain.modules, ["1"])
    mods[0].params = {**mods[0].params, "enrolment_share": p}
    members = 20
    exact = replace(plain, hm_readmission=0.0)  # readmissions would give some days back
    base = run_flow(_inputs(arrivals), exact, [], members, block_rng(3, 0))
    with_hm = run_flow(_inputs(arrivals), exact, mods, members, block_rng(3, 0))
    pmf = stay_pmf(weibull_survival(plain.stays["ward"], 71))
    eligible = 100 * 60.0 * plain.hm_eligible * float(pmf[7:].sum())  # D >= 7 days
    saved = (base.ward.sum(axis=(1, 2)).mean() - with_hm.ward.sum(axis=(1, 2)).mean())
    assert saved / eligible == pytest.approx(p * 6, rel=0.1)
    assert with_hm.enrolled.sum(axis=1).mean() == pytest.approx(eligible * p, rel=0.05)


def test_same_seed_same_result_and_blocks_are_independent(plain: SimParams) -> None:
    inp = _inputs(np.full(40, 30.0))
    a = run_ensemble(inp, plain, [], BLOCK + 7, seed=5)
    b = run_ensemble(inp, plain, [], BLOCK + 7, seed=5)
    c = run_ensemble(inp, plain, [], BLOCK + 7, seed=6)
    assert np.array_equal(a.ward, b.ward)
    assert not np.array_equal(a.ward, c.ward)
    # the first block is the same whatever the ensemble size
    d = run_ensemble(inp, plain, [], BLOCK, seed=5)
    assert np.array_equal(a.ward[:BLOCK], d.ward)


def test_elv_capacity_blocks_ward_beds(plain: SimParams) -> None:
    p = replace(plain, elv_share=0.5)
    inp = _inputs(np.full(120, 50.0))
    small = run_flow(replace(inp, elv_beds=np.array([50.0])), p, [], 10, block_rng(4, 0))
    large = run_flow(replace(inp, elv_beds=np.array([5000.0])), p, [], 10, block_rng(4, 0))
    assert small.blocked.sum() > 0
    assert large.blocked.sum() == 0
    assert small.ward.sum() > large.ward.sum()
    assert small.elv.max() <= 50
