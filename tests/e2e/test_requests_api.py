"""The help-request API on SQLite and PostgreSQL: the role matrix, the ladder, 422 and 409."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from kraan.api.app import create_app
from kraan.domain.access import Role
from kraan.settings import get_settings
from kraan.store.access import create_user, issue_token
from kraan.store.requests_tables import help_deployments, help_request_events
from tests.conftest import T0

BASE = "/api/v1/requests"
USERS = (
    ("rep-h1", Role.REPORTER, None, ["H1"]),
    ("rep-h3", Role.REPORTER, None, ["H3"]),
    ("coord-r1", Role.REGIONAL_COORDINATOR, "R1", []),
    ("coord-r2", Role.REGIONAL_COORDINATOR, "R2", []),
    ("chair-vr01", Role.SAFETY_REGION_CHAIR, "VR01", []),
    ("chair-vr03", Role.SAFETY_REGION_CHAIR, "VR03", []),
    ("lotc", Role.LOTC, None, []),
    ("defence", Role.DEFENCE, None, []),
    ("national", Role.NATIONAL_COORDINATOR, None, []),
    ("umbrella", Role.UMBRELLA_BODY, None, []),
    ("stock", Role.STOCK_OFFICE, None, []),
    ("viewer", Role.VIEWER, None, []),
)
EVERYONE = [u[0] for u in USERS]
NEW = {
    "location_code": "H1",
    "workers": {"ic_nurse": 2, "care_assistant": 3},
    "period_start": "2020-12-22",
    "period_end": "2021-01-04",
    "shifts": "day, evening, night",
    "reason": "absence 15 % and rising IC occupancy",
    "measures": "planned care class 4-5 stopped; OR staff moved",
}

Api = tuple[TestClient, dict[str, dict[str, str]], Engine]


@pytest.fixture
def api(seeded_engine: Engine) -> Api:
    tokens: dict[str, dict[str, str]] = {}
    with seeded_engine.begin() as conn:
        for name, role, region, locations in USERS:
            uid = create_user(conn, username=name, role=role, now=T0, actor="test",
                              region_code=region, location_codes=locations)  # fmt: skip
            tokens[name] = {"Authorization": f"Bearer {issue_token(conn, user_id=uid, now=T0, actor='t')}"}  # noqa: E501
    return TestClient(create_app(get_settings(), engine=seeded_engine)), tokens, seeded_engine


def _new(api: Api, who: str = "rep-h1") -> dict[str, Any]:
    client, tokens, _ = api
    response = client.post(BASE, json=NEW, headers=tokens[who])
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _step(api: Api, rid: int, who: str, **body: Any) -> Any:
    client, tokens, _ = api
    return client.post(f"{BASE}/{rid}/steps", json=body, headers=tokens[who])


def _events(engine: Engine, rid: int) -> int:
    with engine.connect() as conn:
        query = select(func.count()).where(help_request_events.c.request_id == rid)
        return int(conn.execute(query).scalar_one())


def _allowed(api: Api, call: Any, allowed: set[str]) -> None:
    """Everybody not in ``allowed`` gets 403 and changes nothing."""
    for who in EVERYONE:
        if who in allowed:
            continue
        response = call(who)
        assert response.status_code == 403, (who, response.text)


ANSWER = {"step": "answer", "answer": "cannot_fill", "asked": ["roaz", "other_providers"]}


def test_the_role_matrix_and_the_whole_ladder_through_the_api(api: Api) -> None:
    client, tokens, engine = api
    assert client.post(BASE, json=NEW).status_code == 401
    _allowed(api, lambda who: client.post(BASE, json=NEW, headers=tokens[who]),
             {"rep-h1", "coord-r1", "national"})  # fmt: skip
    request = _new(api)
    rid = request["id"]
    assert (request["rung"], request["state"], request["version"]) == (1, "asked", 1)
    # rung 1: the region answers and escalates
    _allowed(api, lambda who: _step(api, rid, who, **ANSWER), {"coord-r1", "national"})
    assert _step(api, rid, "coord-r1", **ANSWER).json()["state"] == "answered"
    esc = {"step": "escalate"}
    _allowed(api, lambda who: _step(api, rid, who, **esc), {"coord-r1", "national"})
    assert _step(api, rid, "coord-r1", **esc).json()["rung"] == 2
    rung2 = {**ANSWER, "asked": ["red_cross", "extra_handen", "zorgreserve"]}
    assert _step(api, rid, "national", **rung2).status_code == 200
    assert _step(api, rid, "coord-r1", **esc).json()["rung"] == 3
    # rung 3: chair signs, LOT-C takes in, Defence finds facts, three parties decide
    sign = {"step": "sign"}
    _allowed(api, lambda who: _step(api, rid, who, **sign), {"chair-vr01"})
    assert _step(api, rid, "chair-vr01", **sign).json()["state"] == "signed"
    intake = {"step": "intake", "note": "complete and concrete"}
    _allowed(api, lambda who: _step(api, rid, who, **intake), {"lotc"})
    assert _step(api, rid, "lotc", **intake).json()["state"] == "intake"
    facts = {"step": "fact_finding", "note": "IC team short by two nurses on nights"}
    _allowed(api, lambda who: _step(api, rid, who, **facts), {"defence"})
    assert _step(api, rid, "defence", **facts).json()["state"] == "fact_finding"
    votes = {"defence": "defence", "vws": "lotc", "ggd_ghor_locc": "lotc"}
    for party, who in votes.items():
        vote = {"step": "vote", "party": party, "approve": True, "granted": {"ic_nurse": 2}}
        _allowed(api, lambda w, v=vote: _step(api, rid, w, **v), {who})  # type: ignore[misc]
        last = _step(api, rid, who, **vote)
        assert last.status_code == 200, last.text
    assert last.json()["state"] == "answered"
    final = last.json()["answers"][-1]
    assert (final["rung"], final["answer"], final["provided"]) == (3, "partly", {"ic_nurse": 2})
    # deployments: the region, or Defence on an MSOB request
    deploy = {"kind": "ic_nurse", "person_ref": "MIL-7", "source": "defence",
              "start": "2020-12-23T07:00:00", "end": "2020-12-30T19:00:00"}  # fmt: skip
    _allowed(
        api, lambda who: client.post(f"{BASE}/{rid}/deployments", json=deploy, headers=tokens[who]),
        {"coord-r1", "national", "defence"},
    )  # fmt: skip
    ok = client.post(f"{BASE}/{rid}/deployments", json=deploy, headers=tokens["defence"])
    assert ok.status_code == 201, ok.text
    # reads: details for those involved, figures for everybody else
    assert client.get(f"{BASE}/summary?as_of=2030-01-01").json()["open_by_rung"]["3"] == 1
    assert client.get(BASE).status_code == 401
    plain = client.get(BASE, headers=tokens["viewer"]).json()
    assert plain[0]["deployed"] == {"ic_nurse": 1} and "reason" not in plain[0]
    assert "reason" in client.get(BASE, headers=tokens["rep-h1"]).json()[0]
    for who in EVERYONE:
        status = client.get(f"{BASE}/{rid}", headers=tokens[who]).status_code
        involved = who in {"rep-h1", "coord-r1", "chair-vr01", "lotc", "defence", "national"}
        assert status == (200 if involved else 403), who


def test_every_rule_is_a_named_422_and_stores_nothing(api: Api) -> None:
    client, tokens, engine = api
    rid = _new(api)["id"]
    cases = [
        ({"step": "escalate"}, "escalate_only_after_cannot_fill_or_partly"),
        ({**ANSWER, "answer": "filled"}, "answer_matches_numbers"),
        ({**ANSWER, "asked": []}, "request_fields"),
    ]
    for body, rule in cases:
        response = _step(api, rid, "coord-r1", **body)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["rule"] == rule
    bad = client.post(BASE, json={**NEW, "period_end": "2020-12-01"}, headers=tokens["rep-h1"])
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "period_end"
    wrong_kind = client.post(BASE, json={**NEW, "workers": {"pilot": 1}}, headers=tokens["rep-h1"])
    assert wrong_kind.status_code == 422
    over = {"kind": "care_assistant", "count": 4, "source": "red_cross",
            "start": "2020-12-23", "end": "2020-12-30"}  # fmt: skip
    response = client.post(f"{BASE}/{rid}/deployments", json=over, headers=tokens["coord-r1"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["rule"] == "deployment_above_request"
    assert _events(engine, rid) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(help_deployments)).scalar_one() == 0
    # a stale version, and an answer after somebody else answered: 409
    assert _step(api, rid, "coord-r1", **ANSWER, version=5).status_code == 409
    assert _step(api, rid, "coord-r1", **ANSWER, version=1).status_code == 200
    assert _step(api, rid, "national", **ANSWER).status_code == 409
    assert _events(engine, rid) == 2
