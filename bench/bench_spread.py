"""Solve time of the transfer-plan optimiser, and the same model in PuLP + CBC.

Cases (issue part 6): 11 regions x 7 days (goal < 0.1 s), 100 hospitals x 14 days
(goal < 2 s), continental 5,000 hospitals x 7 days with 20 nearest neighbours each
(goal < 60 s). Snapshots are synthetic but plausible (IC sizes 8-200 beds, COVID load
30-105 % of the COVID beds, forecasts growing -3 % to +6 % a day), seeded. HiGHS time
is build + solve as ``solve_plan`` reports it; PuLP gets the very same matrix (built row
by row, as a PuLP user would) and CBC the same gap and time limit. Needs the ``bench``
extra (pulp).

    .venv/bin/python bench/bench_spread.py            # all cases
    .venv/bin/python bench/bench_spread.py --skip-continental --repeats 5
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
from rich.console import Console
from rich.table import Table

from kraan.domain.spreading.model import Area, SpreadSettings
from kraan.domain.spreading.solve import build_model, solve_plan

console = Console(width=220)


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


def pulp_solve(areas: list[Area], settings: SpreadSettings) -> tuple[float, float, str]:
    """The same matrix as HiGHS gets, in PuLP, solved by CBC: (seconds, objective, status)."""
    import pulp

    began = time.perf_counter()
    model = build_model(areas, settings).model
    cost = np.concatenate(model.cost)
    lower, upper = np.concatenate(model.lower), np.concatenate(model.upper)
    integer = np.concatenate(model.integer)
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
    solver = pulp.PULP_CBC_CMD(
        msg=False, gapRel=settings.mip_rel_gap, gapAbs=settings.mip_abs_gap,
        timeLimit=settings.time_limit_seconds,
    )  # fmt: skip
    problem.solve(solver)
    seconds = time.perf_counter() - began
    return seconds, float(pulp.value(problem.objective) or 0.0), pulp.LpStatus[problem.status]


def machine_line() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version

    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"highspy {version('highspy')}, pulp {version('pulp')}, "
        f"{platform.system()} {platform.release()}, {datetime.now(UTC):%Y-%m-%d}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="snapshots per small case")
    parser.add_argument("--skip-continental", action="store_true")
    parser.add_argument("--only-continental", action="store_true")
    parser.add_argument("--pulp-max-areas", type=int, default=100, help="PuLP only up to this")
    parser.add_argument("--time-limit", type=float, default=120.0, help="per solve, seconds")
    args = parser.parse_args()
    cases = [
        ("11 regions x 7 days", 11, 7, None, True, 0.1),
        ("100 hospitals x 14 days, 20 nearest", 100, 14, 20, False, 2.0),
    ]
    if args.only_continental:
        cases = []
    if not args.skip_continental:
        cases.append(("5,000 hospitals x 7 days, 20 nearest", 5000, 7, 20, False, 60.0))
    table = Table(title="Transfer-plan solve time (median over snapshots)")
    for column in ("case", "goal", "method", "HiGHS s", "status", "patients", "PuLP+CBC s",
                   "CBC / HiGHS", "objective HiGHS / CBC"):  # fmt: skip
        table.add_column(column)
    for name, n, days, neighbours, germany, goal in cases:
        repeats = 1 if n > 50 else args.repeats
        for method in ("mip", "lp_round"):
            settings = SpreadSettings(
                horizon_days=days, max_neighbours=neighbours, method=method,
                time_limit_seconds=args.time_limit,
            )  # fmt: skip
            highs_s, cbc_s, statuses, moved, objectives = [], [], [], [], []
            for seed in range(repeats):
                areas = snapshot(n, seed=seed, germany=germany)
                plan = solve_plan(areas, settings)
                highs_s.append(plan.solve_seconds)
                statuses.append(plan.status)
                moved.append(plan.patients_moved)
                if method == "mip" and n <= args.pulp_max_areas:
                    seconds, objective, status = pulp_solve(areas, replace(settings))
                    cbc_s.append(seconds)
                    objectives.append(f"{plan.objective:.0f} / {objective:.0f} ({status})")
                console.print(f"{name} {method} seed {seed}: {plan.solve_seconds:.3f} s "
                              f"{plan.status} moved {plan.patients_moved}")  # fmt: skip
            h = statistics.median(highs_s)
            c = statistics.median(cbc_s) if cbc_s else None
            table.add_row(
                name, f"< {goal:g} s", method, f"{h:.3f}", ",".join(sorted(set(statuses))),
                str(int(statistics.median(moved))), f"{c:.2f}" if c else "-",
                f"{c / h:.1f}x" if c else "-", "; ".join(objectives[:1]) or "-",
            )  # fmt: skip
    console.print(table)
    console.print(f"Machine: {machine_line()}")


if __name__ == "__main__":
    main()
