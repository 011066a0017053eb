"""The dashboard pages over the demo database: figures equal the API, writes need a login."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kraan.services.overview import build_overview
from kraan.store.audit import audit_entries
from kraan.store.db import make_engine, migrate
from kraan.store.tables import status_declarations

AS_OF = "2020-12-21"
FIELDS = ("covid", "ontlabeld", "non_covid", "staffed", "admissions_24h", "occupancy")
Parse = Callable[[str], Any]
TESTID = {"non_covid": "non-covid", "admissions_24h": "admissions"}


def _status(client: TestClient, as_of: str | None = AS_OF) -> dict[str, Any]:
    response = client.get("/api/v1/status", params={"as_of": as_of} if as_of else None)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _login(client: TestClient, username: str, password: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": password, "next": "/glossary"}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/glossary"


def _as_number(raw: str) -> float | None:
    return None if raw == "" else float(raw)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        f"/?as_of={AS_OF}",
        f"/?as_of={AS_OF}&days=30",
        f"/regions/AZE?as_of={AS_OF}",
        "/regions/AZNN",
        "/glossary",
        "/login",
        f"/fragments/trend?as_of={AS_OF}&days=90&region=AZE",
        "/static/htmx.min.js",
        "/static/kraan.css",
    ],
)
def test_pages_answer(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 200


def test_overview_figures_equal_the_status_api(client: TestClient, parse: Parse) -> None:
    page = client.get("/", params={"as_of": AS_OF})
    html = parse(page.text)
    api = _status(client)
    national = api["national"]
    assert html.figures["national-phase"] == national["phase"]
    for level in ("ic", "ward"):
        for field in FIELDS:
            testid = f"national-{level}-{TESTID.get(field, field)}"
            assert _as_number(html.figures[testid]) == national[level][field], testid
    assert int(html.figures["national-ic-abroad"]) == national["ic"]["abroad"]
    assert national["phase_explanation"] in page.text
    for module in national["playbook"]["modules"]:
        assert module["name"] in page.text
    assert set(html.rows) == {r["code"] for r in api["regions"]}
    for region in api["regions"]:
        row = html.rows[region["code"]]
        assert int(row["ic_covid"]) == region["ic"]["covid"]
        assert int(row["ic_staffed"]) == region["ic"]["staffed"]
        assert _as_number(row["ic_occupancy"]) == region["ic"]["occupancy"]
        assert int(row["ward_covid"]) == region["ward"]["covid"]
        assert int(row["ward_staffed"]) == region["ward"]["staffed"]
        assert int(row["reporting"]) == region["reporting"]
        assert int(row["stale"]) == len(region["stale"])


def test_national_ic_covid_on_21_december_2020_is_586(client: TestClient, parse: Parse) -> None:
    html = parse(client.get("/", params={"as_of": AS_OF}).text)
    assert html.figures["national-ic-covid"] == "586"


def test_page_is_self_contained_and_flags_synthetic_data(client: TestClient, parse: Parse) -> None:
    page = client.get("/", params={"as_of": AS_OF})
    html = parse(page.text)
    assert html.scripts and all(src.startswith("/static/") for src in html.scripts)
    assert "Synthetic locations" in page.text
    assert 'class="region-map"' in page.text
    assert 'data-date="2020-12-21"' in page.text  # the as-of marker on the trend chart
    assert 'data-value="1350"' in page.text  # the scale-up plan line
    assert 'name="as_of"' in page.text and 'type="date"' in page.text


def test_region_page_explains_its_status(client: TestClient, demo: Any, parse: Parse) -> None:
    api = next(r for r in _status(client)["regions"] if r["code"] == "AZE")
    page = client.get("/regions/AZE", params={"as_of": AS_OF})
    assert page.status_code == 200
    html = parse(page.text)
    assert html.figures["region-status"] == api["status"]
    assert int(html.figures["region-ic-covid"]) == api["ic"]["covid"]
    for line in api["explanation"]:
        assert line in page.text
    with demo.engine.connect() as conn:
        overview = build_overview(
            conn, as_of=datetime(2020, 12, 21, 22, 59, 59), settings=demo.settings
        )
    expected = [loc.code for _, loc in overview.locations if loc.region_code == "AZE"]
    assert page.text.count("data-location=") == len(expected)
    assert "declare-form" not in page.text  # anonymous viewers only read


def test_unknown_region_is_404(client: TestClient) -> None:
    response = client.get("/regions/NOPE")
    assert response.status_code == 404
    assert "Unknown region" in response.text


def test_bad_as_of_is_explained_not_a_crash(client: TestClient) -> None:
    response = client.get("/", params={"as_of": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "is not a date" in response.text
    assert "<script>alert(1)" not in response.text  # escaped, not executed


def test_login_with_a_wrong_password_fails(client: TestClient, demo: Any) -> None:
    response = client.post("/login", data={"username": "coord-aze", "password": "wrong"})
    assert response.status_code == 401
    assert "wrong password" in response.text
    assert demo.settings.session_cookie not in response.cookies
    assert client.post("/login", data={"username": "nobody", "password": "x"}).status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/"])
def test_login_never_redirects_to_another_site(client: TestClient, demo: Any, target: str) -> None:
    data = {"username": "viewer", "password": demo.password, "next": target}
    response = client.post("/login", data=data)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_login_sets_a_strict_httponly_session_cookie(client: TestClient, demo: Any) -> None:
    response = client.post(
        "/login",
        data={"username": "viewer", "password": demo.password},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert demo.settings.session_cookie in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "viewer" in client.get("/").text


def test_declaring_needs_a_login(client: TestClient, demo: Any) -> None:
    response = client.post(
        "/regions/AZE/declare", data={"status": "no_acute", "reason": "no login at all"}
    )
    assert response.status_code == 401
    with demo.engine.connect() as conn:
        reasons = conn.execute(select(status_declarations.c.reason)).scalars().all()
    assert "no login at all" not in reasons


def test_a_coordinator_declares_a_status(client: TestClient, demo: Any, parse: Parse) -> None:
    _login(client, "coord-aze", demo.password)
    page = client.get("/regions/AZE")
    assert "declare-form" in page.text
    token = parse(page.text).hidden["csrf"]
    reason = "IC full in Enschede; two transfers refused this morning"
    response = client.post(
        "/regions/AZE/declare",
        data={"status": "no_critical_planned", "reason": reason, "hours": "72", "csrf": token},
    )
    assert response.status_code == 303, response.text
    after = client.get(response.headers["location"])
    assert reason in after.text and "coord-aze" in after.text
    declared = next(r for r in _status(client, None)["regions"] if r["code"] == "AZE")
    assert declared["status"] == "no_critical_planned"
    assert declared["declared"]["by"] == "coord-aze"
    with demo.engine.connect() as conn:
        entry = audit_entries(conn, entity="region_status", limit=1)[0]
    assert entry["actor"] == "coord-aze" and entry["after"]["reason"] == reason
    # the picture of the past does not change: the declaration holds from now
    assert next(r for r in _status(client)["regions"] if r["code"] == "AZE")["declared"] is None


def test_declaring_is_refused_without_the_form_token_or_from_elsewhere(
    client: TestClient, demo: Any, parse: Parse
) -> None:
    _login(client, "national", demo.password)
    token = parse(client.get("/regions/AZNN").text).hidden["csrf"]
    data = {"status": "under_pressure", "reason": "forged request", "csrf": "0" * 64}
    assert client.post("/regions/AZNN/declare", data=data).status_code == 403
    data["csrf"] = token
    foreign = {"origin": "https://evil.example"}
    assert client.post("/regions/AZNN/declare", data=data, headers=foreign).status_code == 403
    data["reason"] = "x"
    assert client.post("/regions/AZNN/declare", data=data).status_code == 422


def test_a_coordinator_of_another_region_may_not_declare(
    client: TestClient, demo: Any, parse: Parse
) -> None:
    _login(client, "coord-aznn", demo.password)
    assert "declare-form" not in client.get("/regions/AZE").text
    token = parse(client.get("/regions/AZNN").text).hidden["csrf"]
    data = {"status": "no_acute", "reason": "not my region", "csrf": token}
    assert client.post("/regions/AZE/declare", data=data).status_code == 403


def test_logout_ends_the_session(client: TestClient, demo: Any, parse: Parse) -> None:
    _login(client, "viewer", demo.password)
    token = parse(client.get("/glossary").text).hidden["csrf"]
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    assert "Log in" in client.get("/").text


def test_an_empty_store_says_how_to_load_data(tmp_path: Path, demo: Any) -> None:
    from kraan.api.app import create_app

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate(engine)
    with TestClient(create_app(demo.settings, engine), headers={"Accept-Language": "en"}) as empty:
        response = empty.get("/")
    assert response.status_code == 200
    assert "kraan demo" in response.text
