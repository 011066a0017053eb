"""The transfer workflow in the store, on SQLite and PostgreSQL; concurrency on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select

from kraan.domain.spreading.workflow import InvalidTransition, planned_transfers
from kraan.services.spreading import plan_transfers
from kraan.store.db import migrate
from kraan.store.tables import audit_log, transfer_events
from kraan.store.transfers import (
    OfferExhausted,
    OfferMismatch,
    TransferError,
    VersionConflict,
    advance_transfer,
    create_offer,
    create_plan,
    create_transfer,
    get_offer,
    get_transfer,
    list_transfers,
    transfer_history,
)
from tests.conftest import _PG_PROBLEM, T0, drop_pg_schema, pg_engine

DAY = T0.date()


def _transfer(engine: Engine, patients: int = 2, to: str = "R2") -> int:
    with engine.begin() as conn:
        return create_transfer(
            conn, day=DAY, from_area="R1", to_area=to, patients=patients, care_level="ic",
            actor="lcps", now=T0,
        )  # fmt: skip


def _offer(engine: Engine, beds: int, region: str = "R2", day: date = DAY) -> int:
    with engine.begin() as conn:
        return create_offer(
            conn, region_code=region, day=day, care_level="ic", beds=beds, actor="coord-r2",
            now=T0,
        )  # fmt: skip


def _step(engine: Engine, transfer_id: int, to: str, minute: int, **kw: object) -> str:
    with engine.begin() as conn:
        item = advance_transfer(
            conn, transfer_id=transfer_id, to_state=to, actor="coord",
            now=T0 + timedelta(minutes=minute), **kw,  # type: ignore[arg-type]
        )  # fmt: skip
    return item.state


def _count(engine: Engine, table, **where: object) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_a_transfer_goes_through_every_state_with_events_and_audit(db_engine: Engine) -> None:
    transfer_id, offer_id = _transfer(db_engine), _offer(db_engine, beds=3)
    assert _step(db_engine, transfer_id, "offered", 1, offer_id=offer_id) == "offered"
    assert _step(db_engine, transfer_id, "accepted", 2) == "accepted"
    with db_engine.connect() as conn:
        assert get_offer(conn, offer_id=offer_id).beds_taken == 2
    assert _step(db_engine, transfer_id, "in_transport", 3) == "in_transport"
    assert _step(db_engine, transfer_id, "arrived", 4, note="on IC 3") == "arrived"
    with db_engine.connect() as conn:
        item = get_transfer(conn, transfer_id=transfer_id)
        history = transfer_history(conn, transfer_id=transfer_id)
        assert get_offer(conn, offer_id=offer_id).beds_taken == 2  # arrived keeps the beds
    assert item.version == 5 and item.offer_id == offer_id
    assert [h["to_state"] for h in history] == [
        "requested", "offered", "accepted", "in_transport", "arrived",
    ]  # fmt: skip
    assert history[-1]["note"] == "on IC 3" and history[1]["from_state"] == "requested"
    assert _count(db_engine, audit_log, entity="transfer") == 5
    assert _count(db_engine, audit_log, entity="bed_offer") == 1
    with pytest.raises(InvalidTransition, match="final state"):
        _step(db_engine, transfer_id, "cancelled", 5, note="too late")


def test_invalid_moves_and_stale_versions_change_nothing(db_engine: Engine) -> None:
    transfer_id = _transfer(db_engine)
    with pytest.raises(InvalidTransition, match="allowed: cancelled, offered"):
        _step(db_engine, transfer_id, "arrived", 1)
    with pytest.raises(ValueError):
        _step(db_engine, transfer_id, "teleported", 1)
    with pytest.raises(OfferMismatch, match="needs the id of a bed offer"):
        _step(db_engine, transfer_id, "offered", 1)
        _step(db_engine, transfer_id, "accepted", 2)
    with pytest.raises(VersionConflict, match="changed meanwhile"):
        _step(db_engine, transfer_id, "cancelled", 3, note="x", expected_version=1)
    with pytest.raises(OfferMismatch, match="reason"):
        _step(db_engine, transfer_id, "cancelled", 3)
    with db_engine.connect() as conn:
        assert get_transfer(conn, transfer_id=transfer_id).state == "offered"
    assert _count(db_engine, transfer_events, transfer_id=transfer_id) == 2


def test_offers_are_never_over_taken_and_cancel_gives_beds_back(db_engine: Engine) -> None:
    offer_id = _offer(db_engine, beds=3)
    first, second = _transfer(db_engine, patients=2), _transfer(db_engine, patients=2)
    assert _step(db_engine, first, "offered", 1) == "offered"
    assert _step(db_engine, second, "offered", 1) == "offered"
    assert _step(db_engine, first, "accepted", 2, offer_id=offer_id) == "accepted"
    with pytest.raises(OfferExhausted):
        _step(db_engine, second, "accepted", 2, offer_id=offer_id)
    with db_engine.connect() as conn:
        assert get_offer(conn, offer_id=offer_id).beds_taken == 2
        assert get_transfer(conn, transfer_id=second).state == "offered"
    assert _step(db_engine, first, "cancelled", 3, note="patient too ill") == "cancelled"
    assert _step(db_engine, second, "accepted", 4, offer_id=offer_id) == "accepted"
    with db_engine.connect() as conn:
        assert get_offer(conn, offer_id=offer_id).beds_taken == 2
        assert get_transfer(conn, transfer_id=first).reason == "patient too ill"


def test_offer_of_another_region_or_day_is_refused(db_engine: Engine) -> None:
    transfer_id = _transfer(db_engine)
    elsewhere = _offer(db_engine, 5, region="R1")
    later = _offer(db_engine, 5, day=DAY + timedelta(1))
    _step(db_engine, transfer_id, "offered", 1)
    for offer_id in (elsewhere, later):
        with pytest.raises(OfferMismatch):
            _step(db_engine, transfer_id, "accepted", 2, offer_id=offer_id)


def test_a_plan_becomes_requested_transfers(db_engine: Engine) -> None:
    result = {"plan": [
        {"day": 0, "from": "R1", "to": "R2", "patients": 3, "patient_class": "ic"},
        {"day": 2, "from": "R1", "to": "DE-ABROAD", "patients": 1, "patient_class": "ic"},
    ]}  # fmt: skip
    with db_engine.begin() as conn:
        plan_id, ids = create_plan(
            conn, as_of=T0, settings={"method": "lp_round"}, result=result,
            transfers=planned_transfers(plan_transfers(result)), actor="lcps", now=T0,
        )  # fmt: skip
        rows = list_transfers(conn, plan_id=plan_id)
        assert [r.id for r in rows] == ids
        assert [(r.day, r.to_area, r.state) for r in rows] == [
            (DAY, "R2", "requested"), (DAY + timedelta(2), "DE-ABROAD", "requested"),
        ]  # fmt: skip
        assert [r.id for r in list_transfers(conn, region="DE-ABROAD")] == ids[1:]
    assert _count(db_engine, audit_log, entity="transfer_plan") == 1


# ---- concurrency: PostgreSQL only ------------------------------------------------------------


@pytest.fixture
def pg() -> Engine:  # type: ignore[misc]
    if _PG_PROBLEM:
        pytest.skip(_PG_PROBLEM)
    engine, schema = pg_engine()
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_pg_schema(schema)


def _race(count: int, work: Callable[[int], str]) -> list[str]:
    """Run ``work(i)`` in ``count`` threads that start together; each returns its outcome."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = [""] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except (TransferError, InvalidTransition) as error:
            outcomes[i] = type(error).__name__

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_accepts_never_double_book(pg: Engine, round_: int) -> None:
    beds, n, patients = 5, 8, 2  # 16 patients asked for, 5 beds: exactly 2 accepts fit
    offer_id = _offer(pg, beds=beds)
    ids = [_transfer(pg, patients=patients) for _ in range(n)]
    for transfer_id in ids:
        _step(pg, transfer_id, "offered", 1)
    outcomes = _race(n, lambda i: _step(pg, ids[i], "accepted", 2, offer_id=offer_id))
    assert outcomes.count("accepted") == beds // patients
    assert outcomes.count("OfferExhausted") == n - beds // patients
    with pg.connect() as conn:
        offer = get_offer(conn, offer_id=offer_id)
        accepted = list_transfers(conn, state="accepted")
    assert offer.beds_taken == sum(t.patients for t in accepted) == 4 <= offer.beds_offered
    assert _count(pg, audit_log, action="transfer.accepted") == beds // patients


@pytest.mark.parametrize("round_", range(3))
def test_two_coordinators_advancing_one_transfer_only_one_wins(pg: Engine, round_: int) -> None:
    offer_id = _offer(pg, beds=10)
    transfer_id = _transfer(pg, patients=2)
    _step(pg, transfer_id, "offered", 1)
    outcomes = _race(2, lambda i: _step(pg, transfer_id, "accepted", 2 + i, offer_id=offer_id))
    assert outcomes.count("accepted") == 1
    assert set(outcomes) - {"accepted"} <= {"VersionConflict", "InvalidTransition"}
    with pg.connect() as conn:
        assert get_offer(conn, offer_id=offer_id).beds_taken == 2
        assert get_transfer(conn, transfer_id=transfer_id).version == 3
    assert _count(pg, transfer_events, transfer_id=transfer_id) == 3
