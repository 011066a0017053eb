"""The spreading API on SQLite and PostgreSQL: roles, a plan from a document, the states, 409s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from kraan.api.app import create_app
from kraan.domain.access import Role
from kraan.settings import get_settings
from kraan.store.access import create_user, issue_token, user_id
from kraan.store.tables import audit_log
from tests.conftest import T0

BASE = "/api/v1/spreading"
DAY = T0.date().isoformat()

Api = tuple[TestClient, dict[str, dict[str, str]], Engine]


@pytest.fixture
def api(seeded_engine: Engine) -> Api:
    tokens: dict[str, dict[str, str]] = {}
    with seeded_engine.begin() as conn:
        for name, role, region in (
            ("national", Role.NATIONAL_COORDINATOR, None),
            ("coord-r1", Role.REGIONAL_COORDINATOR, "R1"),
            ("coord-r2", Role.REGIONAL_COORDINATOR, "R2"),
            ("viewer", Role.VIEWER, None),
        ):
            uid = create_user(
                conn, username=name, role=role, now=T0, actor="test", region_code=region
            )
            token = issue_token(conn, user_id=uid, now=T0, actor="test")
            tokens[name] = {"Authorization": f"Bearer {token}"}
    app = create_app(get_settings(), engine=seeded_engine)
    return TestClient(app, headers={"Accept-Language": "en"}), tokens, seeded_engine


def snapshot(**settings: Any) -> dict[str, Any]:
    """R1 full, R2 nearly empty: a fair plan moves IC patients from R1 to R2 on day 0."""
    return {
        "as_of": T0.isoformat(),
        "areas": [
            {
                "code": "R1",
                "capacity": 50,
                "covid_occupied": 40,
                "non_covid_occupied": 8,
                "lat": 52.0,
                "lon": 5.0,
            },
            {
                "code": "R2",
                "capacity": 50,
                "covid_occupied": 4,
                "non_covid_occupied": 8,
                "lat": 52.2,
                "lon": 5.2,
            },
        ],  # fmt: skip
        "settings": {"method": "lp_round", "horizon_days": 2, **settings},
    }


def make_plan(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(f"{BASE}/plans", json=snapshot(), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def move(client: TestClient, headers: dict[str, str], tid: int, to: str, **body: Any) -> Any:
    return client.post(f"{BASE}/transfers/{tid}/advance", json={"to_state": to, **body},
                       headers=headers)  # fmt: skip


def test_only_a_national_coordinator_plans(api: Api) -> None:
    client, tokens, _ = api
    assert client.post(f"{BASE}/plans", json=snapshot()).status_code == 401
    for name in ("coord-r1", "viewer"):
        response = client.post(f"{BASE}/plans", json=snapshot(), headers=tokens[name])
        assert response.status_code == 403


def test_a_plan_from_a_document_becomes_requested_transfers(api: Api) -> None:
    client, tokens, _ = api
    plan = make_plan(client, tokens["national"])
    assert plan["result"]["plan"], plan["result"]
    assert plan["result"]["after"]["max_deviation"] < plan["result"]["before"]["max_deviation"]
    day0 = [t for t in plan["transfers"] if t["day"] == DAY]
    assert day0 and all(t["from_area"] == "R1" and t["to_area"] == "R2" for t in day0)
    assert {t["state"] for t in plan["transfers"]} == {"requested"}
    public = client.get(f"{BASE}/plans/{plan['id']}").json()
    assert "created_by" not in public and "updated_by" not in public["transfers"][0]
    stored = client.get(f"{BASE}/plans/{plan['id']}", headers=tokens["viewer"]).json()
    assert [t["id"] for t in stored["transfers"]] == plan["transfer_ids"]
    assert stored["settings"]["time_limit_seconds"] <= 20
    listed = client.get(
        f"{BASE}/transfers", params={"day": DAY, "region": "R2"}, headers=tokens["viewer"]
    ).json()
    assert [t["id"] for t in listed] == [t["id"] for t in day0]
    assert client.get(f"{BASE}/plans/99999", headers=tokens["viewer"]).status_code == 404


def test_bad_documents_get_one_message_per_field(api: Api) -> None:
    client, tokens, _ = api
    doc = snapshot(stable_share=3)
    del doc["areas"][1]["capacity"]
    response = client.post(f"{BASE}/plans", json=doc, headers=tokens["national"])
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["detail"]}
    assert {"areas[1].capacity", "settings.stable_share"} <= fields
    empty = client.post(f"{BASE}/plans", json={}, headers=tokens["national"])
    assert empty.status_code == 422 and empty.json()["detail"][0]["field"] == "as_of"


def test_offers_belong_to_their_region(api: Api) -> None:
    client, tokens, _ = api
    offer = {"region_code": "R2", "day": DAY, "beds": 3}
    assert client.post(f"{BASE}/offers", json=offer, headers=tokens["coord-r1"]).status_code == 403
    assert client.post(f"{BASE}/offers", json=offer, headers=tokens["viewer"]).status_code == 403
    made = client.post(f"{BASE}/offers", json=offer, headers=tokens["coord-r2"])
    assert made.status_code == 201 and made.json()["beds_free"] == 3
    bad = client.post(f"{BASE}/offers", json={**offer, "beds": 0}, headers=tokens["coord-r2"])
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "beds"
    listed = client.get(f"{BASE}/offers", params={"region": "R2"}).json()
    assert [o["id"] for o in listed] == [made.json()["id"]]


def test_a_transfer_through_every_state_with_the_right_roles(api: Api) -> None:
    client, tokens, engine = api
    plan = make_plan(client, tokens["national"])
    item = next(t for t in plan["transfers"] if t["day"] == DAY)
    tid, n = item["id"], item["patients"]
    offer = client.post(
        f"{BASE}/offers", json={"region_code": "R2", "day": DAY, "beds": n},
        headers=tokens["coord-r2"],
    ).json()  # fmt: skip
    # the sender may not offer or accept, the receiver may not report transport
    assert move(client, tokens["coord-r1"], tid, "offered").status_code == 403
    assert move(client, tokens["viewer"], tid, "offered").status_code == 403
    assert move(client, tokens["coord-r2"], tid, "arrived").status_code == 403
    assert move(client, tokens["coord-r2"], tid, "offered", offer_id=offer["id"]).status_code == 200
    stale = move(client, tokens["coord-r2"], tid, "accepted", version=1)
    assert stale.status_code == 409 and "changed meanwhile" in stale.json()["detail"]
    accepted = move(client, tokens["coord-r2"], tid, "accepted", version=2)
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert move(client, tokens["coord-r2"], tid, "in_transport").status_code == 403
    assert move(client, tokens["coord-r1"], tid, "in_transport").json()["state"] == "in_transport"
    assert move(client, tokens["coord-r1"], tid, "arrived").json()["state"] == "arrived"
    again = move(client, tokens["national"], tid, "cancelled", note="no")
    assert again.status_code == 409 and "final state" in again.json()["detail"]
    assert client.get(f"{BASE}/transfers/{tid}").status_code == 401  # names and reasons
    history = client.get(f"{BASE}/transfers/{tid}", headers=tokens["viewer"]).json()["history"]
    assert [h["to_state"] for h in history] == [
        "requested", "offered", "accepted", "in_transport", "arrived",
    ]  # fmt: skip
    assert [h["actor"] for h in history][1:] == ["coord-r2", "coord-r2", "coord-r1", "coord-r1"]
    with engine.connect() as conn:
        audited = conn.execute(
            select(func.count()).select_from(audit_log).where(
                audit_log.c.entity == "transfer", audit_log.c.entity_key == str(tid)
            )
        ).scalar_one()  # fmt: skip
    assert audited == 5


def test_no_double_booking_and_clear_conflicts(api: Api) -> None:
    client, tokens, _ = api
    plan = make_plan(client, tokens["national"])
    day0 = [t for t in plan["transfers"] if t["day"] == DAY]
    tid, n = day0[0]["id"], day0[0]["patients"]
    offer = client.post(
        f"{BASE}/offers", json={"region_code": "R2", "day": DAY, "beds": n},
        headers=tokens["coord-r2"],
    ).json()  # fmt: skip
    other = client.post(
        f"{BASE}/offers", json={"region_code": "R2", "day": DAY, "beds": n},
        headers=tokens["coord-r2"],
    ).json()  # fmt: skip
    assert move(client, tokens["coord-r2"], tid, "arrived").status_code == 403
    skip = move(client, tokens["national"], tid, "arrived")
    assert skip.status_code == 409 and "allowed: cancelled, offered" in skip.json()["detail"]
    assert move(client, tokens["national"], tid, "offered").status_code == 200
    no_offer = move(client, tokens["coord-r2"], tid, "accepted")
    assert no_offer.status_code == 422
    taken = move(client, tokens["coord-r2"], tid, "accepted", offer_id=offer["id"])
    assert taken.status_code == 200
    # a second transfer of the same size cannot take the same beds
    twin = client.post(
        f"{BASE}/plans", json=snapshot(), headers=tokens["national"]
    ).json()["transfers"][0]["id"]  # fmt: skip
    assert move(client, tokens["coord-r2"], twin, "offered").status_code == 200
    full = move(client, tokens["coord-r2"], twin, "accepted", offer_id=offer["id"])
    assert full.status_code == 409 and "free beds" in full.json()["detail"]
    beds = {o["id"]: o["beds_taken"] for o in client.get(f"{BASE}/offers").json()}
    assert beds == {offer["id"]: n, other["id"]: 0}
    # declining with a reason cancels; the beds go back
    no_reason = move(client, tokens["coord-r2"], tid, "cancelled")
    assert no_reason.status_code == 422
    cancelled = move(client, tokens["coord-r2"], tid, "cancelled", note="no IC nurse tonight")
    assert cancelled.json()["reason"] == "no IC nurse tonight"
    assert client.get(f"{BASE}/offers").json()[0]["beds_taken"] == 0
    assert move(client, tokens["coord-r2"], 99999, "offered").status_code == 404
    assert move(client, tokens["coord-r2"], tid, "teleported").status_code == 422


def test_a_plan_of_the_live_store(demo: Any) -> None:
    """{as_of} alone exports the demo store's regions (real LCPS totals) and plans them."""
    with demo.engine.begin() as conn:
        token = issue_token(
            conn, user_id=user_id(conn, "national"), now=datetime(2020, 12, 1), actor="test"
        )
    with TestClient(demo.app, headers={"Accept-Language": "en"}) as client:
        response = client.post(
            f"{BASE}/plans",
            json={"as_of": "2020-12-21", "settings": {"method": "lp_round", "horizon_days": 3}},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["result"]["areas"]) == 11
    assert body["transfers"] and len(body["transfers"]) == len(body["result"]["plan"])


