"""Simulation use cases: load arrivals and capacities, run ensembles (here or on Dask).

The domain (:mod:`kraan.domain.simulation`) is pure; this module reads the defaults
file, the LCPS feeds (either format, :mod:`kraan.ingest.lcps`), the regions with their
populations and the demo's regional split (:func:`kraan.ingest.demo.regional_covid_shares`),
and turns a scenario into engine inputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from kraan.domain.simulation.engine import FlowInputs
from kraan.domain.simulation.ensemble import BlockSummary, contract, run_ensemble
from kraan.domain.simulation.inputs import fill_missing, replay_inputs, split_integer, wave_inputs
from kraan.domain.simulation.modules import Module, build_module
from kraan.domain.simulation.params import SimParams, params_from_mapping, with_overrides
from kraan.domain.simulation.scenario import Scenario
from kraan.domain.simulation.stays import LevelFit, fit_level, weibull_survival
from kraan.ingest.lcps import NationalSeries, combined_national_series, parse_lcps
from kraan.settings import PACKAGE_DATA

DEFAULTS_FILE = PACKAGE_DATA / "simulation_defaults.json"
ROAZ_TABLE = PACKAGE_DATA / "roaz_regions.csv"
#: the regional pattern of synthetic waves: the demo's split of 2020-10-01 + 92 days
SECOND_WAVE = (date(2020, 10, 1), 92)


@lru_cache(maxsize=4)
def load_params(path: Path = DEFAULTS_FILE) -> SimParams:
    return params_from_mapping(json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass(frozen=True, eq=False)
class RegionSetup:
    codes: tuple[str, ...]
    population: np.ndarray  # (R,) weights
    raw_dir: Path | None
    reference: object | None = None


@lru_cache(maxsize=4)
def load_regions(raw_dir: Path | None) -> RegionSetup:
    """The 11 ROAZ regions with their populations; equal weights without the raw data."""
    if raw_dir is not None and (Path(raw_dir) / "corona_locator").is_dir():
        from kraan.ingest.reference import load_reference

        ref = load_reference(Path(raw_dir))
        return RegionSetup(
            codes=tuple(r.code for r in ref.regions),
            population=np.array([r.population for r in ref.regions], dtype=float),
            raw_dir=Path(raw_dir),
            reference=ref,
        )
    from kraan.ingest.reference import load_roaz_table

    codes = tuple(row["roaz_code"] for row in load_roaz_table(ROAZ_TABLE))
    return RegionSetup(codes=codes, population=np.ones(len(codes)), raw_dir=None)


def regional_shares(setup: RegionSetup, first: date, days: int) -> np.ndarray:
    """(days, R) share of COVID admissions per region, as the demo splits the national series."""
    dates = np.arange(np.datetime64(first, "D"), np.datetime64(first + timedelta(days), "D"))
    if setup.reference is not None and setup.raw_dir is not None:
        from kraan.ingest.demo import regional_covid_shares

        return regional_covid_shares(setup.raw_dir, setup.reference, dates)  # type: ignore[arg-type]
    return np.tile(setup.population / setup.population.sum(), (days, 1))


def capacities(setup: RegionSetup, params: SimParams) -> dict[str, np.ndarray]:
    """National beds split by population (largest remainder), as the synthetic locations are."""
    w = setup.population
    return {
        "ic_beds": split_integer(params.ic_beds, w),
        "ward_beds": split_integer(params.ward_beds, w),
        "ward_covid_beds": split_integer(params.ward_covid_beds, w),
        "elv_beds": split_integer(params.elv_beds, w),
    }


def census(series: NationalSeries) -> tuple[np.ndarray, np.ndarray]:
    """National COVID IC (incl. ontlabeld and abroad) and ward (incl. ontlabeld) census."""
    ic = series.ic_covid + np.nan_to_num(series.ic_ontlabeld) + np.nan_to_num(series.ic_abroad)
    ward = series.ward_covid + np.nan_to_num(series.ward_ontlabeld)
    return ic, ward


def load_series(path: Path | None, raw_dir: Path | None) -> NationalSeries:
    """One LCPS file (either format), or the combined real series when no file is given."""
    if path is not None:
        return parse_lcps(Path(path))
    if raw_dir is None:
        raise ValueError("no LCPS file and no raw data directory")
    return combined_national_series(Path(raw_dir))


def filled_admissions(series: NationalSeries, params: SimParams) -> tuple[np.ndarray, np.ndarray]:
    """IC and ward admissions with missing days filled from the census (inputs.fill_missing)."""
    ic_occ, ward_occ = census(series)
    k = params.max_stay + 1
    out = []
    for adm, occ, name in ((series.ic_admissions, ic_occ, "ic"),
                           (series.ward_admissions, ward_occ, "ward")):
        stay = params.stays[name]
        out.append(fill_missing(adm, occ, weibull_survival(stay, k), stay.scale))
    return out[0], out[1]


def replay_flow_inputs(
    series: NationalSeries, start: date, end: date, params: SimParams, setup: RegionSetup,
    scale_up: bool = False,
) -> FlowInputs:
    """Engine inputs replaying ``start..end`` of the series from the census at ``start``."""
    if end < start:
        raise ValueError(f"--end {end} lies before --start {start}")
    if start < series.start or end > series.end:
        raise ValueError(
            f"{start}..{end} is not inside the file's days {series.start}..{series.end}"
        )
    ic_adm, ward_adm = filled_admissions(series, params)
    ic_occ, ward_occ = census(series)
    i0, i1 = series.index_of(start), series.index_of(end)
    if not (np.isfinite(ic_occ[i0]) and np.isfinite(ward_occ[i0])):
        raise ValueError(f"the file has no IC and ward occupancy on {start}")
    days = i1 - i0 + 1
    shares = regional_shares(setup, start, days)
    caps = capacities(setup, params)
    return replay_inputs(
        first_day=start,
        regions=setup.codes,
        shares=shares,
        ic_admissions=ic_adm[i0 : i1 + 1],
        ward_admissions=ward_adm[i0 : i1 + 1],
        history_ic=ic_adm[:i0][::-1],
        history_ward=ward_adm[:i0][::-1],
        ic0=float(ic_occ[i0]),
        ward0=float(ward_occ[i0]),
        params=params,
        scale_up=scale_up,
        **caps,
    )


def fit_stays(series: NationalSeries, first: date, last: date, params: SimParams
              ) -> dict[str, LevelFit]:
    """Choose the IC and ward stays on ``first..last`` (docs/simulation.md, "Fitting")."""
    ic_occ, ward_occ = census(series)
    i0, i1 = series.index_of(first), series.index_of(last)
    ic_adm, ward_adm = filled_admissions(series, params)
    ic_fit = fit_level(ic_adm, ic_occ, i0, i1, params.max_stay)
    k = params.max_stay + 1
    # ward: census less the expected pre-IC and post-IC stays
    from kraan.domain.simulation.params import Stay

    s_ic = weibull_survival(Stay(ic_fit.mean_days, ic_fit.shape), k)
    ic_out = ic_fit.scale * np.convolve(ic_adm, -np.diff(np.concatenate([[1.0], s_ic])))
    post = params.ic_to_ward * np.convolve(ic_out[: len(ic_adm)],
                                           weibull_survival(params.stays["post_ic"], k))
    pre = params.ward_to_ic * np.convolve(ward_adm, weibull_survival(params.stays["pre_ic"], k))
    residual = ward_occ - post[: len(ward_adm)] - pre[: len(ward_adm)]
    ward_fit = fit_level(ward_adm * (1 - params.ward_to_ic), residual, i0, i1, params.max_stay)
    return {"ic": ic_fit, "ward": ward_fit}


def scenario_inputs(scenario: Scenario, params: SimParams, setup: RegionSetup
                    ) -> tuple[FlowInputs, SimParams]:
    """Engine inputs and parameters for a scenario (a quadrant wave or a replayed period)."""
    params = with_overrides(params, scenario.overrides) if scenario.overrides else params
    caps = capacities(setup, params)
    for name, value in scenario.capacities.items():
        caps[name] = split_integer(value, setup.population)
    if scenario.replay is not None:
        series = load_series(scenario.replay.input, setup.raw_dir)
        inputs = replay_flow_inputs(series, scenario.replay.start, scenario.replay.end, params,
                                    setup, scale_up=scenario.scale_up)
        return FlowInputs(**{**inputs.__dict__, **caps}), params
    quadrant = params.quadrants[scenario.quadrant or "contagious_severe"]
    params = with_overrides(params, {"arrival_cv": params.peak_cv})
    shares = setup.population / setup.population.sum()
    if scenario.regional_pattern == "second_wave":
        shares = regional_shares(setup, SECOND_WAVE[0], SECOND_WAVE[1]).mean(axis=0)
    inputs = wave_inputs(first_day=scenario.start, days=scenario.days, regions=setup.codes,
                         shares=shares, quadrant=quadrant, params=params,
                         scale_up=scenario.scale_up, **caps)
    return inputs, params


def scenario_modules(scenario: Scenario, params: SimParams) -> list[Module]:
    out = []
    for item in scenario.modules:
        if item.key not in params.modules:
            raise ValueError(f"unknown module {item.key!r}; known: {', '.join(params.modules)}")
        out.append(build_module(params.modules[item.key], phase=item.phase, start=item.start,
                                overrides=item.params))
    return out


def run_scenario(scenario: Scenario, raw_dir: Path | None) -> tuple[BlockSummary, FlowInputs]:
    params = load_params()
    setup = load_regions(raw_dir)
    inputs, params = scenario_inputs(scenario, params, setup)
    modules = scenario_modules(scenario, params)
    summary = run_ensemble(inputs, params, modules, scenario.members, scenario.seed,
                           protect_u3=scenario.protect_u3)
    return summary, inputs


def scenario_document(scenario: Scenario, raw_dir: Path | None) -> dict[str, object]:
    summary, inputs = run_scenario(scenario, raw_dir)
    return contract(summary, inputs)


def fidelity(summary: BlockSummary, truth_ic: np.ndarray, truth_ward: np.ndarray
             ) -> dict[str, dict[str, float]]:
    """MAPE of the median and coverage of the 90 % band, per level."""
    out = {}
    for name, sims, truth in (("ic", summary.ic, truth_ic), ("ward", summary.ward, truth_ward)):
        q05, q50, q95 = np.quantile(sims, [0.05, 0.5, 0.95], axis=0)
        keep = np.isfinite(truth) & (truth > 0)
        out[name] = {
            "mape": float(np.mean(np.abs(q50[keep] - truth[keep]) / truth[keep])),
            "coverage": float(np.mean((truth[keep] >= q05[keep]) & (truth[keep] <= q95[keep]))),
            "days": int(keep.sum()),
        }
    return out
