"""The audit page and GET /api/v1/audit scope a coordinator by one rule
(kraan.store.audit.in_scope): the same coordinator sees the same rows in both."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Demo


def _login(client: TestClient, username: str, password: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": password, "next": "/audit"}
    )
    assert response.status_code == 303, response.text


@pytest.mark.parametrize("username", ["coord-aze", "coord-aznn", "national"])
def test_page_and_api_show_the_same_rows(client: TestClient, demo: Demo, username: str) -> None:
    _login(client, username, demo.password)
    page = client.get("/audit")
    assert page.status_code == 200
    page_ids = [int(i) for i in re.findall(r'data-audit="(\d+)"', page.text)]
    api = client.get("/api/v1/audit", params={"limit": 200})
    assert api.status_code == 200
    assert page_ids == [row["id"] for row in api.json()]
    assert page_ids, "a coordinator sees at least its own login"


def test_a_regional_coordinator_sees_less_and_only_its_region(
    client: TestClient, demo: Demo
) -> None:
    _login(client, "coord-aze", demo.password)
    rows = client.get("/api/v1/audit", params={"limit": 2000}).json()
    mine = {row["id"] for row in rows}
    client.cookies.clear()
    _login(client, "national", demo.password)
    everything = {row["id"] for row in client.get("/api/v1/audit", params={"limit": 2000}).json()}
    assert mine < everything
    assert any(row["actor"] == "coord-aze" for row in rows)
    assert not any(row["actor"] == "coord-aznn" for row in rows)
