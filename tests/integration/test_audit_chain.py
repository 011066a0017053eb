"""The audit log is append-only and hash-chained, on SQLite and PostgreSQL (issue 8)."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from kraan.cli import main
from kraan.domain.access import Principal, Role
from kraan.domain.model import CapacityReport, CareLevel, LevelReport
from kraan.services.ingest import ingest_reports
from kraan.settings import get_settings
from kraan.store.audit import verify_chain, write_audit
from kraan.store.tables import audit_log

T = datetime(2020, 12, 21, 8, 0)


def _write(engine: Engine, n: int, actor: str = "t") -> None:
    for i in range(n):
        with engine.begin() as conn:
            write_audit(
                conn, at=T, actor=actor, action="test.write", entity="thing",
                entity_key=str(i), before=None, after={"i": i, "text": "ü\x00"},
            )  # fmt: skip


def test_the_chain_holds_and_an_edit_breaks_it(db_engine: Engine) -> None:
    _write(db_engine, 5)
    with db_engine.connect() as conn:
        check = verify_chain(conn)
    assert check.ok and check.rows == 5
    for statement in (
        update(audit_log).where(audit_log.c.id == 3).values(actor="mallory"),
        delete(audit_log).where(audit_log.c.id == 2),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db_engine.begin() as conn:
            conn.execute(statement)
    # the triggers can be dropped by the owner: the chain still shows the edit
    with db_engine.begin() as conn:
        if db_engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(update(audit_log).where(audit_log.c.id == 3).values(actor="mallory"))
    with db_engine.connect() as conn:
        broken = verify_chain(conn)
    assert broken.broken_at == 3 and "content" in broken.reason


def test_report_batches_chain_too(seeded_engine: Engine) -> None:
    level = LevelReport(CareLevel.IC, staffed_beds=10, covid_occupied=3)
    reports = [CapacityReport(code, T, (level,)) for code in ("H1", "H2", "H3")]
    national = Principal("n", Role.NATIONAL_COORDINATOR)
    results = ingest_reports(
        seeded_engine, reports, principal=national, source="api", settings=get_settings(),
        now=T, all_or_nothing=True,
    )  # fmt: skip
    assert [r.outcome for r in results] == ["created"] * 3
    _write(seeded_engine, 2)
    with seeded_engine.connect() as conn:
        check = verify_chain(conn)
    assert check.ok and check.rows >= 5


def test_concurrent_writers_keep_one_chain(db_engine: Engine) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL")
    threads = [threading.Thread(target=_write, args=(db_engine, 15, f"w{i}")) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db_engine.connect() as conn:
        check = verify_chain(conn)
        total = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    assert total == 90 and check.ok and check.rows == 90


def test_kraan_audit_verify(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from kraan.store.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = make_engine(url)
    migrate(engine)
    _write(engine, 3)
    with pytest.raises(SystemExit) as done:
        main(["audit", "verify", "--db", url])
    assert done.value.code == 0
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(delete(audit_log).where(audit_log.c.id == 2))
    with pytest.raises(SystemExit) as done:
        main(["audit", "verify", "--db", url])
    assert done.value.code == 1
    assert "broken at row id 3" in capsys.readouterr().err
    engine.dispose()
