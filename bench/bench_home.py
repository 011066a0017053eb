"""Home measurements per hour through ``POST /api/v1/home/fhir``, triaged, into PostgreSQL.

Goal (issue 10): 100,000 home measurements an hour (28/s) through the API, each triaged
(validated, banded, red ones raising an alert). The run builds a throw-away schema with one
control centre and ``--patients`` enrolled patients, starts uvicorn in a subprocess, and posts
one FHIR R4 Bundle per measurement (SpO2, respiratory rate, heart rate, temperature: four
LOINC-coded Observations, as a device gateway would) from client threads. It prints
measurements/s and per hour, request latency and the bands, checks the rows really landed,
then drops the schema.

    .venv/bin/python bench/bench_home.py --seconds 20 --workers 2
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from rich.console import Console
from sqlalchemy import func, select

from bench_ingest import _free_port, start_server
from benchlib import DEFAULT_PG_URL, create_schema, machine_line, summary_ms
from kraan.domain.access import Role
from kraan.store.access import create_user, issue_token
from kraan.store.care_at_home_tables import home_alerts, home_measurements
from kraan.store.home_monitoring import enrol_patient, upsert_team

console = Console()
LOINC = {"spo2": ("59408-5", "%"), "resp_rate": ("9279-1", "/min"),
         "heart_rate": ("8867-4", "/min"), "temperature": ("8310-5", "Cel")}  # fmt: skip


@dataclass(slots=True)
class Feed:
    patients: int
    start: datetime
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    counter: itertools.count = field(default_factory=itertools.count)  # type: ignore[type-arg]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_bundle(self) -> dict[str, object]:
        with self.lock:
            n = next(self.counter)
            spo2 = self.rng.choice([90, 93, 95, 96, 97, 97, 98, 98, 99])
        patient, step = n % self.patients, n // self.patients
        at = (self.start + timedelta(minutes=step)).isoformat() + "Z"
        values = {"spo2": spo2, "resp_rate": 18, "heart_rate": 84, "temperature": 37.4}
        entries = []
        for name, value in values.items():
            code, unit = LOINC[name]
            entries.append({"resource": {
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                "subject": {"reference": f"Patient/BENCH-{patient:05d}"},
                "device": {"reference": f"Device/bench-{patient:05d}"},
                "effectiveDateTime": at,
                "valueQuantity": {"value": value, "unit": unit,
                                  "system": "http://unitsofmeasure.org", "code": unit},
            }})  # fmt: skip
        return {"resourceType": "Bundle", "type": "collection", "entry": entries}


@dataclass(slots=True)
class Tally:
    done: int = 0
    latencies: list[float] = field(default_factory=list)
    bands: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def sender(base: str, token: str, feed: Feed, until: float, tally: Tally, count: bool) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        while time.monotonic() < until:
            body = json.dumps(feed.next_bundle())
            started = time.perf_counter()
            response = client.post("/api/v1/home/fhir", content=body)
            elapsed = time.perf_counter() - started
            with tally.lock:
                if response.status_code != 200:
                    tally.failures.append(f"{response.status_code}: {response.text[:200]}")
                    continue
                if count:
                    tally.done += 1
                    tally.latencies.append(elapsed)
                    band = response.json()["measurements"][0]["triage"]["band"]
                    tally.bands[band] = tally.bands.get(band, 0) + 1


def run(base: str, token: str, feed: Feed, clients: int, seconds: float, count: bool) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=sender, args=(base, token, feed, until, tally, count))
               for _ in range(clients)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def _wait_ready(base: str, server: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/home/teams", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("uvicorn did not become ready in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=0, help="sending threads (4 x workers)")
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--url", default=DEFAULT_PG_URL)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    clients = args.clients or 4 * args.workers
    schema = create_schema(args.url, "kraan_bench_home")
    engine = schema.engine()
    server = None
    try:
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        start = now - timedelta(days=60)
        with engine.begin() as conn:
            upsert_team(conn, code="CC-BENCH", name="Bench centre", kind="control_centre",
                        region_code="R1", nurses=50, actor="bench", now=now)  # fmt: skip
            for n in range(args.patients):
                enrol_patient(conn, values={
                    "pseudonym": f"BENCH-{n:05d}", "team_code": "CC-BENCH", "region_code": "R1",
                    "pathway": "pre_clinical", "referrer": "gp", "oxygen": False,
                    "high_care": False, "enrolled_at": start, "days_in_hospital": 0.0,
                    "expected_remaining_days": 0.0, "synthetic": True,
                }, actor="bench", now=now)  # fmt: skip
            uid = create_user(conn, username="bench-nurse", role=Role.CONTROL_CENTRE_NURSE,
                              now=now, actor="bench", location_codes=["CC-BENCH"])  # fmt: skip
            token = issue_token(conn, user_id=uid, now=now, actor="bench")
        machine = machine_line(engine)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(schema.url, port, args.workers)
        _wait_ready(base, server)
        feed = Feed(args.patients, start + timedelta(minutes=1))
        if args.warmup > 0:
            run(base, token, feed, clients, args.warmup, count=False)
        with engine.connect() as conn:
            before = conn.execute(select(func.count()).select_from(home_measurements)).scalar_one()
        started = time.monotonic()
        tally = run(base, token, feed, clients, args.seconds, count=True)
        elapsed = time.monotonic() - started
        with engine.connect() as conn:
            after = conn.execute(select(func.count()).select_from(home_measurements)).scalar_one()
            alerts = conn.execute(select(func.count()).select_from(home_alerts)).scalar_one()
        rate = tally.done / elapsed
        console.print(f"[bold]{rate:,.1f} measurements/s = {rate * 3600:,.0f} per hour[/] "
                      f"(goal 100,000 per hour) over {elapsed:.1f} s, {clients} clients, "
                      f"{args.workers} workers")  # fmt: skip
        console.print(f"request latency {summary_ms(tally.latencies)}")
        console.print(f"bands {tally.bands}; red alerts in the database: {alerts}")
        console.print(f"rows stored during the run: {after - before} (accepted {tally.done})")
        if tally.failures:
            console.print(f"[red]{len(tally.failures)} failures[/], first: {tally.failures[0]}")
        console.print(machine)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        engine.dispose()
        if args.keep:
            console.print(f"kept schema {schema.name}")
        else:
            schema.drop()


if __name__ == "__main__":
    main()
