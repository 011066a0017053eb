"""Every module changes what it should, and only through its hooks."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from kraan.domain.simulation.ensemble import BlockSummary, run_ensemble
from kraan.domain.simulation.modules import MODULE_KEYS, build_module, build_modules
from kraan.domain.simulation.params import SimParams, with_overrides
from kraan.domain.simulation.scenario import Scenario, Sweep
from kraan.services.simulation import load_params, load_regions, scenario_inputs

SEED = 3


@pytest.fixture(scope="module")
def setup() -> tuple[object, SimParams]:
    params = load_params()
    scenario = Scenario(quadrant="contagious_severe", days=120, members=12, seed=SEED,
                        regional_pattern="population")
    regions = load_regions(None)  # no raw data needed: 11 regions, equal weights
    inputs, params = scenario_inputs(scenario, params, regions)
    return inputs, params


def _run(setup: tuple[object, SimParams], keys: list[str], **over: object) -> BlockSummary:
    inputs, params = setup
    params = with_overrides(params, over) if over else params
    return run_ensemble(inputs, params, build_modules(params.modules, keys), 12, SEED)  # type: ignore[arg-type]


def med(summary: BlockSummary, key: str) -> float:
    return float(np.median(summary.totals[key]))


def test_every_module_is_known_and_cites_its_parameters() -> None:
    params = load_params()
    assert {"1", "4A", "4B", "5", "6", "8", "A", "ELV", "FS"} <= set(MODULE_KEYS)
    for key in MODULE_KEYS:
        assert params.modules[key].params, key
    with pytest.raises(ValueError, match="unknown module"):
        build_modules(params.modules, ["9Z"])
    with pytest.raises(ValueError, match="unknown parameters"):
        build_module(params.modules["1"], overrides={"nope": 1})


def test_module_effects_go_the_right_way(setup: tuple[object, SimParams]) -> None:
    base = _run(setup, [])
    assert med(_run(setup, ["1"]), "ward_bed_days") < med(base, "ward_bed_days")
    assert med(_run(setup, ["4A"]), "ic_bed_days") < med(base, "ic_bed_days")
    assert med(_run(setup, ["5"]), "ic_excess_bed_days") < med(base, "ic_excess_bed_days")
    assert med(_run(setup, ["A"]), "ic_excess_bed_days") <= med(base, "ic_excess_bed_days")
    zbc = _run(setup, ["6"])
    assert med(zbc, "zbc_bed_days") > 0
    assert med(zbc, "postponed_U5") < med(base, "postponed_U5")
    assert med(_run(setup, ["ELV"]), "blocked_bed_days") < med(base, "blocked_bed_days")
    assert med(_run(setup, ["8"]), "blocked_bed_days") <= med(base, "blocked_bed_days")
    # arrivals are the same draws with or without a module (common random numbers)
    assert np.array_equal(_run(setup, ["ELV"]).ic, base.ic)


def test_fair_share_moves_patients_when_regions_differ() -> None:
    params = load_params()
    scenario = Scenario(quadrant="contagious_severe", days=120, members=10, seed=SEED)
    regions = load_regions(None)
    inputs, params = scenario_inputs(scenario, params, regions)
    skew = np.linspace(0.3, 1.7, len(regions.codes))
    inputs = type(inputs)(**{**inputs.__dict__,
                             "ic_rate": inputs.ic_rate * skew / skew.mean(),
                             "ward_rate": inputs.ward_rate * skew / skew.mean()})
    base = run_ensemble(inputs, params, [], 10, SEED)
    fs = run_ensemble(inputs, params, build_modules(params.modules, ["FS"]), 10, SEED)
    assert med(fs, "transfers") > 0
    assert med(fs, "ic_excess_bed_days") < med(base, "ic_excess_bed_days")
    ward = run_ensemble(inputs, params, build_modules(params.modules, ["4B"]), 10, SEED)
    assert med(ward, "transfers") > 0


def test_postponed_care_gives_way_u5_then_u4_then_u3(setup: tuple[object, SimParams]) -> None:
    base = _run(setup, [])
    assert med(base, "postponed_U5") >= med(base, "postponed_U4")
    unprotected = _run(setup, [], protect_u3_until="2A")
    assert med(unprotected, "postponed_U3") >= med(base, "postponed_U3")


def test_scale_up_path_adds_ic_beds() -> None:
    params = load_params()
    regions = load_regions(None)
    flat, _ = scenario_inputs(Scenario(quadrant="contagious_severe", days=90), params, regions)
    up, _ = scenario_inputs(Scenario(quadrant="contagious_severe", days=90, scale_up=True),
                            params, regions)
    a = run_ensemble(flat, params, [], 6, SEED)
    b = run_ensemble(up, params, [], 6, SEED)
    assert med(b, "ic_excess_bed_days") < med(a, "ic_excess_bed_days")


def test_yaml_scenario_and_sweep_cells(tmp_path: object) -> None:
    yaml = pytest.importorskip("yaml")
    text = ("quadrant: slow_mild\nstart: 2021-10-01\nmodules: ['1', {key: ELV, phase: 1A}]\n"
            "members: 3\n")
    scenario = Scenario.model_validate(yaml.safe_load(text))
    assert scenario.module_keys == ["1", "ELV"]
    assert scenario.start == date(2021, 10, 1)
    sweep = Sweep(quadrants=["a", "b"], combinations=[[], "1+ELV"])  # type: ignore[list-item]
    assert sweep.cells() == [("a", ()), ("a", ("1", "ELV")), ("b", ()), ("b", ("1", "ELV"))]
    with pytest.raises(ValueError):
        Scenario(modules=[{"key": "1", "phase": "9Z"}])  # type: ignore[list-item]
