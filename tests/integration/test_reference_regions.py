"""Regions in the store are sets of municipalities; a safety region can lie in two (0008)."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import Engine, select

from kraan.domain.model import Region
from kraan.store.db import alembic_config
from kraan.store.reference import MunicipalityRow, load_regions, replace_reference
from kraan.store.tables import regions, safety_regions

T0 = datetime(2020, 12, 21, 8, 0)
TOWNS = [
    MunicipalityRow("GM0001", "Alpha", "VR01", 300, "R1"),
    MunicipalityRow("GM0002", "Beta", "VR01", 100, "R2"),
    MunicipalityRow("GM0003", "Gamma", "VR02", 200, "R2"),
]
REGIONS = [
    Region("R1", "One", ("VR01",), 300, ("GM0001",)),
    Region("R2", "Two", ("VR01", "VR02"), 300, ("GM0002", "GM0003")),
]


def _load(engine: Engine) -> None:
    with engine.begin() as conn:
        replace_reference(conn, region_list=REGIONS, municipality_list=TOWNS, location_list=[],
                          safety_region_names={"VR01": "One", "VR02": "Two"}, actor="test",
                          now=T0)  # fmt: skip


def test_a_safety_region_in_two_regions_round_trips(db_engine: Engine) -> None:
    _load(db_engine)
    with db_engine.connect() as conn:
        loaded = {r.code: r for r in load_regions(conn)}
        assert conn.execute(select(regions.c.approximation)).scalars().all() == [False, False]
        assert sorted(conn.execute(select(safety_regions.c.code)).scalars()) == ["VR01", "VR02"]
    assert loaded["R1"] == REGIONS[0]
    assert loaded["R2"] == REGIONS[1]


def test_regions_named_by_safety_region_only_still_get_their_municipalities(
    db_engine: Engine,
) -> None:
    """Hand-made reference sets (tests, benchmarks) name no municipalities per region."""
    with db_engine.begin() as conn:
        replace_reference(conn, region_list=[Region("R1", "One", ("VR01",), 400)],
                          municipality_list=[MunicipalityRow("GM0001", "Alpha", "VR01", 400)],
                          safety_region_names={"VR01": "One"}, location_list=[], actor="test",
                          now=T0)  # fmt: skip
        (region,) = load_regions(conn)
    assert (region.safety_regions, region.municipalities) == (("VR01",), ("GM0001",))


def test_0008_downgrades_to_one_region_per_safety_region_and_back(db_engine: Engine) -> None:
    _load(db_engine)
    config = alembic_config(db_engine.url.render_as_string(hide_password=False))
    with db_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007_hardening")
    with db_engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT code, region_code FROM safety_regions ORDER BY code"
        ).all()
    assert [tuple(r) for r in rows] == [("VR01", "R1"), ("VR02", "R2")]  # VR01: most people in R1
    with db_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    _load(db_engine)
    with db_engine.connect() as conn:
        assert {r.code: r for r in load_regions(conn)}["R2"] == REGIONS[1]
