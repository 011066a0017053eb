"""Help requests at scale: the requests page and the briefing figures replay every event.

A whole second wave's worth of staff-help requests (default 2,000, far more than the
hundreds of 2020-2021) over 90 days in a PostgreSQL schema of its own, each climbing part
of the ladder (4-11 events), then the read paths timed at random ``as_of`` moments:

- ``request_views`` + ``summarise`` (the requests page, ``GET /api/v1/requests/summary``);
- ``briefing_summary`` (the weekly briefing: requests, signals, ELV, stock).

    .venv/bin/python bench/bench_requests.py [--requests 2000] [--samples 15]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta

from rich.console import Console

from benchlib import DEFAULT_PG_URL, create_schema, machine_line, seed_reference, summary_ms
from kraan.domain.requests.ladder import Step
from kraan.services.requests import briefing_summary, request_views, summarise
from kraan.settings import get_settings
from kraan.store import help_requests as store

START = datetime(2020, 11, 1, 8, 0)
STALE = timedelta(hours=72)


def _load(engine, locations, count: int, rng: random.Random) -> int:  # type: ignore[no-untyped-def]
    events = 0
    for n in range(count):
        loc = rng.choice(locations)
        at = START + timedelta(minutes=rng.randrange(90 * 24 * 60))
        data = {"location_code": loc.code, "region_code": loc.region_code,
                "safety_region_code": loc.safety_region_code,
                "workers": {"ic_nurse": 1 + n % 4, "care_assistant": n % 6},
                "period_start": date(2020, 11, 1), "period_end": date(2020, 11, 20),
                "shifts": "day", "reason": "bench: absence and COVID wards",
                "measures": "bench: planned care stopped"}  # fmt: skip
        steps: list[tuple[Step, dict[str, object]]] = [
            (Step.ANSWER, {"answer": "cannot_fill", "asked": ["roaz"]}),
            (Step.ESCALATE, {}),
            (Step.ANSWER, {"answer": "cannot_fill", "asked": ["red_cross", "zorgreserve"]}),
            (Step.ESCALATE, {}),
            (Step.SIGN, {}), (Step.INTAKE, {}),
            (Step.FACT_FINDING, {"note": "bench: fact-finding report"}),
            *[(Step.VOTE, {"party": p, "approve": False})
              for p in ("defence", "vws", "ggd_ghor_locc")],
        ]  # fmt: skip
        with engine.begin() as conn:
            rid, _ = store.create_request(conn, data=data, actor="bench", now=at)
            for k, (step, step_data) in enumerate(steps[: rng.randrange(len(steps) + 1)]):
                store.take_step(conn, request_id=rid, step=step, data=step_data, actor="bench",
                                now=at + timedelta(hours=k + 1), stale_after=STALE)  # fmt: skip
                events += 1
        events += 1
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    console, rng = Console(), random.Random(14)
    schema = create_schema(args.pg_url, "bench_requests")
    engine = schema.engine()
    try:
        console.print(machine_line(engine))
        locations = [loc for loc in seed_reference(engine, 150) if loc.region_code != "DE"]
        began = time.perf_counter()
        events = _load(engine, locations, args.requests, rng)
        took = time.perf_counter() - began
        console.print(f"loaded {args.requests:,} requests, {events:,} events in {took:.1f} s "
                      "(every step checked by the domain)")  # fmt: skip
        settings = get_settings()
        page, brief = [], []
        for _ in range(args.samples):
            as_of = START + timedelta(minutes=rng.randrange(95 * 24 * 60))
            t0 = time.perf_counter()
            with engine.connect() as conn:
                summarise(request_views(conn, as_of=as_of, stale_after=STALE), as_of=as_of)
            t1 = time.perf_counter()
            briefing_summary(engine, as_of, settings=settings)
            page.append(t1 - t0)
            brief.append(time.perf_counter() - t1)
        console.print(f"requests page figures (replay of every request): {summary_ms(page)}")
        console.print(f"briefing_summary (requests, signals, ELV, stock): {summary_ms(brief)}")
    finally:
        engine.dispose()
        schema.drop()


if __name__ == "__main__":
    main()
