"""Shared fixtures: an empty migrated database on SQLite and on PostgreSQL.

PostgreSQL runs at 127.0.0.1:5432 (trust auth, database ``test``); each test
session works in a schema of its own and drops it at the end. Where no server is
reachable the PostgreSQL variants are skipped with a message saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine, create_engine, text

from kraan.domain.model import CareLevel, Location, LocationKind, Region
from kraan.store.db import make_engine, migrate
from kraan.store.reference import MunicipalityRow, replace_reference

PG_URL = os.environ.get("KRAAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL
        return f"PostgreSQL not reachable at {PG_URL}: {error.__class__.__name__}"


_PG_PROBLEM = _pg_reachable()


def pg_engine() -> tuple[Engine, str]:
    schema = f"kraan_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = PG_URL + ("&" if "?" in PG_URL else "?") + f"options=-csearch_path%3D{schema}"
    return make_engine(url), schema


def drop_pg_schema(schema: str) -> None:
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A freshly migrated database of each supported kind."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'kraan.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    if _PG_PROBLEM:
        pytest.skip(_PG_PROBLEM)
    engine, schema = pg_engine()
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_pg_schema(schema)


T0 = datetime(2020, 12, 21, 8, 0)

REGIONS = (
    Region("R1", "Region one", ("VR01", "VR02"), 1_000_000),
    Region("R2", "Region two", ("VR03",), 500_000),
)
LOCATIONS = (
    Location(
        "H1",
        "Hospital one",
        LocationKind.HOSPITAL,
        "R1",
        "VR01",
        "GM0001",
        52.0,
        5.0,
        {CareLevel.IC: 30, CareLevel.WARD: 300},
    ),
    Location(
        "H2",
        "Hospital two",
        LocationKind.HOSPITAL,
        "R1",
        "VR02",
        "GM0002",
        52.1,
        5.1,
        {CareLevel.IC: 20, CareLevel.WARD: 200},
    ),
    Location(
        "H3",
        "Hospital three",
        LocationKind.HOSPITAL,
        "R2",
        "VR03",
        "GM0003",
        52.2,
        5.2,
        {CareLevel.IC: 10, CareLevel.WARD: 100},
    ),
    Location(
        "DE-ABROAD",
        "Germany",
        LocationKind.ABROAD,
        "DE",
        "",
        "",
        51.2,
        6.8,
        {CareLevel.IC: 0},
        synthetic=False,
    ),
)


def seed_reference(engine: Engine) -> None:
    """A small, hand-made reference set: two regions, three hospitals and Germany."""
    with engine.begin() as conn:
        replace_reference(
            conn,
            region_list=REGIONS,
            safety_region_names={"VR01": "One", "VR02": "Two", "VR03": "Three"},
            municipality_list=[MunicipalityRow("GM0001", "Town", "VR01", 1000)],
            location_list=LOCATIONS,
            actor="test",
            now=T0,
        )


@pytest.fixture
def seeded_engine(db_engine: Engine) -> Engine:
    seed_reference(db_engine)
    return db_engine
