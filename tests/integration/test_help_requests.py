"""The ladder in the store on SQLite and PostgreSQL; two coordinators racing on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select

from kraan.domain.requests.ladder import Deployment, State, Step
from kraan.domain.requests.rules import RuleViolation, StepConflict
from kraan.services.requests import briefing_summary, request_views
from kraan.store import help_requests as store
from kraan.store.db import migrate
from kraan.store.requests_tables import help_deployments, help_request_events
from kraan.store.tables import audit_log
from tests.conftest import _PG_PROBLEM, T0, drop_pg_schema, pg_engine

STALE = timedelta(hours=72)
DATA = {
    "location_code": "H1",
    "region_code": "R1",
    "safety_region_code": "VR01",
    "workers": {"ic_nurse": 2, "support": 3},
    "period_start": date(2020, 12, 22),
    "period_end": date(2021, 1, 5),
    "shifts": "day, night",
    "reason": "staff absence 15 % over Christmas",
    "measures": "planned care class 4-5 stopped",
}


def _create(engine: Engine) -> int:
    with engine.begin() as conn:
        return store.create_request(conn, data=dict(DATA), actor="rep-h1", now=T0)[0]


def _step(engine: Engine, rid: int, step: Step, hours: float, actor: str = "coord",
          version: int | None = None, **data: object) -> State:  # fmt: skip
    with engine.begin() as conn:
        item = store.take_step(
            conn, request_id=rid, step=step, data=dict(data), actor=actor,
            now=T0 + timedelta(hours=hours), stale_after=STALE, expected_version=version,
        )  # fmt: skip
    return item.state


def _count(engine: Engine, table, **where: object) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_the_whole_ladder_is_stored_audited_and_replays_as_of(seeded_engine: Engine) -> None:
    engine = seeded_engine
    rid = _create(engine)
    _step(engine, rid, Step.ANSWER, 1, answer="partly", asked=["roaz"], provided={"support": 3})
    _step(engine, rid, Step.ESCALATE, 2)
    _step(engine, rid, Step.ANSWER, 3, answer="cannot_fill", asked=["red_cross", "zorgreserve"])
    _step(engine, rid, Step.ESCALATE, 4)
    _step(engine, rid, Step.SIGN, 5, actor="chair")
    _step(engine, rid, Step.INTAKE, 6, actor="lotc")
    _step(engine, rid, Step.FACT_FINDING, 20, actor="defence", note="need confirmed on site")
    for party in ("defence", "vws", "ggd_ghor_locc"):
        _step(engine, rid, Step.VOTE, 21, party=party, approve=True, granted={"ic_nurse": 2})
    with engine.begin() as conn:
        for n in range(2):
            store.add_deployment(
                conn, request_id=rid, now=T0 + timedelta(hours=22), actor="coord",
                stale_after=STALE, deployment=Deployment(
                    "ic_nurse", 1, f"MIL-{n}", "defence", T0 + timedelta(days=1),
                    T0 + timedelta(days=8)),
            )  # fmt: skip
    assert _count(engine, help_request_events, request_id=rid) == 11
    assert _count(engine, audit_log, entity="help_request") == 11
    assert _count(engine, help_deployments, request_id=rid) == 2
    with engine.connect() as conn:
        now = store.load_request(conn, request_id=rid, stale_after=STALE)
        before = store.load_request(conn, request_id=rid, stale_after=STALE,
                                    as_of=T0 + timedelta(hours=3, minutes=30))  # fmt: skip
        views = request_views(conn, as_of=T0 + timedelta(days=2), stale_after=STALE)
    assert (int(now.rung), now.state) == (3, State.ANSWERED)
    assert (int(before.rung), before.state) == (2, State.ANSWERED)
    assert views[0]["deployed"] == {"ic_nurse": 2} and "reason" not in views[0]
    summary = briefing_summary(engine, T0 + timedelta(days=2))
    assert summary.deployments_on_site == {"ic_nurse": 2}
    assert summary.open_request_count_by_rung == {1: 0, 2: 0, 3: 1}
    assert summary.msob_pending == 0
    early = briefing_summary(engine, T0 + timedelta(hours=10))
    assert early.msob_pending == 1 and early.deployments_on_site == {}


def test_a_broken_rule_stores_nothing(seeded_engine: Engine) -> None:
    rid = _create(seeded_engine)
    with pytest.raises(RuleViolation) as caught:
        _step(seeded_engine, rid, Step.ESCALATE, 1)
    assert caught.value.rule == "escalate_only_after_cannot_fill_or_partly"
    with pytest.raises(RuleViolation), seeded_engine.begin() as conn:
        store.add_deployment(
            conn, request_id=rid, now=T0, actor="c", stale_after=STALE,
            deployment=Deployment("support", 4, "", "red_cross", T0, T0 + timedelta(1)),
        )  # fmt: skip
    assert _count(seeded_engine, help_request_events, request_id=rid) == 1
    assert _count(seeded_engine, help_deployments) == 0
    assert _count(seeded_engine, audit_log, entity="help_request") == 1
    with pytest.raises(StepConflict):
        _step(seeded_engine, rid, Step.ANSWER, 1, version=7, answer="cannot_fill", asked=["x"])


def test_a_step_timed_before_the_last_one_lost_a_race(seeded_engine: Engine) -> None:
    """Coordinator B read the clock (hour 1), then waited for the row while A answered
    (hour 2): B's answer is a 409 (the request moved on), not the time_order rule (422).
    Through the API this happened when two answers raced (tests/e2e, PostgreSQL)."""
    rid = _create(seeded_engine)
    _step(seeded_engine, rid, Step.ANSWER, 2, actor="a", answer="cannot_fill", asked=["x"])
    with pytest.raises(StepConflict) as caught:
        _step(seeded_engine, rid, Step.ANSWER, 1, actor="b", answer="cannot_fill", asked=["y"])
    assert "changed meanwhile" in str(caught.value)
    with pytest.raises(StepConflict):  # also a step the new state would allow
        _step(seeded_engine, rid, Step.RECONFIRM, 1, actor="rep-h1")
    assert _count(seeded_engine, help_request_events, request_id=rid) == 2


# ---- concurrency: PostgreSQL only ------------------------------------------------------------


@pytest.fixture
def pg() -> Engine:  # type: ignore[misc]
    if _PG_PROBLEM:
        pytest.skip(_PG_PROBLEM)
    from tests.conftest import seed_reference

    engine, schema = pg_engine()
    migrate(engine)
    seed_reference(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_pg_schema(schema)


def _race(count: int, work: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes = [""] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except (StepConflict, RuleViolation) as error:
            outcomes[i] = type(error).__name__

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("with_version", [False, True])
def test_two_coordinators_answering_one_request_only_one_wins(
    pg: Engine, with_version: bool
) -> None:
    rid = _create(pg)
    version = 1 if with_version else None
    outcomes = _race(2, lambda i: _step(pg, rid, Step.ANSWER, 1, actor=f"coord-{i}",
                                        version=version, answer="cannot_fill",
                                        asked=[f"asked-by-{i}"]).value)  # fmt: skip
    assert sorted(outcomes)[-1] == "answered" and outcomes.count("answered") == 1
    assert set(outcomes) - {"answered"} <= {"StepConflict", "VersionConflict"}
    assert _count(pg, help_request_events, request_id=rid) == 2
    assert _count(pg, audit_log, action="help_request.answer") == 1


def test_concurrent_deployments_never_exceed_the_request(pg: Engine) -> None:
    rid = _create(pg)  # asks for 3 support workers
    def deploy(i: int) -> str:  # noqa: E306
        with pg.begin() as conn:
            store.add_deployment(
                conn, request_id=rid, now=T0, actor=f"c{i}", stale_after=STALE,
                deployment=Deployment("support", 1, "", "red_cross", T0, T0 + timedelta(1)),
            )  # fmt: skip
        return "ok"

    outcomes = _race(6, deploy)
    assert outcomes.count("ok") == 3 and outcomes.count("RuleViolation") == 3
    assert _count(pg, help_deployments, request_id=rid) == 3


def test_one_nurse_deployed_on_two_requests_at_once_counts_once(pg: Engine) -> None:
    first, second = _create(pg), _create(pg)

    def deploy(i: int) -> str:
        with pg.begin() as conn:
            store.add_deployment(
                conn, request_id=(first, second)[i], now=T0, actor=f"c{i}", stale_after=STALE,
                deployment=Deployment("ic_nurse", 1, "BIG-42", "defence", T0, T0 + timedelta(3)),
            )  # fmt: skip
        return "ok"

    outcomes = _race(2, deploy)
    assert sorted(outcomes) == ["RuleViolation", "ok"]
    assert _count(pg, help_deployments) == 1
