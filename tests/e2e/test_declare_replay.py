"""A declaration made while replaying a date asks when it applies and stays on the date."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kraan.web.common import csrf_token

DAY = "2020-12-03"


def test_a_declaration_while_replaying_applies_from_the_replayed_moment(
    client: TestClient, demo: Any
) -> None:
    assert client.post("/login", data={"username": "coord-aze", "password": demo.password})
    csrf = csrf_token(client.cookies.get(demo.settings.session_cookie))
    page = client.get("/regions/AZE", params={"as_of": DAY}).text
    assert 'data-testid="declare-applies"' in page and f"/regions/AZE/declare?as_of={DAY}" in page
    form = {"status": "no_acute", "reason": "replay exercise", "hours": "24", "csrf": csrf}
    done = client.post(f"/regions/AZE/declare?as_of={DAY}", data={**form, "applies": "replayed"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/regions/AZE?as_of={DAY}&declared=1"
    shown = client.get(done.headers["location"]).text
    assert 'data-testid="declared-reason">replay exercise' in shown
    later = client.post(f"/regions/AZE/declare?as_of={DAY}", data={**form, "applies": "now"})
    assert later.headers["location"] == f"/regions/AZE?as_of={DAY}&declared=later"
    assert "not in force at the replayed moment" in client.get(later.headers["location"]).text
    assert "declare-applies" not in client.get("/regions/AZE").text  # not replaying: now


def test_the_audit_page_is_for_coordinators_in_their_scope(
    client: TestClient, demo: Any
) -> None:
    assert client.get("/audit").status_code == 401
    wrong = client.post("/login", data={"username": "coord-aze", "password": "nope"})
    assert wrong.status_code == 401
    client.post("/login", data={"username": "viewer", "password": demo.password})
    assert client.get("/audit").status_code == 403
    client.cookies.clear()
    client.post("/login", data={"username": "national", "password": demo.password})
    page = client.get("/audit", params={"kind": "login"}).text
    table = page.split('data-testid="audit-table"')[1]
    assert 'data-action="login.failed"' in table and 'data-action="login.ok"' in table
    assert "correct horse" not in page and "nope" not in page
    assert 'data-action="status.declare"' not in table
    everything = client.get("/audit").text.split('data-testid="audit-table"')[1]
    assert "region_status AZE" in everything
    client.cookies.clear()
    client.post("/login", data={"username": "coord-aznn", "password": demo.password})
    mine = client.get("/audit").text.split('data-testid="audit-table"')[1]
    assert "region_status AZE" not in mine and "coord-aznn" in mine
