"""Fidelity of the simulation: replay the real LCPS admissions (no modules) and compare.

Two periods: 2020-10-01..2021-06-30 (where the stays were chosen) and
2021-07-01..2022-06-30 (never seen by the fit). Prints MAPE of the median and the
coverage of the 90 % band per level, and draws docs/img/simulation-fidelity.png.

    .venv/bin/python bench/simulation_fidelity.py [--members 200] [--plot PATH]
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import numpy as np

from kraan.domain.simulation.ensemble import run_ensemble
from kraan.services import simulation as sim
from kraan.settings import get_settings

PERIODS = (("fitting window", date(2020, 10, 1), date(2021, 6, 30)),
           ("never seen", date(2021, 7, 1), date(2022, 6, 30)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plot", type=Path, default=Path("docs/img/simulation-fidelity.png"))
    args = parser.parse_args()
    raw = Path(get_settings().raw_data_dir)
    params = sim.load_params()
    setup = sim.load_regions(raw)
    series = sim.load_series(None, raw)
    ic, ward = sim.census(series)
    rows, panels = [], []
    for name, first, last in PERIODS:
        inputs = sim.replay_flow_inputs(series, first, last, params, setup)
        t0 = time.perf_counter()
        summary = run_ensemble(inputs, params, [], args.members, args.seed)
        took = time.perf_counter() - t0
        i0, i1 = series.index_of(first), series.index_of(last)
        score = sim.fidelity(summary, ic[i0 : i1 + 1], ward[i0 : i1 + 1])
        for level in ("ic", "ward"):
            rows.append((name, f"{first}..{last}", level, score[level]["mape"],
                         score[level]["coverage"], score[level]["days"]))
        panels.append((name, series.dates[i0 : i1 + 1], summary, ic[i0 : i1 + 1],
                       ward[i0 : i1 + 1]))
        print(f"{name}: {args.members} members in {took:.1f} s")
    print("| period | days | level | MAPE of the median | 90 % band covers |")
    print("|---|---|---|---|---|")
    for name, span, level, mape, cov, days in rows:
        print(f"| {name} ({span}) | {days} | {level.upper()} | {mape:.1%} | {cov:.0%} |")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(13, 7), sharex="col")
    for col, (name, dates, summary, ic_true, ward_true) in enumerate(panels):
        for row, (label, sims, truth) in enumerate((("IC", summary.ic, ic_true),
                                                    ("ward", summary.ward, ward_true))):
            ax = axes[row, col]
            q05, q50, q95 = np.quantile(sims, [0.05, 0.5, 0.95], axis=0)
            x = dates.astype("datetime64[D]").astype(object)
            ax.fill_between(x, q05, q95, color="#d55e00", alpha=0.25, label="90 % of members")
            ax.plot(x, q50, color="#d55e00", label="simulated median")
            ax.plot(x, truth, color="#1f2933", lw=1, label="LCPS census")
            ax.set_title(f"{label} COVID census, {name}", fontsize=10)
            ax.set_ylabel("patients")
            if row == 0 and col == 0:
                ax.legend(fontsize=8, loc="upper left")
    fig.suptitle("Replay of the LCPS admissions, no modules "
                 f"({args.members} members, defaults {params.version})", fontsize=11)
    fig.autofmt_xdate()
    fig.tight_layout()
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot, dpi=90)
    print(f"chart: {args.plot}")


if __name__ == "__main__":
    main()
