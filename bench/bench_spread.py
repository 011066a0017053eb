"""Solve time of the transfer-plan optimiser, and like for like against PuLP + CBC.

Cases (issue part 6): 11 regions x 7 days (goal < 0.1 s), 100 hospitals x 14 days
(goal < 2 s), continental 5,000 hospitals x 7 days with 20 nearest neighbours each
(goal < 60 s). Snapshots are synthetic but plausible (IC sizes 8-200 beds, COVID load
30-105 % of the COVID beds, forecasts growing -3 % to +6 % a day), seeded.

Like for like (issue 13): HiGHS and CBC get the *same model*, the same gaps and no
start, on two models: the one the default method solves at these sizes (``lp_round``:
the LP relaxation, then the repair) and the integer model the ``mip`` method builds
(whole patients and binaries on days 0-1, later days an LP). Each solver's x goes
through the same rounding of the integer days and repair of the later days, and is
scored by one true-objective function (``integer_plan_cost``). On the integer model CBC
gets five times the default's CPU seconds, then the full time limit: the goal "default
>= 5x faster than PuLP+CBC at equal or better objective" holds when CBC, with 5x the
default's time, reaches no better objective. Times are wall and CPU seconds: CBC runs as
a child process, so its CPU comes from ``getrusage(RUSAGE_CHILDREN)`` and its limit
counts CPU time; on a shared machine CPU seconds are the fair figure. PuLP's model
building is reported apart from CBC's solve. Needs the ``bench`` extra (pulp).

    .venv/bin/python bench/bench_spread.py            # all cases
    .venv/bin/python bench/bench_spread.py --skip-continental --repeats 3
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
from rich.console import Console
from rich.table import Table

from kraan.domain.spreading.linear import Context
from kraan.domain.spreading.model import Area, SpreadSettings
from kraan.domain.spreading.solve import build_model, integer_plan_cost, run_highs, solve_plan

console = Console(width=240)


def snapshot(n: int, *, seed: int, germany: bool) -> list[Area]:
    """``n`` areas in the Dutch bounding box (a continental case just packs them densely)."""
    rng = np.random.default_rng(seed)
    big = n <= 20
    areas = []
    for i in range(n):
        capacity = int(rng.integers(50, 200) if big else rng.integers(8, 60))
        non_covid = int(capacity * rng.uniform(0.3, 0.5))
        covid = int((capacity - non_covid) * rng.uniform(0.3, 1.05))
        growth = rng.uniform(-0.03, 0.06)
        areas.append(
            Area(
                code=f"H{i:04d}",
                capacity=capacity,
                covid_occupied=covid,
                non_covid_occupied=non_covid,
                forecast=tuple(float(covid * (1 + growth) ** d) for d in range(1, 14)),
                lat=float(50.75 + rng.random() * 2.75),
                lon=float(3.4 + rng.random() * 3.8),
                acute_inflow=covid / 10,
            )
        )
    if germany:
        areas.append(Area("DE-ABROAD", 20, 0, lat=51.2, lon=6.8, is_last_resort=True))
    return areas


def mip_context(areas: list[Area], settings: SpreadSettings) -> Context:
    """The integer model both solvers get: the one the ``mip`` method builds."""
    return build_model(areas, replace(settings, method="mip"))


def lp_context(areas: list[Area], settings: SpreadSettings) -> Context:
    """The model the default method solves at these sizes: ``lp_round``'s LP relaxation."""
    return build_model(areas, replace(settings, method="lp_round"))


def highs_same_model(ctx: Context, time_limit: float) -> tuple[float, float, float, str]:
    """HiGHS on the integer model, no start: (wall s, CPU s, true objective, status)."""
    wall, cpu = time.perf_counter(), time.process_time()
    status, values, _, _ = run_highs(ctx.model, ctx.settings, time_limit=time_limit)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    x = np.zeros(ctx.x.shape) if values is None else values[ctx.x]
    return wall, cpu, integer_plan_cost(ctx, x)[0], status


