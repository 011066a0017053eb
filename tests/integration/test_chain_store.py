"""Signals, ELV orders and stockpiles in the store; ventilator grants racing on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from kraan.domain.requests.rules import RuleViolation, StepConflict
from kraan.domain.requests.signals import SignalStep
from kraan.services.requests import briefing_summary
from kraan.settings import get_settings
from kraan.store import signals as signal_store
from kraan.store import stock as stock_store
from kraan.store.db import migrate
from kraan.store.requests_tables import elv_order_beds, signal_events
from kraan.store.tables import audit_log
from tests.conftest import _PG_PROBLEM, T0, drop_pg_schema, pg_engine, seed_reference

SIGNAL = {"region_code": "R1", "location_code": "H1", "sector": "elv",
          "blocked": "no ELV bed for discharged COVID patients", "since": "2020-12-20"}  # fmt: skip
MED = {"code": "midazolam", "name": "Midazolam", "unit": "vial", "stock": 4_000.0,
       "regular_per_month": 1_000.0, "per_ic_patient_day": 1.5}  # fmt: skip


def _count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_signals_orders_and_stock_replay_and_feed_the_briefing(seeded_engine: Engine) -> None:
    engine, hour = seeded_engine, timedelta(hours=1)
    with engine.begin() as conn:
        sid = signal_store.file_signal(conn, data=dict(SIGNAL), actor="rep", now=T0)
        for n, (step, data) in enumerate([("escalate", {"umbrella": "zn"}),
                                          ("classify", {"classification": "specific"})], 1):
            signal_store.signal_step(conn, signal_id=sid, step=SignalStep(step), data=data,
                                     actor="x", now=T0 + n * hour)  # fmt: skip
        oid = signal_store.create_order(conn, region_code="R1", beds=10, note="", actor="c",
                                        now=T0, scale_up=timedelta(hours=72))  # fmt: skip
        signal_store.report_beds(conn, order_id=oid, location_code="H1", beds=6, actor="r",
                                 now=T0 + 10 * hour)  # fmt: skip
        stock_store.record_medicine(conn, data=dict(MED), actor="lcg", now=T0)
        pool = stock_store.set_pool(conn, name="central", total=10, actor="lch", now=T0)
        app = stock_store.apply_for(conn, pool_id=pool, location_code="H1", region_code="R1",
                                    units=4, reason="two IC units replaced", actor="r",
                                    now=T0)  # fmt: skip
        stock_store.assess(conn, app_id=app, decision="partly", granted=2, reason="stock low",
                           actor="lch", now=T0 + hour)  # fmt: skip
    with pytest.raises(RuleViolation), engine.begin() as conn:
        signal_store.report_beds(conn, order_id=oid, location_code="H1", beds=5, actor="r",
                                 now=T0 + 11 * hour)  # fmt: skip
    assert _count(engine, elv_order_beds) == 1 and _count(engine, signal_events) == 3
    with pytest.raises(StepConflict), engine.begin() as conn:
        signal_store.signal_step(conn, signal_id=sid, step=SignalStep.ESCALATE,
                                 data={"umbrella": "zn"}, actor="x", now=T0 + 5 * hour)  # fmt: skip
    settings = get_settings()
    late = briefing_summary(engine, T0 + timedelta(hours=80), settings=settings)
    assert late.signals_open_by_classification["specific"] == 1
    assert late.elv_by_region == {"R1": {"ordered": 10, "available": 6, "overdue": 4}}
    assert late.ventilator_applications == {"partly": 1}
    assert [m["code"] for m in late.medicines_below_norm] == ["midazolam"]
    early = briefing_summary(engine, T0 + timedelta(minutes=30), settings=settings)
    assert early.signals_open_by_classification.get("unclassified") == 1
    assert early.elv_by_region["R1"]["available"] == 0
    assert early.ventilator_applications == {"applied": 1}
    with engine.connect() as conn:
        assert stock_store.pool(conn)["reserved"] == 2  # type: ignore[index]
        then = stock_store.pool_as_of(conn, as_of=T0 + timedelta(minutes=30))
        assert then is not None and (then["total"], then["reserved"]) == (10, 0)
        assert stock_store.pool_as_of(conn, as_of=T0 + 2 * hour)["reserved"] == 2  # type: ignore[index]
        assert stock_store.pool_as_of(conn, as_of=T0 - hour) is None
        assert stock_store.medicines_as_of(conn, as_of=T0 - hour) == []


@pytest.fixture
def pg() -> Engine:  # type: ignore[misc]
    if _PG_PROBLEM:
        pytest.skip(_PG_PROBLEM)
    engine, schema = pg_engine()
    migrate(engine)
    seed_reference(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_pg_schema(schema)


def test_concurrent_grants_never_reserve_more_than_the_stock(pg: Engine) -> None:
    with pg.begin() as conn:
        pool = stock_store.set_pool(conn, name="central", total=7, actor="lch", now=T0)
        apps = [stock_store.apply_for(conn, pool_id=pool, location_code="H1", region_code="R1",
                                      units=2, reason="replacement of broken units", actor="r",
                                      now=T0) for _ in range(8)]  # fmt: skip
    barrier, outcomes = threading.Barrier(len(apps)), [""] * len(apps)

    def grant(i: int) -> None:
        barrier.wait()
        try:
            with pg.begin() as conn:
                stock_store.assess(conn, app_id=apps[i], decision="granted", granted=2,
                                   reason="", actor=f"lch-{i}", now=T0)  # fmt: skip
            outcomes[i] = "granted"
        except RuleViolation as error:
            outcomes[i] = error.rule

    threads = [threading.Thread(target=grant, args=(i,)) for i in range(len(apps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("granted") == 3
    assert outcomes.count("reservation_over_stock") == 5
    with pg.connect() as conn:
        left = stock_store.pool(conn)
        states = [stock_store.application(conn, app_id=a)["state"] for a in apps]
    assert left is not None and left["reserved"] == 6 <= left["total"]
    assert states.count("granted") == 3 and states.count("applied") == 5
    with pg.connect() as conn:
        query = select(func.count()).where(audit_log.c.action == "ventilators.granted")
        audited = conn.execute(query).scalar_one()
    assert audited == 3


def test_shipping_twice_is_a_conflict_and_shipping_unassessed_a_rule(seeded_engine: Engine) -> None:
    """The second of two stock officers shipping one application learns that somebody was
    first (409), as with a second assessment; shipping what was never granted breaks the
    rule ``ship_after_grant`` (422). Before, both were the rule."""
    with seeded_engine.begin() as conn:
        pool = stock_store.set_pool(conn, name="central", total=5, actor="lch", now=T0)
        granted, applied = (
            stock_store.apply_for(conn, pool_id=pool, location_code="H1", region_code="R1",
                                  units=2, reason="two units failed", actor="r", now=T0)
            for _ in range(2)
        )  # fmt: skip
        stock_store.assess(conn, app_id=granted, decision="granted", granted=2, reason="",
                           actor="lch", now=T0)  # fmt: skip
        stock_store.ship(conn, app_id=granted, actor="lch", now=T0)
    with pytest.raises(StepConflict), seeded_engine.begin() as conn:
        stock_store.ship(conn, app_id=granted, actor="lch-2", now=T0)
    with pytest.raises(RuleViolation) as caught, seeded_engine.begin() as conn:
        stock_store.ship(conn, app_id=applied, actor="lch", now=T0)
    assert caught.value.rule == "ship_after_grant"
    with seeded_engine.connect() as conn:
        left = stock_store.pool(conn)
    assert left is not None and (left["shipped"], left["reserved"]) == (2, 0)
