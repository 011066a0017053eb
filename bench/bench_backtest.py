"""Full backtest of both targets on the real LCPS series, 2020-10-01..2022-06-30.

Goal (issue): on all rolling origins of that period ``kraan`` beats persistence and
the SIR baseline on 7-day MAE and WIS, for IC and for ward; its 90 % intervals cover
85-95 % of outcomes; both targets together run in under 60 s on a 2-core machine.
The run prints the machine, the timings, the markdown table for docs/forecasting.md
and a line per goal. Timings are a benchmark, never a test assertion.

    .venv/bin/python bench/bench_backtest.py [--raw-dir ../shared/data/raw] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, date, datetime
from pathlib import Path

from kraan.domain.forecast import DEFAULT_PARAMS, KRAAN
from kraan.ingest.lcps import combined_national_series
from kraan.services.forecasting import BacktestReport, backtest, backtest_document
from kraan.settings import get_settings

START, END = date(2020, 10, 1), date(2022, 6, 30)
HORIZONS = (1, 3, 7, 14)


def machine() -> str:
    """CPU, cores, Python, OS and date: where the timings come from."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {datetime.now(UTC):%Y-%m-%d}"
    )


def markdown(reports: list[BacktestReport]) -> str:
    """One table: rows target x method, columns MAE / WIS / cov50 / cov90 per horizon."""
    head = ["target", "method"] + [f"{m} h{h}" for h in HORIZONS for m in ("MAE", "WIS")]
    head += [f"cov50 h{h}" for h in (7, 14)] + [f"cov90 h{h}" for h in HORIZONS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for report in reports:
        for name, per_h in report.scores.items():
            cells = [report.target, f"**{name}**" if name == KRAAN else name]
            cells += [f"{getattr(per_h[h], m):.1f}" for h in HORIZONS for m in ("mae", "wis")]
            cells += [f"{per_h[h].cov50:.2f}" for h in (7, 14)]
            cells += [f"{per_h[h].cov90:.2f}" for h in HORIZONS]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def goals(report: BacktestReport) -> list[str]:
    """The issue's goals for one target, each with its verdict."""
    s7 = report.scores
    k = s7[KRAAN][7]
    out = []
    for base in ("persistence", "chime_sir"):
        b = s7[base][7]
        ok = k.mae < b.mae and k.wis < b.wis
        out.append(
            f"{report.target}: kraan vs {base} at 7 days: MAE {k.mae:.1f} vs {b.mae:.1f}, "
            f"WIS {k.wis:.1f} vs {b.wis:.1f} -> {'met' if ok else 'NOT met'}"
        )
    for h in HORIZONS:
        c = s7[KRAAN][h].cov90
        verdict = "met" if 0.85 <= c <= 0.95 else "NOT met"
        out.append(f"{report.target}: kraan 90% coverage at {h} days {c:.3f} -> {verdict}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="Write both JSON documents.")
    args = parser.parse_args()
    raw_dir = args.raw_dir or get_settings().raw_data_dir
    print(f"Machine: {machine()}")
    t0 = time.perf_counter()
    national = combined_national_series(raw_dir)
    t_load = time.perf_counter() - t0
    reports, timings = [], {}
    for target in ("ic", "ward"):
        t1 = time.perf_counter()
        reports.append(
            backtest(
                national,
                target=target,
                start=START,
                end=END,
                horizons=HORIZONS,
                params=DEFAULT_PARAMS,
            )
        )
        timings[target] = time.perf_counter() - t1
    total = time.perf_counter() - t0
    origins = reports[0].run.origins.size
    print(
        f"Load {t_load:.2f} s; backtest IC {timings['ic']:.1f} s, ward {timings['ward']:.1f} s; "
        f"total {total:.1f} s for 2 x {origins} origins x 4 methods "
        f"({'met' if total < 60 else 'NOT met'}: goal < 60 s)"
    )
    print()
    print(markdown(reports))
    print()
    for report in reports:
        for line in goals(report):
            print(line)
    if args.json:
        args.json.write_text(
            json.dumps([backtest_document(r) for r in reports], indent=2) + "\n", encoding="utf-8"
        )
        print(f"Wrote {args.json}")


if __name__ == "__main__":
    main()
