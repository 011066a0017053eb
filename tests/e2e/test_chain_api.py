"""Signals, ELV orders and stock through the API on SQLite and PostgreSQL: the role matrix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kraan.api.responses import StatusDocument
from tests.e2e.test_requests_api import EVERYONE, Api, api  # noqa: F401  shared users

SIGNAL = {"region_code": "R1", "location_code": "H1", "sector": "vvt",
          "blocked": "two nursing homes closed for admissions", "since": "2020-12-20"}  # fmt: skip


def _allowed(api: Api, call: Any, allowed: set[str], ok: int = 200) -> Any:  # noqa: F811
    """Everybody outside ``allowed`` gets 403; the first allowed one does it."""
    for who in EVERYONE:
        if who not in allowed:
            response = call(who)
            assert response.status_code == 403, (who, response.text)
    response = call(sorted(allowed)[0])
    assert response.status_code == ok, response.text
    return response.json()


def test_signals_roles_and_rules(api: Api) -> None:  # noqa: F811
    client, tokens, _ = api
    post = lambda who, url, body: client.post(url, json=body, headers=tokens[who])  # noqa: E731
    signal = _allowed(api, lambda w: post(w, "/api/v1/signals", SIGNAL),
                      {"rep-h1", "coord-r1", "national"}, 201)  # fmt: skip
    url = f"/api/v1/signals/{signal['id']}/steps"
    early = post("umbrella", url, {"step": "classify", "classification": "general"})
    assert early.status_code == 422 and early.json()["detail"][0]["rule"] == (
        "classify_after_escalation"
    )
    _allowed(api, lambda w: post(w, url, {"step": "escalate", "umbrella": "actiz"}),
             {"coord-r1", "national"})  # fmt: skip
    _allowed(api, lambda w: post(w, url, {"step": "classify", "classification": "general",
                                          "needs_action": False}), {"umbrella"})  # fmt: skip
    closed = _allowed(api, lambda w: post(w, url, {"step": "close", "note": "known issue"}),
                      {"umbrella"})  # fmt: skip
    assert closed["state"] == "closed"
    assert client.get("/api/v1/signals").status_code == 401
    board = client.get("/api/v1/signals", headers=tokens["viewer"]).json()
    # linked to the monitor's ELV/VVT figures of the region (no reports here: zero beds)
    assert board[0]["region_elv_vvt"] == {"covid": 0, "staffed": 0, "occupancy": None}


def test_elv_orders_and_stock_roles_and_rules(api: Api) -> None:  # noqa: F811
    client, tokens, _ = api
    post = lambda who, url, body: client.post(url, json=body, headers=tokens[who])  # noqa: E731
    order = _allowed(api, lambda w: post(w, "/api/v1/elv-orders", {"region_code": "R1",
                                                                    "beds": 8}),
                     {"coord-r1", "national"}, 201)  # fmt: skip
    beds = f"/api/v1/elv-orders/{order['id']}/beds"
    _allowed(api, lambda w: post(w, beds, {"location_code": "H1", "beds": 1}),
             {"rep-h1", "coord-r1", "national"}, 201)  # fmt: skip
    over = post("rep-h1", beds, {"location_code": "H1", "beds": 8})
    assert over.status_code == 422 and over.json()["detail"][0]["rule"] == "elv_beds_above_order"
    elsewhere = post("national", beds, {"location_code": "H3", "beds": 1})
    assert elsewhere.status_code == 422
    figures = client.get("/api/v1/elv-orders").json()
    assert figures["by_region"]["R1"] == {"ordered": 8, "available": 1, "overdue": 0}
    med = {"code": "rocuronium", "name": "Rocuronium", "unit": "vial", "stock": 100.0,
           "regular_per_month": 50.0, "per_ic_patient_day": 0.5}  # fmt: skip
    _allowed(api, lambda w: post(w, "/api/v1/stock/medicines", med), {"stock", "national"}, 201)
    negative = post("stock", "/api/v1/stock/medicines", {**med, "stock": -1})
    assert negative.status_code == 422
    listed = client.get("/api/v1/stock/medicines").json()["medicines"][0]
    assert listed["below_norm"] and listed["coverage_months"] <= 2.0
    put = lambda who, body: client.put("/api/v1/stock/ventilators", json=body,  # noqa: E731
                                       headers=tokens[who])  # fmt: skip
    _allowed(api, lambda w: put(w, {"total": 3}), {"stock", "national"})
    assert put("stock", {"total": -1}).status_code == 422
    apply = {"location_code": "H1", "units": 2, "reason": "two ventilators broke down"}
    app = _allowed(api, lambda w: post(w, "/api/v1/stock/ventilators/applications", apply),
                   {"rep-h1", "coord-r1", "national"}, 201)  # fmt: skip
    second = post("rep-h1", "/api/v1/stock/ventilators/applications", apply).json()
    assess = f"/api/v1/stock/ventilators/applications/{app['id']}/assess"
    _allowed(api, lambda w: post(w, assess, {"decision": "granted", "units_granted": 2}),
             {"stock", "national"})  # fmt: skip
    over_stock = post("stock", f"/api/v1/stock/ventilators/applications/{second['id']}/assess",
                      {"decision": "granted", "units_granted": 2})  # fmt: skip
    assert over_stock.status_code == 422
    assert over_stock.json()["detail"][0]["rule"] == "reservation_over_stock"
    ship = f"/api/v1/stock/ventilators/applications/{app['id']}/ship"
    assert _allowed(api, lambda w: post(w, ship, {}), {"stock", "national"})["state"] == "shipped"
    seen = client.get("/api/v1/stock/ventilators", headers=tokens["rep-h3"]).json()
    assert seen["pool"]["shipped"] == 2 and seen["applications"] == []
    briefing = client.get("/api/v1/chain/briefing").json()
    assert briefing["ventilator_applications"] == {"shipped": 1, "applied": 1}


def test_chain_reports_roles_rules_and_picture(api: Api) -> None:  # noqa: F811
    client, tokens, _ = api
    recent = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None, microsecond=0)
    report = {"reporter_code": "H1", "region_code": "R1", "kind": "gp_post",
              "reported_at": recent.isoformat(), "status": "under_pressure",
              "reason": "two GPs ill", "staff_absence_pct": 12}  # fmt: skip
    url = "/api/v1/chain/reports"
    stored = _allowed(api, lambda w: client.post(url, json=report, headers=tokens[w]),
                      {"rep-h1", "coord-r1", "national"}, 201)  # fmt: skip
    assert stored["version"] == 1
    bad = client.post(url, json={**report, "status": None, "beds": 4}, headers=tokens["rep-h1"])
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["detail"]} == {"status", "beds"}
    old = {**report, "reported_at": "2020-12-21T07:00:00"}
    assert client.post(url, json=old, headers=tokens["rep-h1"]).status_code == 201  # late: fine
    again = client.post(url, json={**old, "status": "no_new_patients"},
                        headers=tokens["coord-r1"])  # fmt: skip
    assert again.status_code == 422  # but a correction older than 14 days is not
    picture = client.get("/api/v1/chain/picture").json()
    assert picture["regions"]["R1"]["gp_post"]["under_pressure"] == 1
    briefing = client.get("/api/v1/chain/briefing").json()
    assert briefing["chain_outside_hospital"]["gp_post"]["reporters"] == 1
    # as known then: on 22 Dec 2020 nobody had sent the late report yet
    assert client.get("/api/v1/chain/picture?as_of=2020-12-22").json()["regions"] == {}


def test_the_status_contract_carries_the_chain_and_the_phase_cites_it(api: Api) -> None:  # noqa: F811
    client, tokens, _ = api
    recent = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None, microsecond=0)
    url = "/api/v1/chain/reports"
    for kind, extra in (("gp_post", {"status": "no_new_patients", "reason": "three GPs ill"}),
                        ("grz", {"beds": 40, "occupied": 30, "covid": 6})):  # fmt: skip
        body = {"reporter_code": "H1", "region_code": "R1", "kind": kind,
                "reported_at": recent.isoformat(), **extra}  # fmt: skip
        assert client.post(url, json=body, headers=tokens["rep-h1"]).status_code == 201
    before = client.get("/api/v1/status?as_of=2020-12-22").json()
    document = client.get("/api/v1/status").json()
    StatusDocument.model_validate(document)
    national = document["national"]
    assert national["chain"]["gp_post"] == {"reporters": 1, "normal": 0, "under_pressure": 0,
                                            "no_new_patients": 1}  # fmt: skip
    assert national["chain"]["grz"] == {"reporters": 1, "beds": 40, "occupied": 30, "covid": 6,
                                        "occupancy": 0.75}  # fmt: skip
    assert national["chain"]["care_hotel"]["reporters"] == 0  # every kind, even unreported
    region = next(r for r in document["regions"] if r["code"] == "R1")
    assert region["chain"]["gp_post"]["no_new_patients"] == 1
    other = next(r for r in document["regions"] if r["code"] != "R1")
    assert other["chain"]["gp_post"]["reporters"] == 0
    texts = [c["text"] for c in national["phase_context"]]
    assert "GRZ occupancy 75%" in texts
    assert "1 of 1 GP posts cannot take new patients, 0 under pressure" in texts
    # context only: the phase and its explanation are the hospitals' alone
    assert national["phase"] == before["national"]["phase"]
    assert national["phase_explanation"] == before["national"]["phase_explanation"]
    # and it replays: on 22 Dec 2020 none of these reports was known
    assert before["national"]["chain"]["gp_post"]["reporters"] == 0
    assert not [c for c in before["national"]["phase_context"] if c["kind"] != "elv_vvt"]
