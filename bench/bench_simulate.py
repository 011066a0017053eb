"""Speed of the vectorised patient-flow model, against the same model per patient in SimPy.

1. Reference: the model of ``kraan.domain.simulation.engine`` (no modules: ward, pre-IC,
   IC, post-IC ward, ELV with finite beds and blocked ward beds) written per patient as
   SimPy processes, with the same stay tables, member factors and Poisson arrivals.
   Both run the same synthetic wave (quadrant ``contagious_severe``, 11 regions);
   their outputs are compared in distribution (daily means, quantiles, peaks) and the
   speed ratio is per member-day.
2. 1,000 members x 300 days x 11 regions with the vectorised model (goal < 10 s).
3. A sweep of 4 quadrants x 16 module combinations x 200 members on a LocalCluster.

    .venv/bin/python bench/bench_simulate.py                 # all three
    .venv/bin/python bench/bench_simulate.py --skip-sweep --simpy-members 20

Needs the ``bench`` (simpy) and ``sim`` (dask, pyarrow) extras.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np
from rich.console import Console

from kraan.domain.simulation.engine import FlowInputs
from kraan.domain.simulation.ensemble import run_ensemble
from kraan.domain.simulation.params import SimParams
from kraan.domain.simulation.scenario import Scenario, Sweep
from kraan.domain.simulation.stays import (
    TABLE_SIZE,
    quantile_table,
    stay_pmf,
    weibull_survival,
)
from kraan.services.simulation import load_params, load_regions, scenario_inputs
from kraan.settings import get_settings

console = Console(width=200)


def simpy_member(inputs: FlowInputs, params: SimParams, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One member of the model per patient; national IC, ward and ELV census per day."""
    import simpy

    k = params.max_stay + 1
    tables = {n: quantile_table(stay_pmf(weibull_survival(params.stays[s], k,
                                                          inputs.los_factor if h else 1.0)))
              for n, s, h in (("ward", "ward", True), ("ic", "ic", True), ("pre", "pre_ic", True),
                              ("post", "post_ic", True), ("elv", "elv", False))}
    sigma_a = np.sqrt(np.log1p(params.arrival_cv**2))
    sigma_l = np.sqrt(np.log1p(params.los_cv**2))
    f_arr = float(np.exp(rng.normal(-sigma_a**2 / 2, sigma_a))) if params.arrival_cv else 1.0
    f_ic = float(np.exp(rng.normal(-sigma_l**2 / 2, sigma_l))) if params.los_cv else 1.0
    f_ward = float(np.exp(rng.normal(-sigma_l**2 / 2, sigma_l))) if params.los_cv else 1.0

    def stay(name: str, factor: float) -> int:
        x = tables[name][rng.integers(0, TABLE_SIZE)] * factor
        return int(np.clip(np.floor(x + 0.5), 1, k - 1))

    env = simpy.Environment()
    r_len, t_len = len(inputs.regions), inputs.days
    ward = np.zeros(r_len, dtype=np.int64)
    ic = np.zeros(r_len, dtype=np.int64)
    elv_count = np.zeros(r_len, dtype=np.int64)
    elv = [simpy.Resource(env, capacity=max(int(c), 1)) for c in inputs.elv_beds]
    out = np.zeros((3, t_len))

    def discharge(r: int):  # type: ignore[no-untyped-def]
        if rng.random() < params.elv_share:
            req = elv[r].request()
            yield req  # waits in the ward bed: a blocked bed-day
            ward[r] -= 1
            elv_count[r] += 1
            yield env.timeout(stay("elv", 1.0))
            elv_count[r] -= 1
            elv[r].release(req)
        else:
            ward[r] -= 1

    def ic_patient(r: int, d: int | None = None):  # type: ignore[no-untyped-def]
        ic[r] += 1
        yield env.timeout(d if d is not None else stay("ic", f_ic))
        ic[r] -= 1
        if rng.random() < params.ic_to_ward:
            ward[r] += 1
            yield env.timeout(stay("post", f_ward))
            yield from discharge(r)

    def ward_patient(r: int, d: int | None = None):  # type: ignore[no-untyped-def]
        ward[r] += 1
        if d is None and rng.random() < params.ward_to_ic:
            yield env.timeout(stay("pre", f_ward))
            ward[r] -= 1
            yield from ic_patient(r)
            return
        yield env.timeout(d if d is not None else stay("ward", f_ward))
        yield from discharge(r)

    def arrivals():  # type: ignore[no-untyped-def]
        res_ic = quantile_table(inputs.ic0_residual)
        res_ward = quantile_table(inputs.ward0_residual)
        for r in range(r_len):
            for _ in range(int(inputs.ic0[r])):
                d = int(np.clip(np.floor(res_ic[rng.integers(0, TABLE_SIZE)] * f_ic + 0.5), 1,
                                k - 1))
                env.process(ic_patient(r, d))
            for _ in range(int(inputs.ward0[r])):
                d = int(np.clip(np.floor(res_ward[rng.integers(0, TABLE_SIZE)] * f_ward + 0.5),
                                1, k - 1))
                env.process(ward_patient(r, d))
        for t in range(t_len):
            for r in range(r_len):
                n_w = rng.poisson(inputs.ward_rate[t, r] * f_arr * params.stays["ward"].scale)
                n_i = rng.poisson(inputs.ic_rate[t, r] * f_arr * params.stays["ic"].scale)
                for _ in range(n_w):
                    env.process(ward_patient(r))
                for _ in range(n_i):
                    env.process(ic_patient(r))
            yield env.timeout(1)

    def monitor():  # type: ignore[no-untyped-def]
        yield env.timeout(0.5)
        for t in range(t_len):
            out[:, t] = ic.sum(), ward.sum(), elv_count.sum()
            yield env.timeout(1)

    env.process(arrivals())
    env.process(monitor())
    env.run(until=t_len)
    return out[0], out[1], out[2]


