"""Backtest of both targets on the real LCPS series, split in a training and a validation period.

The honest split (issue 13): every default was chosen on origins 2020-10-01..2021-06-30
(train); 2021-07-01..2022-06-30 (validation: Delta, Omicron BA.1/BA.2) was never used to
choose anything. Goals on the validation period: ``kraan`` beats persistence on MAE and
WIS at every horizon 1..14, for IC and for ward; its 7-day WIS is at most 0.8 x
persistence; its 90 % intervals cover 85-95 % of outcomes at every horizon. The run
prints the machine, the timings, one markdown table per period for docs/forecasting.md
and a line per goal. Timings are a benchmark, never a test assertion.

    .venv/bin/python bench/bench_backtest.py [--raw-dir src/kraan/data/raw] [--json out.json]
    .venv/bin/python bench/bench_backtest.py --period all   # the old single 2020-10..2022-06 run
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
from kraan.domain.forecast.params import PERIODS as SPLIT
from kraan.ingest.lcps import combined_national_series
from kraan.services.forecasting import BacktestReport, backtest, backtest_document
from kraan.settings import get_settings

PERIODS = {
    name: (date.fromisoformat(lo), date.fromisoformat(hi)) for name, (lo, hi) in SPLIT.items()
}
PERIODS["all"] = (date(2020, 10, 1), date(2022, 6, 30))
HORIZONS = (1, 3, 7, 14)
ALL_HORIZONS = tuple(range(1, 15))


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
    """The issue's validation goals for one target, each with its verdict."""
    s = report.scores
    k, p = s[KRAAN], s["persistence"]
    out = []
    worse = [h for h in ALL_HORIZONS if not (k[h].mae < p[h].mae and k[h].wis < p[h].wis)]
    out.append(
        f"{report.target}: beats persistence on MAE and WIS at every horizon 1..14 -> "
        + ("met" if not worse else f"NOT met at {worse}")
    )
    ratio = k[7].wis / p[7].wis
    out.append(
        f"{report.target}: 7-day WIS {k[7].wis:.1f} = {ratio:.2f} x persistence "
        f"({p[7].wis:.1f}) -> {'met' if ratio <= 0.8 else 'NOT met'} (goal <= 0.8)"
    )
    cov = {h: k[h].cov90 for h in ALL_HORIZONS}
    off = {h: round(c, 3) for h, c in cov.items() if not 0.85 <= c <= 0.95}
    out.append(
        f"{report.target}: 90% coverage {min(cov.values()):.3f}..{max(cov.values()):.3f} over "
        f"horizons 1..14 -> " + ("met" if not off else f"NOT met at {off}")
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="Write the JSON documents.")
    parser.add_argument("--period", choices=["train", "validation", "both", "all"], default="both")
    args = parser.parse_args()
    raw_dir = args.raw_dir or get_settings().raw_data_dir
    print(f"Machine: {machine()}")
    t0 = time.perf_counter()
    national = combined_national_series(raw_dir)
    print(f"Load {time.perf_counter() - t0:.2f} s")
    names = ["train", "validation"] if args.period == "both" else [args.period]
    documents = {}
    for name in names:
        start, end = PERIODS[name]
        reports, timings = [], {}
        for target in ("ic", "ward"):
            t1 = time.perf_counter()
            reports.append(
                backtest(
                    national,
                    target=target,
                    start=start,
                    end=end,
                    horizons=ALL_HORIZONS,
                    params=DEFAULT_PARAMS,
                )  # fmt: skip
            )
            timings[target] = time.perf_counter() - t1
        origins = reports[0].run.origins.size
        print()
        print(
            f"## {name}: origins {start}..{end} ({origins} per target); backtest IC "
            f"{timings['ic']:.1f} s, ward {timings['ward']:.1f} s"
        )
        print()
        print(markdown(reports))
        print()
        if name != "train":
            for report in reports:
                for line in goals(report):
                    print(line)
        documents[name] = [backtest_document(r) for r in reports]
    if args.json:
        args.json.write_text(json.dumps(documents, indent=2) + "\n", encoding="utf-8")
        print(f"Wrote {args.json}")


if __name__ == "__main__":
    main()
