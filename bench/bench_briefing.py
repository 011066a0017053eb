"""The weekly briefing for any date: HTML and PDF, cold and warm.

Goal (issue 11): a briefing for any date renders in under 2 s warm and under 5 s
cold, as HTML or PDF. "Cold" is the first request for a date in a fresh process
state: the forecast cache is emptied before each cold run, so the two national
forecasts and both overviews are computed anew. "Warm" repeats the same date.

Runs on the full demo (2020-02-27..2022-06-30) in a temporary SQLite file, on four
dates across the waves. Prints the machine and a line per date and output.

    .venv/bin/python bench/bench_briefing.py [--dates 2020-04-01,2020-12-21] [--warm 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench_backtest import machine
from kraan.services.demo import load_demo
from kraan.services.live_forecast import CACHE
from kraan.settings import get_settings
from kraan.store.db import make_engine, migrate
from kraan.web.briefing_pages import render_briefing
from kraan.web.briefing_render import printer

DATES = ("2020-04-01", "2020-12-21", "2021-04-15", "2022-01-10")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", default=",".join(DATES))
    parser.add_argument("--warm", type=int, default=3, help="warm repetitions per date")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        settings = get_settings().model_copy(update={"database_url": url})
        engine = make_engine(url)
        migrate(engine)
        started = time.perf_counter()
        load_demo(engine, settings)
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")
        print(machine())
        if not args.no_pdf:
            t0 = time.perf_counter()
            printer(settings.chromium_path).print("<p>start</p>")
            print(f"Chromium started once in {time.perf_counter() - t0:.2f} s")
        print("| date | output | cold s | warm s (median) | goal |")
        print("|---|---|---:|---:|---|")
        for day in args.dates.split(","):
            outputs = ["html"] if args.no_pdf else ["html", "pdf"]
            for output in outputs:

                def render(output: str = output, day: str = day) -> None:
                    html = render_briefing(
                        engine, settings, as_of_raw=day, compare_raw=None, lang="nl"
                    )
                    if output == "pdf":
                        printer(settings.chromium_path).print(html)

                CACHE.clear()
                t0 = time.perf_counter()
                render()
                cold = time.perf_counter() - t0
                warm_times = []
                for _ in range(args.warm):
                    t0 = time.perf_counter()
                    render()
                    warm_times.append(time.perf_counter() - t0)
                warm = statistics.median(warm_times)
                ok = "met" if cold < 5 and warm < 2 else "NOT met"
                goal = f"{ok} (<5 s cold, <2 s warm)"
                print(f"| {day} | {output} | {cold:.2f} | {warm:.2f} | {goal} |")
        engine.dispose()


if __name__ == "__main__":
    main()