def ks(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic."""
    grid = np.sort(np.concatenate([a, b]))
    fa = np.searchsorted(np.sort(a), grid, side="right") / a.size
    fb = np.searchsorted(np.sort(b), grid, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--simpy-members", type=int, default=40)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--days", type=int, default=300)
    parser.add_argument("--sweep-members", type=int, default=200)
    parser.add_argument("--skip-sweep", action="store_true")
    args = parser.parse_args()
    console.print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} "
                  f"cores, load average {os.getloadavg()} (shared with other agents)")
    raw = Path(get_settings().raw_data_dir)
    setup = load_regions(raw if raw.is_dir() else None)
    params0 = load_params()
    scenario = Scenario(quadrant="contagious_severe", start=date(2021, 10, 1), days=args.days,
                        members=args.members, seed=11)
    inputs, params = scenario_inputs(scenario, params0, setup)

    # 1. SimPy reference vs vectorised, same inputs
    rng = np.random.default_rng(5)
    t0 = time.perf_counter()
    ref = [simpy_member(inputs, params, rng) for _ in range(args.simpy_members)]
    t_simpy = time.perf_counter() - t0
    ref_ic = np.array([r[0] for r in ref])
    ref_ward = np.array([r[1] for r in ref])
    vec_n = max(200, args.simpy_members)
    t0 = time.perf_counter()
    vec = run_ensemble(inputs, params, [], vec_n, seed=5)
    t_vec = time.perf_counter() - t0
    per_simpy = t_simpy / args.simpy_members
    per_vec = t_vec / vec_n
    console.print(f"[bold]1. SimPy reference[/]: {args.simpy_members} members x {args.days} days "
                  f"x {len(setup.codes)} regions in {t_simpy:.1f} s ({per_simpy:.3f} s/member); "
                  f"vectorised {vec_n} members in {t_vec:.2f} s ({per_vec * 1e3:.1f} ms/member); "
                  f"speed ratio {per_simpy / per_vec:.0f}x")
    crit = 1.36 * np.sqrt((vec_n + args.simpy_members) / (vec_n * args.simpy_members))
    console.print(f"   two-sample KS critical value at 5 %: {crit:.2f} "
                  "(below it: same distribution not rejected)")
    for name, a, b in (("IC", vec.ic, ref_ic), ("ward", vec.ward, ref_ward)):
        mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
        busy = mean_b > 0.2 * mean_b.max()
        rel = float(np.mean(np.abs(mean_a[busy] - mean_b[busy]) / mean_b[busy]))
        q = [(float(np.quantile(a.max(axis=1), x)), float(np.quantile(b.max(axis=1), x)))
             for x in (0.05, 0.5, 0.95)]
        console.print(f"   {name}: daily mean differs by {rel:.1%} on busy days; peak q05/q50/q95 "
                      f"vectorised {q[0][0]:.0f}/{q[1][0]:.0f}/{q[2][0]:.0f} vs SimPy "
                      f"{q[0][1]:.0f}/{q[1][1]:.0f}/{q[2][1]:.0f}; KS of peaks "
                      f"{ks(a.max(axis=1), b.max(axis=1)):.2f}, of bed-days "
                      f"{ks(a.sum(axis=1), b.sum(axis=1)):.2f}")

    # 2. 1,000 members x 300 days x 11 regions
    t0 = time.perf_counter()
    run_ensemble(inputs, params, [], args.members, seed=7)
    t_big = time.perf_counter() - t0
    console.print(f"[bold]2. {args.members} members x {args.days} days x {len(setup.codes)} "
                  f"regions[/]: {t_big:.1f} s (goal < 10 s), "
                  f"{args.members * args.days * len(setup.codes) / t_big / 1e6:.2f} M "
                  "member-region-days/s")

    # 3. 4 quadrants x 16 module combinations x members on a LocalCluster
    if args.skip_sweep:
        return
    from kraan.services.simulation_sweep import render_table, run_sweep

    keys = ["1", "ELV", "FS", "5"]
    combos = [list(c) for n in range(len(keys) + 1) for c in itertools.combinations(keys, n)]
    sweep = Sweep(base=Scenario(days=240, members=args.sweep_members, seed=3),
                  quadrants=list(params0.quadrants), combinations=combos)
    t0 = time.perf_counter()
    table = run_sweep(sweep, setup.raw_dir, workers=2, out=Path("var/sweeps"))
    t_sweep = time.perf_counter() - t0
    console.print(f"[bold]3. sweep[/] {len(sweep.quadrants)} quadrants x {len(combos)} "
                  f"combinations x {args.sweep_members} members x 240 days on a LocalCluster "
                  f"(2 worker processes): {t_sweep:.1f} s")
    render_table(table, console)


if __name__ == "__main__":
    main()
