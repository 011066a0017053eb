"""Sustained reports/s through ``POST /api/v1/reports/batch`` into PostgreSQL.

Goal (issue): at least 2,000 reports/s on a 2-core machine, about 100 times the
Dutch load of ~100 locations every 5 minutes. The run builds a throw-away
schema with 150 synthetic hospitals, starts uvicorn in a subprocess (so
``--workers`` can fork real worker processes), and posts batches of IC + ward
reports in 5-minute steps with jump-free figures from client threads. It prints
reports/s, batch latency and the machine, checks the rows really landed, then
drops the schema.

    .venv/bin/python bench/bench_ingest.py --seconds 25 --batch-size 500 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import func, select

from benchlib import DEFAULT_PG_URL, create_schema, machine_line, seed_reference, summary_ms
from kraan.domain.access import Role
from kraan.domain.model import CareLevel, Location
from kraan.store.access import create_user, issue_token
from kraan.store.tables import audit_log, submission_levels, submissions

STEP = timedelta(minutes=5)
console = Console()


@dataclass(slots=True)
class _Beds:
    """One care level of one location, walking in steps too small to trip the DIVI jump rule."""

    staffed: int
    covid: int
    ontlabeld: int
    non_covid: int

    def step(self, rng: random.Random) -> None:
        for name in ("covid", "ontlabeld", "non_covid"):
            if rng.random() < 0.15:
                setattr(self, name, max(0, getattr(self, name) + rng.choice((-1, 1))))
        excess = self.covid + self.ontlabeld + self.non_covid - self.staffed
        for name in ("non_covid", "ontlabeld", "covid"):  # never more occupied than staffed
            take = min(max(excess, 0), getattr(self, name))
            setattr(self, name, getattr(self, name) - take)
            excess -= take


@dataclass(slots=True)
class Feed:
    """Hands out batches in time order: every location at step t, then every one at t+1, ..."""

    locations: list[Location]
    start: datetime
    rng: random.Random = field(default_factory=lambda: random.Random(42))
    beds: dict[tuple[str, CareLevel], _Beds] = field(default_factory=dict)
    cursor: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for loc in self.locations:
            for level, planned in loc.planned_beds.items():
                staffed = planned
                covid = self.rng.randint(0, staffed // 3)
                non_covid = self.rng.randint(0, (staffed - covid) // 2)
                self.beds[(loc.code, level)] = _Beds(staffed, covid, covid // 10, non_covid)

    def next_batch(self, size: int) -> list[dict[str, object]]:
        with self.lock:
            items = []
            for _ in range(size):
                step, index = divmod(self.cursor, len(self.locations))
                self.cursor += 1
                loc = self.locations[index]
                items.append(self._report(loc, self.start + step * STEP))
            return items

    def _report(self, loc: Location, at: datetime) -> dict[str, object]:
        levels = []
        for level in (CareLevel.IC, CareLevel.WARD):
            beds = self.beds[(loc.code, level)]
            beds.step(self.rng)
            levels.append(
                {
                    "care_level": level.value,
                    "staffed_beds": beds.staffed,
                    "covid_occupied": beds.covid,
                    "ontlabeld_occupied": beds.ontlabeld,
                    "non_covid_occupied": beds.non_covid,
                    "covid_admissions_24h": beds.covid // 5,
                    "status": "available" if beds.covid < beds.staffed // 2 else "limited",
                }
            )
        return {
            "location_code": loc.code,
            "reported_at": at.isoformat(),
            "levels": levels,
            "staff_absence_pct": round(5 + self.rng.random() * 5, 1),
            "critical_planned_care_ok": True,
            "acute_care_ok": True,
        }


@dataclass(slots=True)
class Tally:
    reports: int = 0
    batches: int = 0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """uvicorn with ``--factory``: the app factory reads KRAAN_DATABASE_URL in each worker."""
    env = {**os.environ, "KRAAN_DATABASE_URL": database_url}
    command = [
        sys.executable, "-m", "uvicorn", "kraan.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with code {server.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/regions", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("uvicorn did not become ready in time")


def sender(
    base: str, token: str, feed: Feed, size: int, until: float, tally: Tally, count: bool
) -> None:
    """One client: post the next batch as soon as the last one is answered."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        while time.monotonic() < until:
            body = json.dumps({"reports": feed.next_batch(size)})
            started = time.perf_counter()
            response = client.post("/api/v1/reports/batch", content=body)
            elapsed = time.perf_counter() - started
            with tally.lock:
                if response.status_code != 200:
                    tally.failures.append(f"{response.status_code}: {response.text[:300]}")
                    continue
                if count:
                    tally.reports += size
                    tally.batches += 1
                    tally.latencies.append(elapsed)


