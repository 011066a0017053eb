"""The signals board and the stock page over the demo database, driven through their forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from kraan.domain.access import Role
from kraan.store.access import create_user, user_id
from kraan.store.stock import pool as stock_pool

Parse = Callable[[str], Any]


def _login(client: TestClient, username: str, password: str) -> str:
    response = client.post("/login", data={"username": username, "password": password,
                                           "next": "/signals"})  # fmt: skip
    assert response.status_code == 303, response.text
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/signals").text)
    assert found
    return found.group(1)


def test_the_pages_answer_without_a_login(client: TestClient, parse: Parse) -> None:
    for url in ("/signals", "/stock", "/signals?as_of=2020-12-28", "/stock?as_of=2020-12-28"):
        assert client.get(url).status_code == 200, url
    # the SYNTHETIC chain outside the hospital peaks in the first week of January
    rows = parse(client.get("/signals?as_of=2021-01-03").text).rows
    assert any(r.get("district_nursing") not in ("", "0") for r in rows.values())
    november = parse(client.get("/signals?as_of=2020-11-05").text).rows
    assert all(r.get("gp_post", "0") in ("", "0") for r in november.values())
    assert float(rows["chain-NAZMN"]["grz"]) > float(november["chain-NAZMN"]["grz"])


def test_a_signal_and_an_elv_order_through_the_board(
    client: TestClient, demo: Any, parse: Parse
) -> None:
    with demo.engine.begin() as conn:
        if user_id(conn, "actiz") is None:
            create_user(conn, username="actiz", role=Role.UMBRELLA_BODY, now=datetime(2020, 11, 1),
                        actor="e2e", password=demo.password)  # fmt: skip
    token = _login(client, "national", demo.password)
    ordered = client.post("/elv-orders/new", data={"csrf": token, "region_code": "AZE",
                                                   "beds": "12"})  # fmt: skip
    assert ordered.status_code == 303, ordered.text
    rows = parse(client.get("/signals").text).rows
    assert int(rows["AZE"]["ordered"]) >= 12 and rows["AZE"]["overdue"] == "0"
    filed = client.post("/signals/new", data={
        "csrf": token, "region_code": "AZE", "location_code": "", "sector": "grz",
        "blocked": "GRZ beds full; hospital discharges stuck", "since": "2020-12-20"})
    assert filed.status_code == 303, filed.text
    page = client.get("/signals").text
    sid = max(int(s) for s in re.findall(r'data-signal="(\d+)"', page))
    step = f"/signals/{sid}/step"
    early = client.post(step, data={"csrf": token, "step": "classify",
                                     "classification": "general"})  # fmt: skip
    assert early.status_code == 403  # national may not classify: that is the umbrella body's
    up = client.post(step, data={"csrf": token, "step": "escalate", "umbrella": "actiz"})
    assert up.status_code == 303
    client.post("/logout", data={"csrf": token})
    token = _login(client, "actiz", demo.password)
    assert client.post(step, data={"csrf": token, "step": "classify", "classification": "general",
                                   "needs_action": "yes"}).status_code == 303  # fmt: skip
    closing = client.post(step, data={"csrf": token, "step": "close"})
    assert closing.status_code == 422 and 'data-rule="action_before_close"' in closing.text
    assert client.post(step, data={"csrf": token, "step": "act",
                                   "action": "ZN asks insurers for 30 GRZ beds"}).status_code == 303
    assert client.post(step, data={"csrf": token, "step": "close"}).status_code == 303
    figures = parse(client.get("/signals").text).figures
    assert figures[f"signal-state-{sid}"] == "closed"


def test_stock_figures_and_a_ventilator_application_through_the_page(
    client: TestClient, demo: Any, parse: Parse
) -> None:
    token = _login(client, "national", demo.password)
    medicine = {"csrf": token, "code": "propofol-e2e", "name": "Propofol", "unit": "vial",
                "stock": "5000", "regular_per_month": "2000", "per_ic_patient_day": "3"}
    assert client.post("/stock/medicine", data=medicine).status_code == 303
    assert client.post("/stock/medicine", data={**medicine, "stock": "-4"}).status_code == 422
    rows = parse(client.get("/stock?as_of=2030-01-01").text).rows
    assert float(rows["propofol-e2e"]["coverage"]) < 2.5  # below the 8-month norm
    # under the simulation's quadrant waves: a severe wave uses the stock up faster
    waves = parse(client.get("/stock?as_of=2030-01-01&scenarios=1").text).figures
    severe = float(waves["scenario-contagious_severe-propofol-e2e"])
    assert severe <= float(waves["scenario-slow_mild-propofol-e2e"]) <= 2.5
    with demo.engine.connect() as conn:
        pool = stock_pool(conn)
    used = (pool["reserved"] + pool["shipped"]) if pool else 0  # the demo's own applications
    if used:
        below = client.post("/stock/pool", data={"csrf": token, "total": "0"})
        assert below.status_code == 422 and 'data-rule="stock_below_reserved"' in below.text
    assert client.post("/stock/pool", data={"csrf": token, "total": "-1"}).status_code == 422
    total = str(used + 5)
    assert client.post("/stock/pool", data={"csrf": token, "total": total}).status_code == 303
    page = client.get("/stock").text
    pattern = r'<select name="location_code" aria-label="Location"><option value="([^"]+)"'
    location = re.search(pattern, page).group(1)  # type: ignore[union-attr]
    applied = client.post("/stock/apply", data={"csrf": token, "location_code": location,
                                                "units": "4", "reason": "four units failed"})
    assert applied.status_code == 303
    app_id = max(int(a) for a in re.findall(r'data-testid="application-state-(\d+)"',
                                            client.get("/stock").text))  # fmt: skip
    wrong = client.post("/stock/assess", data={"csrf": token, "app_id": str(app_id),
                                               "decision": "granted", "units_granted": "2"})
    assert wrong.status_code == 422 and 'data-rule="assessment_matches_units"' in wrong.text
    assert client.post("/stock/assess", data={"csrf": token, "app_id": str(app_id),
                                              "decision": "partly", "units_granted": "3",
                                              "reason": "keep two in reserve"}).status_code == 303
    shipped = client.post("/stock/ship", data={"csrf": token, "app_id": str(app_id)})
    assert shipped.status_code == 303
    figures = parse(client.get("/stock").text).figures
    assert figures[f"application-state-{app_id}"] == "shipped"
    assert figures["ventilator-pool"] == "2"


def test_the_phase_and_the_region_cite_the_chain_outside_the_hospital(client: TestClient) -> None:
    """The demo's SYNTHETIC chain at its peak: the status contract carries it, the overview
    and the region page cite it next to the phase (context; the phase stays the hospitals')."""
    document = client.get("/api/v1/status?as_of=2021-01-03").json()
    national = document["national"]
    assert national["chain"]["gp_post"]["reporters"] > 0
    assert national["chain"]["grz"]["beds"] > 0
    kinds = [c["kind"] for c in national["phase_context"]]
    assert kinds[:3] == ["elv_vvt", "grz", "care_hotel"] and "gp_post" in kinds
    assert any(r["chain"]["district_nursing"]["reporters"] for r in document["regions"])
    overview = client.get("/?as_of=2021-01-03", headers={"Accept-Language": "nl"}).text
    cited = re.search(r'data-testid="phase-context">(.*?)</p>', overview, re.S)
    assert cited and 'data-chain="gp_post"' in cited.group(1)
    assert "huisartsenposten kunnen geen nieuwe patiënten aannemen" in cited.group(1)
    region = client.get("/regions/NAZMN?as_of=2021-01-03").text
    assert 'data-testid="region-chain"' in region and 'data-chain="grz"' in region
    # before the first chain report (the demo starts on 1 Nov 2020) nothing is cited
    early = client.get("/api/v1/status?as_of=2020-10-15").json()["national"]
    assert [c["kind"] for c in early["phase_context"]] in ([], ["elv_vvt"])
