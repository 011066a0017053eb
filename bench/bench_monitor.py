"""The monitor query for one ``as_of`` over a year of 5-minute reports from 150 locations.

Goal (issue): p50 under 100 ms with ~16 million submissions (365 days x 288
reports a day x 150 locations = 15.8 M, plus 31.5 M IC and ward level rows).
The run loads a fresh PostgreSQL schema with binary COPY fed from numpy (the
constraints and indexes are taken off first and put back after, then VACUUM
ANALYZE, as autovacuum would leave a real database), and then times
``kraan.store.reports.latest_reports`` and ``kraan.services.overview.take_snapshot``
for random moments in the year.

    .venv/bin/python bench/bench_monitor.py --keep            # load, time, keep the schema
    .venv/bin/python bench/bench_monitor.py --reuse SCHEMA    # time again without loading
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg
from psycopg.copy import QueuedLibpqWriter
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Connection, Engine, event, text

from benchlib import (
    DEFAULT_PG_URL,
    BenchSchema,
    create_schema,
    machine_line,
    seed_reference,
    summary_ms,
)
from kraan.domain.model import CareLevel
from kraan.services.overview import build_overview, take_snapshot
from kraan.settings import Settings
from kraan.store.reference import load_locations
from kraan.store.reports import latest_reports
from pgcopy import SIGNATURE, TRAILER, BinaryRows, Field, copy_statement, pg_micros

console = Console()
START = datetime(2021, 1, 4)  # the first moment of the synthetic year (a Monday)
STEP_US = 5 * 60 * 1_000_000
BYTES_PER_REPORT = 450  # measured: submission + two level rows + their indexes, on disk
TABLES = ("submissions", "submission_levels")

SUBMISSIONS = BinaryRows([
    Field("id", ">i8"), Field("location_id", ">i4"), Field("reported_at", ">i8"),
    Field("version", ">i2"), Field("is_current", "u1"), Field("recorded_at", ">i8"),
    Field("recorded_by", "S5"), Field("source", "S5"), Field("staff_absence_pct", ">f8"),
    Field("critical_planned_care_ok", "u1"), Field("acute_care_ok", "u1"),
    Field("provenance", "S6"), Field("warnings", None, empty=True),
])  # fmt: skip


def level_rows(care_level: CareLevel) -> BinaryRows:
    return BinaryRows([
        Field("submission_id", ">i8"), Field("care_level", f"S{len(care_level.value)}"),
        Field("staffed_beds", ">i2"), Field("covid_occupied", ">i2"),
        Field("ontlabeld_occupied", ">i2"), Field("non_covid_occupied", ">i2"),
        Field("covid_admissions_24h", ">i2"), Field("status", None),
        Field("restrictions", None, empty=True), Field("emergency_reserve_7d", None),
        Field("overflow", "u1"),
    ])  # fmt: skip


class Year:
    """Smooth epidemic waves per location: plausible figures without DIVI jumps."""

    def __init__(self, location_ids: list[int], planned: list[dict[CareLevel, int]]) -> None:
        rng = np.random.default_rng(11)
        self.ids = np.asarray(location_ids, dtype=np.int64)
        self.staffed = {
            level: np.asarray([p[level] for p in planned], dtype=np.int16)
            for level in (CareLevel.IC, CareLevel.WARD)
        }
        self.phase = rng.uniform(0, 2 * np.pi, len(location_ids))
        self.rng = rng

    def chunk(self, first: int, last: int) -> tuple[int, bytes, bytes]:
        """Steps [first, last) for every location, time-major like a live feed."""
        steps = np.arange(first, last)[:, None]
        days = steps / 288.0
        size = steps.size * self.ids.size
        ids = 1 + first * self.ids.size + np.arange(size, dtype=np.int64)
        at = pg_micros(START) + steps * STEP_US + np.zeros_like(self.phase, dtype=np.int64)
        wave = 0.5 + 0.45 * np.sin(2 * np.pi * days / 120 + self.phase)
        absence = 6 + 2 * np.sin(2 * np.pi * days / 30 + self.phase)
        subs = SUBMISSIONS.pack(size, {
            "id": ids, "location_id": np.tile(self.ids, steps.size), "reported_at": at.ravel(),
            "version": 1, "is_current": 1, "recorded_at": at.ravel() + 30_000_000,
            "recorded_by": b"bench", "source": b"bench",
            "staff_absence_pct": (absence + self.rng.normal(0, 0.2, absence.shape)).ravel(),
            "critical_planned_care_ok": 1, "acute_care_ok": 1, "provenance": b"actual",
        })  # fmt: skip
        levels = []
        for level, share in ((CareLevel.IC, 0.45), (CareLevel.WARD, 0.25)):
            staffed = self.staffed[level]
            covid = np.rint(staffed * share * wave).astype(np.int16)
            ontlabeld = covid // 8
            weekly = 0.45 + 0.1 * np.sin(2 * np.pi * days / 7 + self.phase)
            non_covid = np.minimum(np.rint(staffed * weekly), staffed - covid - ontlabeld)
            levels.append(level_rows(level).pack(size, {
                "submission_id": ids, "care_level": level.value.encode(),
                "staffed_beds": np.broadcast_to(staffed, covid.shape).ravel(),
                "covid_occupied": covid.ravel(), "ontlabeld_occupied": ontlabeld.ravel(),
                "non_covid_occupied": non_covid.ravel(),
                "covid_admissions_24h": (covid // 6).ravel(), "overflow": 0,
            }))  # fmt: skip
        return size, subs, b"".join(levels)


def take_apart(conn: Connection) -> list[str]:
    """Drop keys, indexes and foreign keys of the report tables; return how to put them back."""
    constraints, foreign, indexes, drops = [], [], [], []
    for table in TABLES:
        owned = set()
        for name, kind, definition in conn.execute(text(
            "select conname, contype, pg_get_constraintdef(oid) from pg_constraint "
            "where conrelid = cast(:t as regclass) and contype in ('p', 'u', 'f')"
        ), {"t": table}):  # fmt: skip
            owned.add(name)
            add = f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
            (foreign if kind == "f" else constraints).append(add)
            drop = f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'
            drops.append((0 if kind == "f" else 2, drop))  # foreign keys first, keys last
        for name, definition in conn.execute(text(
            "select indexname, indexdef from pg_indexes "
            "where schemaname = current_schema() and tablename = :t"
        ), {"t": table}):  # fmt: skip
            if name not in owned:
                indexes.append(definition)
                drops.append((1, f'DROP INDEX "{name}"'))
    for _, statement in sorted(drops):
        conn.execute(text(statement))
    return constraints + indexes + foreign


def load(schema: BenchSchema, engine: Engine, days: int) -> None:
    with engine.begin() as conn:
        located = load_locations(conn)
        restore = take_apart(conn)
    year = Year([lid for lid, _ in located], [loc.planned_beds for _, loc in located])
    total_steps, per_chunk = days * 288, 2 * 288
    libpq_url = schema.url.replace("postgresql+psycopg://", "postgresql://")
    started = time.monotonic()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())  # fmt: skip
    with (
        psycopg.connect(libpq_url) as subs_conn,
        psycopg.connect(libpq_url) as levels_conn,
        subs_conn.cursor() as subs_cur,
        levels_conn.cursor() as levels_cur,
        subs_cur.copy(copy_statement("submissions", SUBMISSIONS.columns),
                      writer=QueuedLibpqWriter(subs_cur)) as subs_copy,
        levels_cur.copy(copy_statement("submission_levels", level_rows(CareLevel.IC).columns),
                        writer=QueuedLibpqWriter(levels_cur)) as levels_copy,
        Progress(*columns, console=console) as progress,
    ):  # fmt: skip
        task = progress.add_task("COPY reports", total=total_steps * len(located))
        subs_copy.write(SIGNATURE)
        levels_copy.write(SIGNATURE)
        for first in range(0, total_steps, per_chunk):
            size, subs, levels = year.chunk(first, min(first + per_chunk, total_steps))
            subs_copy.write(subs)
            levels_copy.write(levels)
            progress.advance(task, size)
        subs_copy.write(TRAILER)
        levels_copy.write(TRAILER)
    loaded = time.monotonic() - started
    rows = total_steps * len(located)
    console.print(f"COPY: {rows:,} submissions + {2 * rows:,} levels in {loaded:.0f} s "
                  f"({3 * rows / loaded:,.0f} rows/s)")  # fmt: skip
    _timed("keys, indexes, foreign keys", lambda conn: _restore(conn, restore), engine)
    with engine.connect() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('submissions', 'id'), :n)"),
                     {"n": rows})  # fmt: skip
        conn.commit()
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    _timed("VACUUM ANALYZE", lambda c: c.execute(text(f"VACUUM ANALYZE {', '.join(TABLES)}")),
           autocommit)  # fmt: skip


def _restore(conn: Connection, statements: list[str]) -> None:
    conn.execute(text("SET maintenance_work_mem = '1GB'"))
    for statement in statements:
        conn.execute(text(statement))


def _timed(what: str, action: Callable[[Connection], object], engine: Engine) -> None:
    started = time.monotonic()
    with console.status(what), engine.begin() as conn:
        action(conn)
    console.print(f"{what}: {time.monotonic() - started:.0f} s")


def _check_disk(engine: Engine, days: int, n_locations: int) -> None:
    need = days * 288 * n_locations * BYTES_PER_REPORT
    with engine.connect() as conn:
        data_dir = Path(str(conn.execute(text("show data_directory")).scalar()))
    where = data_dir if data_dir.exists() else Path.cwd()
    free = shutil.disk_usage(where).free
    console.print(f"needs ~{need / 2**30:.1f} GiB; {free / 2**30:.0f} GiB free at {where}")
    if free < 1.5 * need:
        raise SystemExit("not enough disk: use fewer --days or --locations")


def time_queries(engine: Engine, schema: BenchSchema, args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    settings = Settings(database_url=schema.url)
    with engine.connect() as conn:
        located = load_locations(conn)
        codes = {lid: loc.code for lid, loc in located}
        first, last = conn.execute(text(
            "select min(reported_at), max(reported_at) from submissions where location_id = :l"
        ), {"l": located[0][0]}).one()  # fmt: skip
        rng = random.Random(5)
        span = (last - first - timedelta(days=1)).total_seconds()
        moments = [
            first + timedelta(days=15, seconds=rng.uniform(0, span - 14 * 86_400))
            for _ in range(args.samples)
        ]
        for as_of in moments[:5]:  # warm the caches and the statement cache
            latest_reports(conn, as_of=as_of, location_ids=codes)
            take_snapshot(conn, as_of=as_of, settings=settings)
        latest, snapshot = [], []
        for as_of in moments:
            started = time.perf_counter()
            found = latest_reports(conn, as_of=as_of, location_ids=codes)
            latest.append(time.perf_counter() - started)
            assert len(found) == len(codes), "every location reports every 5 minutes"
            started = time.perf_counter()
            take_snapshot(conn, as_of=as_of, settings=settings)
            snapshot.append(time.perf_counter() - started)
        overview = []  # the whole GET /api/v1/status: snapshot plus the 14-day history
        for as_of in moments[: args.overview_samples]:
            started = time.perf_counter()
            build_overview(conn, as_of=as_of, settings=settings)
            overview.append(time.perf_counter() - started)
        if args.explain:
            _explain(conn, moments[0], codes)
        sizes = conn.execute(text(
            "select pg_size_pretty(sum(pg_total_relation_size(c))) from unnest("
            "array['submissions', 'submission_levels']::regclass[]) c"
        )).scalar()  # fmt: skip
    return {"latest": latest, "snapshot": snapshot, "overview": overview, "size": sizes,
            "locations": len(codes), "first": first, "last": last}  # fmt: skip


def _explain(conn: Connection, as_of: datetime, codes: dict[int, str]) -> None:
    """EXPLAIN ANALYZE every statement latest_reports sends (captured, then re-run)."""
    sent: list[tuple[str, object]] = []

    def capture(_c, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", capture)
    latest_reports(conn, as_of=as_of, location_ids=codes)
    event.remove(conn, "before_cursor_execute", capture)
    for statement, parameters in sent:
        plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)  # type: ignore[arg-type]
        console.print("\n".join(row[0] for row in plan), highlight=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--locations", type=int, default=150)
    parser.add_argument("--samples", type=int, default=50, help="random as_of moments timed")
    parser.add_argument("--url", default=DEFAULT_PG_URL, help="PostgreSQL server URL")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--reuse", metavar="SCHEMA", help="time an earlier --keep schema again")
    parser.add_argument(
        "--overview-samples",
        type=int,
        default=10,
        help="moments for build_overview (GET /api/v1/status); 0 skips it",
    )
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()

    schema = create_schema(args.url, "kraan_bench_monitor", reuse=args.reuse)
    engine = schema.engine()
    try:
        machine = machine_line(engine)
        with engine.connect() as conn:
            filled = conn.execute(text("select exists (select 1 from submissions)")).scalar()
        if not filled:
            _check_disk(engine, args.days, args.locations)
            seed_reference(engine, args.locations)
            load(schema, engine, args.days)
        figures = time_queries(engine, schema, args)
        _report(figures, machine, schema.name)
    finally:
        engine.dispose()
        if args.keep or args.reuse:
            console.print(f"kept schema [bold]{schema.name}[/] (reuse with --reuse {schema.name})")
        else:
            schema.drop()


def _report(figures: dict, machine: str, name: str) -> None:  # type: ignore[type-arg]
    table = Table(title="Monitor query at one as_of (PostgreSQL)", show_header=False)
    table.add_row("latest_reports", summary_ms(figures["latest"]))
    table.add_row("take_snapshot", summary_ms(figures["snapshot"]))
    table.add_row("mean latest_reports", f"{statistics.mean(figures['latest']) * 1000:.1f} ms")
    if figures["overview"]:
        table.add_row("build_overview (/status)", summary_ms(figures["overview"]))
    table.add_row(
        "data",
        f"{figures['locations']} locations, {figures['first']:%Y-%m-%d} .. "
        f"{figures['last']:%Y-%m-%d}, every 5 minutes; {figures['size']} on disk",
    )
    table.add_row("samples", f"{len(figures['latest'])} random as_of moments, schema {name}")
    table.add_row("machine", machine)
    console.print(table)


if __name__ == "__main__":
    main()
