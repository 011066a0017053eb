"""The set-based batch path on SQLite and PostgreSQL: outcomes, jump warnings, races."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from kraan.domain.access import Principal, Role
from kraan.domain.model import CapacityReport, CareLevel, LevelReport
from kraan.services.ingest import ItemResult, ingest_reports
from kraan.settings import Settings
from kraan.store.reference import location_ids_by_code
from kraan.store.report_batch import ConcurrentWriteError, Pending, is_retryable, lookup
from kraan.store.report_batch import save_reports as store_batch
from kraan.store.tables import audit_log, rejections, submissions
from kraan.store.tables import submission_levels as levels

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
T = NOW - timedelta(days=1)
STEP = timedelta(minutes=5)
NATIONAL = Principal("national", Role.NATIONAL_COORDINATOR)


def report(code: str, at: datetime, covid: int) -> CapacityReport:
    return CapacityReport(code, at, (LevelReport(CareLevel.IC, 30, covid, 0, 2),))


def ingest(engine: Engine, reports: list[CapacityReport], *, all_or_nothing: bool = True,
           ) -> list[ItemResult]:  # fmt: skip
    return ingest_reports(engine, reports, principal=NATIONAL, source="test",
                          settings=Settings(), now=NOW, all_or_nothing=all_or_nothing)  # fmt: skip


def versions(engine: Engine, code: str, at: datetime) -> list[tuple[int, bool, int]]:
    """(version, is_current, IC covid) of every stored version, oldest first."""
    with engine.connect() as conn:
        location_id = location_ids_by_code(conn)[code]
        rows = conn.execute(
            select(submissions.c.version, submissions.c.is_current, levels.c.covid_occupied)
            .join(levels, levels.c.submission_id == submissions.c.id)
            .where(submissions.c.location_id == location_id, submissions.c.reported_at == at)
            .order_by(submissions.c.version)
        ).all()
    return [(int(v), bool(c), int(n)) for v, c, n in rows]


def count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_one_batch_creates_replays_and_corrects(seeded_engine: Engine) -> None:
    ingest(seeded_engine, [report("H1", T, 5), report("H2", T, 6)])
    audit_before = count(seeded_engine, audit_log)
    results = ingest(seeded_engine, [report("H1", T, 5), report("H2", T, 7), report("H3", T, 1)])
    assert [(r.outcome, r.version) for r in results] == [
        ("unchanged", 1), ("corrected", 2), ("created", 1)]  # fmt: skip
    assert versions(seeded_engine, "H2", T) == [(1, False, 6), (2, True, 7)]
    assert count(seeded_engine, audit_log) - audit_before == 2  # one row per change
    assert count(seeded_engine, submissions) == 4


def test_jumps_are_judged_against_the_batch_own_earlier_report(seeded_engine: Engine) -> None:
    later, earlier = report("H1", T + STEP, 20), report("H1", T, 5)
    results = ingest(seeded_engine, [later, earlier])  # out of time order on purpose
    assert [w.field for w in results[0].warnings] == ["levels[0].covid_occupied"]
    assert "from 5 to 20" in results[0].warnings[0].message
    assert results[1].warnings == []


def test_a_stored_report_between_batch_reports_is_the_previous_one(seeded_engine: Engine) -> None:
    ingest(seeded_engine, [report("H1", T + STEP, 20)])
    results = ingest(seeded_engine, [report("H1", T, 5), report("H1", T + 2 * STEP, 21)])
    assert [r.outcome for r in results] == ["created", "created"]
    assert results[1].warnings == []  # 20 -> 21, not 5 -> 21


def test_without_all_or_nothing_good_reports_are_kept(seeded_engine: Engine) -> None:
    results = ingest(seeded_engine, [report("H1", T, 5), report("H2", T, 31), report("H1", T, 5)],
                     all_or_nothing=False)  # fmt: skip
    assert [r.outcome for r in results] == ["created", "rejected", "rejected"]
    assert "twice" in results[2].errors[-1].message
    assert count(seeded_engine, submissions) == 1
    assert count(seeded_engine, rejections) == 2


def test_retryable_errors_are_recognised() -> None:
    assert is_retryable(ConcurrentWriteError("raced"))
    assert not is_retryable(ValueError("bad input"))


def _hold_then_race(engine: Engine, held: CapacityReport, racing: CapacityReport) -> ItemResult:
    """Keep ``held`` saved but uncommitted, race ``racing`` for the same key, then commit."""
    outcome: dict[str, object] = {}

    def racer() -> None:
        try:
            outcome["result"] = ingest(engine, [racing])[0]
        except Exception as error:  # noqa: BLE001 - handed to the test thread below
            outcome["error"] = error

    with engine.connect() as conn:
        location_id = location_ids_by_code(conn)[held.location_code]
        pid = conn.execute(text("select pg_backend_pid()")).scalar()
        conn.commit()
        with conn.begin():
            key = (location_id, held.reported_at)
            found = lookup(conn, [key], {location_id: held.location_code})[key]
            store_batch(conn, [Pending(held, location_id, found)], actor="a", source="test",
                        now=NOW)  # fmt: skip
            thread = threading.Thread(target=racer)
            thread.start()
            _wait_until_blocked_by(engine, pid, thread, outcome)  # type: ignore[arg-type]
        thread.join(timeout=30)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def _wait_until_blocked_by(
    engine: Engine, pid: int, thread: threading.Thread, outcome: dict[str, object]
) -> None:
    deadline = time.monotonic() + 20
    with engine.connect() as conn:
        while time.monotonic() < deadline and thread.is_alive():
            blocked = conn.execute(text(
                "select count(*) from pg_stat_activity where :pid = any(pg_blocking_pids(pid))"
            ), {"pid": pid}).scalar()  # fmt: skip
            conn.rollback()  # pg_stat_activity is a snapshot per transaction: take a new one
            if blocked:
                return
            time.sleep(0.02)
        activity = conn.execute(text(
            "select pid, state, wait_event_type, wait_event, pg_blocking_pids(pid), left(query, 60)"
            " from pg_stat_activity where datname = current_database()"
        )).all()  # fmt: skip
    raise AssertionError(f"the racing request did not wait for {pid}: {outcome} {activity}")


def test_a_concurrent_correction_waits_and_becomes_the_next_version(seeded_engine: Engine) -> None:
    if seeded_engine.dialect.name != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL only")
    ingest(seeded_engine, [report("H1", T, 5)])
    result = _hold_then_race(seeded_engine, report("H1", T, 6), report("H1", T, 7))
    assert (result.outcome, result.version) == ("corrected", 3)
    assert versions(seeded_engine, "H1", T) == [(1, False, 5), (2, False, 6), (3, True, 7)]


def test_a_concurrent_first_insert_is_retried_as_a_correction(seeded_engine: Engine) -> None:
    if seeded_engine.dialect.name != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL only")
    result = _hold_then_race(seeded_engine, report("H2", T, 5), report("H2", T, 9))
    assert (result.outcome, result.version) == ("corrected", 2)
    assert versions(seeded_engine, "H2", T) == [(1, False, 5), (2, True, 9)]


def test_after_a_bulk_load_new_reports_get_fresh_ids(seeded_engine: Engine) -> None:
    """The bulk path writes explicit ids; on PostgreSQL the id sequence must move past them."""
    from kraan.store.reports import bulk_insert_reports

    with seeded_engine.begin() as conn:
        bulk_insert_reports(conn, [report("H1", T - i * STEP, 5) for i in range(1, 4)],
                            location_ids=location_ids_by_code(conn), actor="demo",
                            source="demo", now=NOW)  # fmt: skip
    results = ingest(seeded_engine, [report("H1", T, 5), report("H2", T, 5)])
    assert [r.outcome for r in results] == ["created", "created"]
    assert count(seeded_engine, submissions) == 5