def pulp_problem(ctx: Context, *, relax: bool = False) -> tuple[object, list[object], float]:
    """The same matrix in PuLP, row by row as a PuLP user would: (problem, columns, s).

    ``relax``: every column continuous (the LP that ``lp_round`` solves)."""
    import pulp

    began = time.perf_counter()
    model = ctx.model
    cost = np.concatenate(model.cost)
    lower, upper = np.concatenate(model.lower), np.concatenate(model.upper)
    integer = np.concatenate(model.integer) & (not relax)
    problem = pulp.LpProblem("spread", pulp.LpMinimize)
    columns = [
        pulp.LpVariable(
            f"c{j}",
            lowBound=None if np.isinf(lower[j]) else float(lower[j]),
            upBound=None if np.isinf(upper[j]) else float(upper[j]),
            cat=pulp.LpInteger if integer[j] else pulp.LpContinuous,
        )
        for j in range(model.num_col)
    ]
    problem += pulp.lpSum(float(c) * columns[j] for j, c in enumerate(cost) if c)
    rows = np.concatenate(model.entry_row)
    cols = np.concatenate(model.entry_col)
    values = np.concatenate(model.entry_value)
    order = np.argsort(rows, kind="stable")
    starts = np.searchsorted(rows[order], np.arange(model.num_row + 1))
    row_lower, row_upper = np.concatenate(model.row_lower), np.concatenate(model.row_upper)
    for r in range(model.num_row):
        span = order[starts[r] : starts[r + 1]]
        expr = pulp.LpAffineExpression([(columns[cols[e]], float(values[e])) for e in span])
        lo, hi = row_lower[r], row_upper[r]
        if lo == hi:
            problem += expr == float(lo)
        else:
            if not np.isinf(lo):
                problem += expr >= float(lo)
            if not np.isinf(hi):
                problem += expr <= float(hi)
    return problem, columns, time.perf_counter() - began