def test_the_spreading_page_shows_flows_fair_share_and_supply(demo: Any, parse: Any) -> None:
    with TestClient(demo.app, headers={"Accept-Language": "en"}) as client:
        response = client.get("/spreading", params={"as_of": "2020-12-21"})
    assert response.status_code == 200, response.text
    page = parse(response.text)
    html = response.text
    assert 'data-testid="flow-map"' in html and "Supply and demand" in html
    assert len(page.rows) == 11  # one fair-share row per ROAZ region
    assert all("deviation" in row for row in page.rows.values())
    assert int(page.figures["plan-moved"]) > 0 and "data-flow=" in html
    assert 'href="/spreading' in html and '<form method="post" action="/spreading/t' not in html


def test_coordinators_move_transfers_from_the_page(api: Api) -> None:
    """Buttons only for the moves the role may make; the form needs the session's token."""
    from kraan.web.common import csrf_token

    client, tokens, _ = api
    plan = make_plan(client, tokens["national"])
    tid = next(t["id"] for t in plan["transfers"] if t["day"] == DAY)
    cookie = get_settings().session_cookie
    session = tokens["coord-r2"]["Authorization"].removeprefix("Bearer ")
    viewer = client.get("/spreading", params={"as_of": DAY})
    assert viewer.status_code == 200 and f'data-transfer="{tid}"' in viewer.text
    assert "/advance" not in viewer.text  # read-only without a login
    client.cookies.set(cookie, session)
    page = client.get("/spreading", params={"as_of": DAY}).text
    assert f"/spreading/transfers/{tid}/advance" in page and "Offer bed" in page
    assert "Patient on the road" not in page  # R2 receives: the road belongs to R1
    form = {"to_state": "offered", "version": "1", "csrf": csrf_token(session)}
    forged = client.post(f"/spreading/transfers/{tid}/advance", data={**form, "csrf": "x"})
    assert forged.status_code == 403
    done = client.post(f"/spreading/transfers/{tid}/advance?as_of={DAY}", data=form,
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and "offered" in done.headers["location"]
    stale = client.post(f"/spreading/transfers/{tid}/advance", data=form)
    assert stale.status_code == 409 and "changed meanwhile" in stale.text
    offered = client.post("/spreading/offers", data={
        "region_code": "R2", "day": DAY, "care_level": "ic", "beds": "9",
        "csrf": csrf_token(session)}, follow_redirects=False)  # fmt: skip
    assert offered.status_code == 303
    assert client.get(f"{BASE}/offers").json()[0]["beds_offered"] == 9
    client.cookies.clear()
