"""Home monitoring and early-warning pages on the shared demo (synthetic patients seeded)."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient

from kraan.domain.access import Role
from kraan.store.access import create_user
from kraan.store.home_monitoring import active_patients, list_teams
from tests.e2e.conftest import Demo


def _login(client: TestClient, username: str, password: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": password, "next": "/home"}
    )
    assert response.status_code == 303, response.text


def _user(demo: Demo, username: str, role: Role, codes: list[str]) -> None:
    with demo.engine.begin() as conn:
        from kraan.store.access import user_id

        if user_id(conn, username) is None:
            create_user(conn, username=username, role=role, now=datetime(2020, 11, 1), actor="e2e",
                        password=demo.password, location_codes=codes)  # fmt: skip


def test_public_pages_show_aggregates_only(client: TestClient, demo: Demo) -> None:
    summary = client.get("/home")
    assert summary.status_code == 200 and 'data-testid="home-regions"' in summary.text
    assert "SYN-" not in summary.text
    early = client.get("/early-warning")
    assert early.status_code == 200 and 'data-testid="gp-aggregates"' in early.text
    assert "SYN-" not in early.text and 'data-testid="practice-list"' not in early.text


def test_nurse_worklist_timeline_and_acknowledgement(client: TestClient, demo: Demo) -> None:
    with demo.engine.connect() as conn:
        active = [t["code"] for t in list_teams(conn) if active_patients(conn, [t["code"]])]
    assert active  # the demo leaves the patients still at home at its end active
    team = active[0]
    _user(demo, "page-nurse", Role.CONTROL_CENTRE_NURSE, [team])
    _login(client, "page-nurse", demo.password)
    page = client.get("/home")
    assert page.status_code == 200 and 'data-testid="worklist"' in page.text
    bands = re.findall(r'data-band="(\w+)"', page.text)
    order = {"red": 0, "amber": 1, "green": 2}
    assert bands and bands == sorted(bands, key=order.__getitem__)
    patient = re.search(r'href="/home/patients/(\d+)"', page.text)
    assert patient
    timeline = client.get(f"/home/patients/{patient.group(1)}")
    assert timeline.status_code == 200 and 'data-testid="timeline"' in timeline.text
    ack = re.search(r'action="/home/alerts/(\d+)/acknowledge"', page.text)
    if ack:  # missed-measurement alerts are raised when the worklist is read
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert csrf
        done = client.post(f"/home/alerts/{ack.group(1)}/acknowledge",
                           data={"csrf": csrf.group(1), "note": "called"})  # fmt: skip
        assert done.status_code == 303 and "acknowledged" in done.headers["location"]


def test_gp_sees_own_list_with_reasons(client: TestClient, demo: Demo) -> None:
    with demo.engine.connect() as conn:
        from kraan.store.early_warning import list_practices

        practice = list_practices(conn)[0]["code"]
    _user(demo, "page-gp", Role.GP, [practice])
    _login(client, "page-gp", demo.password)
    page = client.get("/early-warning")
    assert page.status_code == 200 and 'data-testid="practice-list"' in page.text
    assert "SYN-" in page.text and "(+" in page.text  # reasons with their points
    other = [p for p in re.findall(r"SYN-(GP-[A-Z]+-\d)", page.text)]
    assert set(other) == {practice}