def run_clients(
    base: str, token: str, feed: Feed, args: argparse.Namespace, seconds: float, count: bool
) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=sender, args=(base, token, feed, args.batch_size, until, tally, count)
        )
        for _ in range(args.clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    columns = (TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("warm-up" if not count else "posting", total=seconds)
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            elapsed = time.monotonic() - started
            rate = tally.reports / elapsed if elapsed else 0
            label = f"posting: {tally.reports:,} reports, {rate:,.0f}/s" if count else "warm-up"
            progress.update(task, completed=min(elapsed, seconds), description=label)
    for thread in threads:
        thread.join()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=25, help="measured run length")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured run first")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=0, help="sending threads (2 x workers)")
    parser.add_argument("--locations", type=int, default=150)
    parser.add_argument("--url", default=DEFAULT_PG_URL, help="PostgreSQL server URL")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args = parser.parse_args()
    args.clients = args.clients or 2 * args.workers

    schema = create_schema(args.url, "kraan_bench_ingest")
    engine = schema.engine()
    server = None
    try:
        locations = seed_reference(engine, args.locations)
        now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
        with engine.begin() as conn:
            uid = create_user(conn, username="bench", role=Role.NATIONAL_COORDINATOR,
                              now=now, actor="bench")  # fmt: skip
            token = issue_token(conn, user_id=uid, now=now, actor="bench")
        machine = machine_line(engine)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(schema.url, port, args.workers)
        wait_ready(base, server)
        # Far enough back that even 20,000 reports/s never reach the future.
        steps = int((args.seconds + args.warmup) * 20_000 / args.locations) + 1
        start = now.replace(minute=now.minute - now.minute % 5) - max(
            timedelta(days=60), steps * STEP
        )
        feed = Feed(locations, start)
        if args.warmup > 0:
            run_clients(base, token, feed, args, args.warmup, count=False)
        before = _counts(engine)
        started = time.monotonic()
        tally = run_clients(base, token, feed, args, args.seconds, count=True)
        elapsed = time.monotonic() - started
        after = _counts(engine)
        _report(args, tally, elapsed, machine, before, after)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        engine.dispose()
        if args.keep:
            console.print(f"kept schema [bold]{schema.name}[/]")
        else:
            schema.drop()


def _counts(engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (submissions, submission_levels, audit_log)
        )


def _report(
    args: argparse.Namespace,
    tally: Tally,
    elapsed: float,
    machine: str,
    before: tuple[int, int, int],
    after: tuple[int, int, int],
) -> None:
    stored = [a - b for a, b in zip(after, before, strict=True)]
    table = Table(title="Batch ingest through HTTP into PostgreSQL", show_header=False)
    table.add_row("reports/s (sustained)", f"[bold]{tally.reports / elapsed:,.0f}[/]")
    table.add_row("reports accepted", f"{tally.reports:,} in {tally.batches:,} batches")
    table.add_row("batch latency", summary_ms(tally.latencies))
    table.add_row("rows stored", f"{stored[0]:,} submissions, {stored[1]:,} levels, "
                  f"{stored[2]:,} audit")  # fmt: skip
    table.add_row(
        "set-up",
        f"{args.workers} uvicorn workers, {args.clients} clients, "
        f"batches of {args.batch_size}, {args.locations} locations, {elapsed:.1f} s",
    )
    table.add_row("machine", machine)
    console.print(table)
    if tally.failures:
        console.print(f"[red]{len(tally.failures)} failed batches[/], first: {tally.failures[0]}")
    if stored[0] < tally.reports:
        console.print("[red]fewer submissions stored than accepted[/]")


if __name__ == "__main__":
    main()