def children_cpu() -> float:
    """CPU seconds of finished child processes (CBC runs as one; process_time misses it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cbc_same_model(
    ctx: Context, time_limit: float, *, relax: bool = False
) -> tuple[float, float, float, float, str]:
    """CBC on the model: (build s, solve wall s, solve CPU s, true objective, status).

    The time limit counts CBC's CPU seconds (``timeMode cpu``), as fair as it gets on a
    machine shared with other jobs; ``relax`` solves the LP relaxation instead.
    """
    import pulp

    problem, columns, build = pulp_problem(ctx, relax=relax)
    s = ctx.settings
    solver = pulp.PULP_CBC_CMD(
        msg=False, gapRel=s.mip_rel_gap, gapAbs=s.mip_abs_gap, timeLimit=max(time_limit, 0.1),
        timeMode="cpu",
    )  # fmt: skip
    began, cpu = time.perf_counter(), children_cpu()
    problem.solve(solver)  # type: ignore[attr-defined]
    wall, cpu = time.perf_counter() - began, children_cpu() - cpu
    values = np.array([c.varValue or 0.0 for c in columns])  # type: ignore[attr-defined]
    status = pulp.LpStatus[problem.status]  # type: ignore[attr-defined]
    feasible = problem.sol_status in (1, 2)  # type: ignore[attr-defined]
    x = values[ctx.x] if feasible else np.zeros(ctx.x.shape)
    return build, wall, cpu, integer_plan_cost(ctx, x)[0], status if feasible else "no plan"


def highs_lp(ctx: Context) -> tuple[float, float, float, str]:
    """HiGHS on the LP relaxation ``lp_round`` solves, then its repair: (wall, CPU, obj)."""
    wall, cpu = time.perf_counter(), time.process_time()
    status, values, _, _ = run_highs(ctx.model, ctx.settings, relax=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    x = np.zeros(ctx.x.shape) if values is None else values[ctx.x]
    return wall, cpu, integer_plan_cost(ctx, x)[0], status


def machine_line() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    try:
        pulp_version = version("pulp")
    except Exception:  # noqa: BLE001 - the bench extra may be missing
        pulp_version = "not installed"
    return (
        f"{cpu}, {os.cpu_count()} cores, load average {load:.1f} at the end, Python "
        f"{platform.python_version()}, highspy {version('highspy')}, pulp {pulp_version}, "
        f"{platform.system()} {platform.release()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def timed_solve(areas: list[Area], settings: SpreadSettings) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    plan = solve_plan(areas, settings)
    return time.perf_counter() - wall, time.process_time() - cpu, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="snapshots per small case")
    parser.add_argument("--skip-continental", action="store_true")
    parser.add_argument("--only-continental", action="store_true")
    parser.add_argument("--pulp-max-areas", type=int, default=100, help="CBC only up to this")
    parser.add_argument("--time-limit", type=float, default=60.0, help="per solve, seconds")
    args = parser.parse_args()
    cases = [
        ("11 regions x 7 days", 11, 7, None, True, 0.1),
        ("100 hospitals x 14 days, 20 nearest", 100, 14, 20, False, 2.0),
    ]
    if args.only_continental:
        cases = []
    if not args.skip_continental:
        cases.append(("5,000 hospitals x 7 days, 20 nearest", 5000, 7, 20, False, 60.0))
    speed = Table(title="Solve time of the defaults and each method (median over snapshots)")
    for column in ("case", "goal", "method", "wall s", "CPU s", "goal met (wall)", "status",
                   "patients", "true objective"):  # fmt: skip
        speed.add_column(column)
    same = Table(title="Like for like: the same model per row pair, one true objective (seed 0)")
    for column in ("case", "solver", "model", "CPU limit s", "wall s", "CPU s", "PuLP build s",
                   "status", "true objective", "vs default"):  # fmt: skip
        same.add_column(column)
    for name, n, days, neighbours, germany, goal in cases:
        repeats = 1 if n > 50 else args.repeats
        default_wall = default_cpu = default_objective = math.nan
        for method in ("auto", "mip", "lp_round"):
            if n > 1000 and method != "auto":
                continue  # auto is lp_round there; the exact MIP runs into any time limit
            settings = SpreadSettings(
                horizon_days=days, max_neighbours=neighbours, method=method,
                time_limit_seconds=args.time_limit,
            )  # fmt: skip
            walls, cpus, statuses, moved, objectives = [], [], [], [], []
            for seed in range(repeats):
                areas = snapshot(n, seed=seed, germany=germany)
                wall, cpu, plan = timed_solve(areas, settings)
                walls.append(wall)
                cpus.append(cpu)
                statuses.append(plan.status)  # type: ignore[attr-defined]
                moved.append(plan.patients_moved)  # type: ignore[attr-defined]
                objectives.append(plan.objective)  # type: ignore[attr-defined]
                console.print(f"{name} {method} seed {seed}: {wall:.3f} s wall, {cpu:.3f} s "
                              f"CPU, objective {plan.objective:.0f}")  # type: ignore[attr-defined]  # fmt: skip
            w = statistics.median(walls)
            if method == "auto":
                default_wall, default_cpu, default_objective = walls[0], cpus[0], objectives[0]
            speed.add_row(
                name, f"< {goal:g} s", method + (f" ({settings.method_for(n)})"
                if method == "auto" else ""), f"{w:.3f}", f"{statistics.median(cpus):.3f}",
                "yes" if w < goal else "no", ",".join(sorted(set(statuses))),
                str(int(statistics.median(moved))), f"{statistics.median(objectives):.0f}",
            )  # fmt: skip
        if n > args.pulp_max_areas:
            continue
        settings = SpreadSettings(horizon_days=days, max_neighbours=neighbours,
                                  time_limit_seconds=args.time_limit)  # fmt: skip
        areas = snapshot(n, seed=0, germany=germany)
        same.add_row(name, "HiGHS default (auto), solve_plan", "its own", "-",
                     f"{default_wall:.3f}", f"{default_cpu:.3f}", "-", "-",
                     f"{default_objective:.0f}", "1.00")  # fmt: skip
        # the default's own model: the LP relaxation, then the same repair and scoring
        lp = lp_context(areas, settings)
        wall, cpu, objective, status = highs_lp(lp)
        ratio = f"{objective / default_objective:.2f}"
        same.add_row(name, "HiGHS", "LP relaxation + repair", "-", f"{wall:.3f}", f"{cpu:.3f}",
                     "-", status, f"{objective:.0f}", ratio)  # fmt: skip
        console.print(f"{name} HiGHS LP: {wall:.3f} s wall {cpu:.3f} s CPU, {objective:.0f}")
        build, wall, cpu, objective, status = cbc_same_model(lp, args.time_limit, relax=True)
        console.print(f"{name} CBC LP: {wall:.3f} s wall {cpu:.3f} s CPU, {objective:.0f}")
        same.add_row(name, "PuLP+CBC", "LP relaxation + repair", f"{args.time_limit:g}",
                     f"{wall:.3f}", f"{cpu:.3f}", f"{build:.2f}", status, f"{objective:.0f}",
                     f"{objective / default_objective:.2f}")  # fmt: skip
        # the integer model (mip): HiGHS to the time limit, CBC with 5x the default's CPU
        mip = mip_context(areas, settings)
        wall, cpu, objective, status = highs_same_model(mip, args.time_limit)
        same.add_row(name, "HiGHS", "integer", f"{args.time_limit:g} (wall)", f"{wall:.3f}",
                     f"{cpu:.3f}", "-", status, f"{objective:.0f}",
                     f"{objective / default_objective:.2f}")  # fmt: skip
        console.print(f"{name} HiGHS same model: {wall:.3f} s objective {objective:.0f}")
        for limit in (5 * default_cpu, args.time_limit):
            mip = mip_context(areas, settings)
            build, wall, cpu, objective, status = cbc_same_model(mip, limit)
            console.print(f"{name} CBC limit {limit:.2f}: {wall:.3f} s wall {cpu:.3f} s CPU "
                          f"objective {objective:.0f}")  # fmt: skip
            same.add_row(name, "PuLP+CBC", "integer", f"{limit:.2f}", f"{wall:.3f}", f"{cpu:.3f}",
                         f"{build:.2f}", status, f"{objective:.0f}",
                         f"{objective / default_objective:.2f}")  # fmt: skip
    console.print(speed)
    console.print(same)
    console.print(f"Machine: {machine_line()}")


if __name__ == "__main__":
    main()
