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
