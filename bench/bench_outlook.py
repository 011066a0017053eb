"""First load of a date's phase outlook (``GET /api/v1/outlook``), in a fresh process.

Goal (issue 13): the first outlook of a new date in under 1 s. The outlook needs the IC
and ward forecast of every ROAZ region (22 forecasts), each calibrated on the raw model
runs of the 60 origins before it (about 1,350 runs). Measured on a demo store replaying
the real LCPS series, each date in a **fresh process** (a child Python process that
builds the app and asks for the outlook through the HTTP test client):

* **no store**: the data were loaded without computing forecasts (``kraan demo
  --no-forecasts``): every raw run is made on the request, as before issue 13's fix;
* **store**: the raw runs were computed and stored when the data were loaded
  (``forecast_warmup.warm_up``, what ``kraan demo`` and ``kraan import`` now do); the
  request fetches them in one query per forecast and runs the model once per forecast.

Both wall time and CPU time (``time.process_time`` of the child, all its threads) are
printed: the machine may be shared, and then CPU time is the fair figure. Timings are a
benchmark, never a test assertion.

    .venv/bin/python bench/bench_outlook.py [--start 2020-06-01] [--end 2021-03-31]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DAYS = (date(2020, 12, 21), date(2020, 11, 9), date(2021, 1, 27), date(2021, 3, 10))


def child(db: Path, day: str) -> None:
    """In a fresh process: the first outlook of ``day``; prints wall and CPU as JSON."""
    from fastapi.testclient import TestClient

    from kraan.api.app import create_app
    from kraan.settings import Settings
    from kraan.store.db import make_engine

    settings = Settings(database_url=f"sqlite:///{db}")
    engine = make_engine(settings.database_url)
    with TestClient(create_app(settings, engine)) as client:
        w0, c0 = time.perf_counter(), time.process_time()
        response = client.get(f"/api/v1/outlook?as_of={day}")
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        response.raise_for_status()
    print(json.dumps({"wall": wall, "cpu": cpu}))


def fresh(db: Path, day: date) -> tuple[float, float]:
    """(wall, CPU) seconds of the first outlook of ``day`` in a new Python process."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(db), day.isoformat()],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "KRAAN_FORECAST_WARMUP": "false"},
    ).stdout
    doc = json.loads(out.strip().splitlines()[-1])
    return doc["wall"], doc["cpu"]


def _row(label: str, results: list[tuple[date, tuple[float, float]]]) -> None:
    cells = ", ".join(f"{d}: {w:.2f} s wall / {c:.2f} s CPU" for d, (w, c) in results)
    worst = max(c for _, (_, c) in results)
    verdict = "met" if worst < 1 else "NOT met"
    print(f"{label}: {cells} (max CPU {worst:.2f} s; goal < 1 s in CPU time: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=date.fromisoformat, default=date(2020, 6, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2021, 3, 31))
    parser.add_argument("--child", nargs=2, metavar=("DB", "DAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_backtest import machine
    from kraan.services.demo import load_demo
    from kraan.services.forecast_warmup import warm_up
    from kraan.settings import Settings
    from kraan.store.db import make_engine, migrate

    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        plain, stored = Path(tmp) / "plain.db", Path(tmp) / "stored.db"
        settings = Settings(database_url=f"sqlite:///{plain}")
        engine = make_engine(settings.database_url)
        migrate(engine)
        w0, c0 = time.perf_counter(), time.process_time()
        load_demo(engine, settings, start=args.start, end=args.end)
        print(
            f"Demo {args.start}..{args.end} loaded in {time.perf_counter() - w0:.1f} s wall, "
            f"{time.process_time() - c0:.1f} s CPU"
        )
        engine.dispose()  # checkpoints the WAL, so the file copy is complete
        shutil.copyfile(plain, stored)
        engine = make_engine(f"sqlite:///{stored}")
        w0, c0 = time.perf_counter(), time.process_time()
        runs = warm_up(engine)
        print(
            f"Forecasts stored at load time: {runs} raw model runs in "
            f"{time.perf_counter() - w0:.1f} s wall, {time.process_time() - c0:.1f} s CPU"
        )
        engine.dispose()
        _row("no store (fresh process)", [(DAYS[0], fresh(plain, DAYS[0]))])
        _row("store (fresh process per date)", [(d, fresh(stored, d)) for d in DAYS])
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
