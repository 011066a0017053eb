"""Backup and restore (issue 8): a restored database has the same rows and the same status.

PostgreSQL: ``kraan backup`` (pg_dump of the test's schema) restored by ``kraan restore``
into a fresh database. SQLite: the online backup API into a new file.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from kraan.cli import main
from kraan.services.contract import status_document
from kraan.services.demo import load_demo
from kraan.services.overview import build_overview
from kraan.settings import get_settings
from kraan.store.audit import verify_chain
from kraan.store.db import make_engine
from kraan.store.tables import metadata
from tests.conftest import PG_URL

DAYS = (
    datetime(2020, 12, 15, 23, 59),
    datetime(2020, 12, 18, 23, 59),
    datetime(2020, 12, 21, 23, 59),
)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in metadata.tables.items()
        }


def _statuses(engine: Engine) -> list[dict]:  # type: ignore[type-arg]
    settings = get_settings()
    with engine.connect() as conn:
        return [status_document(build_overview(conn, as_of=day, settings=settings)) for day in DAYS]


def _cli(*args: str) -> None:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    assert done.value.code in (0, None)


def test_backup_and_restore_into_a_fresh_database(db_engine: Engine, tmp_path: Path) -> None:
    load_demo(db_engine, get_settings(), start=date(2020, 12, 15), end=date(2020, 12, 21))
    url = db_engine.url.render_as_string(hide_password=False)
    dump = tmp_path / "kraan.backup"
    _cli("backup", str(dump), "--db", url)
    assert dump.stat().st_size > 0
    fresh_db = None
    if db_engine.dialect.name == "postgresql":
        fresh_db = f"kraan_restore_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{fresh_db}"'))
        restored_url = url.replace("/test?", f"/{fresh_db}?")
        assert restored_url != url
    else:
        restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    try:
        _cli("restore", str(dump), "--db", restored_url)
        restored = make_engine(restored_url)
        try:
            counts = _counts(db_engine)
            assert counts["submissions"] > 100
            assert _counts(restored) == counts
            assert _statuses(restored) == _statuses(db_engine)
            with restored.connect() as conn:
                assert verify_chain(conn).ok
        finally:
            restored.dispose()
    finally:
        if fresh_db:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{fresh_db}" WITH (FORCE)'))
            admin.dispose()
