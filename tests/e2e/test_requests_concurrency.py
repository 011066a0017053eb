"""Races through the HTTP API on PostgreSQL (issue 14, "Bad input and safety").

Two coordinators answer the same help request at the same moment: one wins, the other
gets 409 and nothing of theirs is stored. Stock officers grant ventilator applications at
the same moment: the reservations never exceed the stock, the losers get the named 422.
The store-level races are in tests/integration; these go through the routers, so the
mapping of the domain's errors to HTTP is part of what is tested.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kraan.api.app import create_app
from kraan.settings import get_settings
from tests.e2e.test_requests_api import BASE, NEW, Api, api  # noqa: F401  shared users


def _race(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    out: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        out[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def _postgres_only(api: Api) -> None:  # noqa: F811
    if api[2].dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the races are PostgreSQL's")


def test_two_coordinators_answer_one_request_one_wins_the_other_gets_409(api: Api) -> None:  # noqa: F811
    _postgres_only(api)
    _, tokens, engine = api
    app = create_app(get_settings(), engine=engine)
    clients = [TestClient(app), TestClient(app)]
    rid = clients[0].post(BASE, json=NEW, headers=tokens["rep-h1"]).json()["id"]
    who = ("coord-r1", "national")
    answers = _race(2, lambda i: clients[i].post(
        f"{BASE}/{rid}/steps", headers=tokens[who[i]],
        json={"step": "answer", "answer": "cannot_fill",
              "asked": [f"asked by {who[i]}"]}))  # fmt: skip
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    winner = next(i for i, r in enumerate(answers) if r.status_code == 200)
    stored = clients[0].get(f"{BASE}/{rid}", headers=tokens["national"]).json()
    assert [a["asked"] for a in stored["answers"]] == [[f"asked by {who[winner]}"]]
    assert [e["step"] for e in stored["history"]] == ["create", "answer"]


def test_concurrent_grants_never_reserve_more_than_the_stock(api: Api) -> None:  # noqa: F811
    _postgres_only(api)
    _, tokens, engine = api
    app = create_app(get_settings(), engine=engine)
    setup = TestClient(app)
    put = setup.put("/api/v1/stock/ventilators", json={"total": 5}, headers=tokens["stock"])
    assert put.status_code == 200, put.text
    body = {"location_code": "H1", "units": 2, "reason": "two units failed in the night"}
    applications = [
        setup.post("/api/v1/stock/ventilators/applications", json=body,
                   headers=tokens["rep-h1"]).json()["id"]
        for _ in range(6)
    ]  # fmt: skip
    assess = {"decision": "granted", "units_granted": 2}
    answers = _race(6, lambda i: TestClient(app).post(
        f"/api/v1/stock/ventilators/applications/{applications[i]}/assess", json=assess,
        headers=tokens["stock"]))  # fmt: skip
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 200, 422, 422, 422, 422], [r.text for r in answers]
    refused = [r.json()["detail"][0]["rule"] for r in answers if r.status_code == 422]
    assert set(refused) == {"reservation_over_stock"}
    pool = setup.get("/api/v1/stock/ventilators", headers=tokens["stock"]).json()["pool"]
    assert (pool["reserved"], pool["total"]) == (4, 5)
