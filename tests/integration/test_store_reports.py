"""The store on SQLite and PostgreSQL: versions, idempotency, as-of reads, audit."""

from datetime import timedelta

from sqlalchemy import Engine, func, select

from kraan.domain.model import CapacityReport, CareLevel, LevelReport
from kraan.store.audit import audit_entries
from kraan.store.reference import location_ids_by_code
from kraan.store.reports import SaveOutcome, latest_reports, report_versions, save_report
from kraan.store.series import daily_totals
from kraan.store.tables import submissions
from tests.conftest import T0


def make(code: str, at, covid: int, staffed: int = 30) -> CapacityReport:  # type: ignore[no-untyped-def]
    return CapacityReport(
        code,
        at,
        (
            LevelReport(CareLevel.IC, staffed, covid, 1, 5),
            LevelReport(CareLevel.WARD, 100, covid * 3, 0, 50),
        ),
    )


def save(engine: Engine, report: CapacityReport, actor: str = "tester"):  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        ids = location_ids_by_code(conn)
        return save_report(
            conn,
            report=report,
            location_id=ids[report.location_code],
            actor=actor,
            source="test",
            now=T0 + timedelta(hours=2),
        )


def test_same_figures_twice_change_nothing(seeded_engine: Engine) -> None:
    first = save(seeded_engine, make("H1", T0, 10))
    again = save(seeded_engine, make("H1", T0, 10))
    assert (first.outcome, again.outcome) == (SaveOutcome.CREATED, SaveOutcome.UNCHANGED)
    with seeded_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(submissions)).scalar() == 1


def test_a_correction_is_a_new_version_and_the_old_one_stays(seeded_engine: Engine) -> None:
    save(seeded_engine, make("H1", T0, 10))
    corrected = save(seeded_engine, make("H1", T0, 12), actor="fixer")
    assert corrected.outcome is SaveOutcome.CORRECTED and corrected.version == 2
    with seeded_engine.connect() as conn:
        ids = location_ids_by_code(conn)
        versions = report_versions(conn, location_id=ids["H1"], reported_at=T0, code="H1")
        latest = latest_reports(conn, as_of=T0, location_ids={v: k for k, v in ids.items()})
        audit = audit_entries(conn, entity="report")
    assert [r.level(CareLevel.IC).covid_occupied for r, _ in versions] == [10, 12]  # type: ignore[union-attr]
    assert [bool(meta["is_current"]) for _, meta in versions] == [False, True]
    assert latest["H1"].level(CareLevel.IC).covid_occupied == 12  # type: ignore[union-attr]
    correction = audit[0]
    assert correction["action"] == "report.correct" and correction["actor"] == "fixer"
    assert correction["before"]["levels"][0]["covid_occupied"] == 10
    assert correction["after"]["levels"][0]["covid_occupied"] == 12


def test_as_of_reads_never_see_later_reports(seeded_engine: Engine) -> None:
    for hours, covid in ((0, 5), (24, 7), (48, 9)):
        save(seeded_engine, make("H1", T0 + timedelta(hours=hours), covid))
    save(seeded_engine, make("H3", T0 + timedelta(hours=30), 3))
    with seeded_engine.connect() as conn:
        codes = {v: k for k, v in location_ids_by_code(conn).items()}
        at_day_two = latest_reports(conn, as_of=T0 + timedelta(hours=25), location_ids=codes)
        before_all = latest_reports(conn, as_of=T0 - timedelta(seconds=1), location_ids=codes)
    assert set(at_day_two) == {"H1"}
    assert at_day_two["H1"].level(CareLevel.IC).covid_occupied == 7  # type: ignore[union-attr]
    assert before_all == {}


def test_daily_totals_take_the_last_report_of_each_day(seeded_engine: Engine) -> None:
    save(seeded_engine, make("H1", T0, 5))
    save(seeded_engine, make("H1", T0 + timedelta(hours=6), 8))
    save(seeded_engine, make("H3", T0 + timedelta(hours=1), 2))
    save(
        seeded_engine,
        make("DE-ABROAD", T0, 4, staffed=0).__class__(
            "DE-ABROAD", T0, (LevelReport(CareLevel.IC, 4, 4),)
        ),
    )
    with seeded_engine.connect() as conn:
        totals = daily_totals(conn, start=T0.date(), end=T0.date() + timedelta(days=1))
    assert totals.national(CareLevel.IC, "covid").tolist() == [10, 0]
    assert totals.abroad_ic[0] == 4
    assert totals.region_codes == ["R1", "R2"]
