"""First load of a date's phase outlook (``GET /api/v1/outlook``), cold and warm.

Goal (issue 13): the first outlook of a new date in under 1 s. The outlook needs the IC
and ward forecast of every ROAZ region (22 forecasts), each calibrated on the raw model
runs of the 90 origins before it. Measured on a demo store replaying the real LCPS series:

* **cold**: a fresh process, nothing computed yet (every raw run made on the request);
* **next day**: the first outlook of the following date in the same process (raw runs of
  the earlier origins are memoised by content; whole days of totals are reused);
* **after warm-up**: ``forecast_warmup.warm_up`` (what ``kraan serve`` runs in the
  background) has run; then the first outlook of dates nobody asked for yet.

Timings are a benchmark, never a test assertion. The machine is shared: say so.

    .venv/bin/python bench/bench_outlook.py [--start 2020-06-01] [--end 2021-03-31]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from bench_backtest import machine
from kraan.api.app import create_app
from kraan.services.demo import load_demo
from kraan.settings import Settings
from kraan.store.db import make_engine, migrate


def outlook_seconds(client: TestClient, day: date) -> float:
    t0 = time.perf_counter()
    response = client.get(f"/api/v1/outlook?as_of={day.isoformat()}")
    elapsed = time.perf_counter() - t0
    response.raise_for_status()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=date.fromisoformat, default=date(2020, 6, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2021, 3, 31))
    parser.add_argument(
        "--before", action="store_true", help="Only the cold and next-day runs (older code)."
    )
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}")
        engine = make_engine(settings.database_url)
        migrate(engine)
        t0 = time.perf_counter()
        load_demo(engine, settings, start=args.start, end=args.end)
        print(f"Demo {args.start}..{args.end} loaded in {time.perf_counter() - t0:.1f} s")
        client = TestClient(create_app(settings, engine))
        cold_day = date(2020, 12, 21)
        cold = outlook_seconds(client, cold_day)
        print(f"cold: first outlook of {cold_day} in a fresh process: {cold:.2f} s")
        nxt = [outlook_seconds(client, date(2020, 12, d)) for d in (22, 23, 24)]
        print(
            "next day: first outlook of 2020-12-22, -23, -24: "
            + ", ".join(f"{s:.2f}" for s in nxt)
            + f" s (median {statistics.median(nxt):.2f} s)"
        )
        if args.before:
            return
        from kraan.services.forecast_warmup import warm_up

        t0 = time.perf_counter()
        runs = warm_up(engine)
        print(f"warm-up: {runs} raw model runs in {time.perf_counter() - t0:.1f} s")
        fresh = [date(2020, 11, 9), date(2021, 1, 27), date(2021, 3, 10), date(2020, 10, 20)]
        after = [outlook_seconds(client, d) for d in fresh]
        print(
            "after warm-up: first outlook of "
            + ", ".join(f"{d}: {s:.2f} s" for d, s in zip(fresh, after, strict=True))
            + f" (max {max(after):.2f} s; goal < 1 s: {'met' if max(after) < 1 else 'NOT met'})"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
