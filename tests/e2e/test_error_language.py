"""A refused form action speaks the page's language; the JSON API keeps its English.

One refusal of each page family over the shared demo database (TestClient): the Dutch page
shows Dutch and not the English sentence, the English page shows the English sentence, and
the API answers the same refusal with its English message and status code unchanged.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import unquote_plus

import pytest
from fastapi.testclient import TestClient

from kraan.domain.access import Role
from kraan.store import home_monitoring as home_store
from kraan.store.access import create_user, user_id
from kraan.store.home_monitoring import HomeError, active_patients, list_teams
from kraan.store.reference import load_locations
from kraan.store.stock import pool as stock_pool
from kraan.web.common import csrf_token
from kraan.web.i18n import language
from kraan.web.refusals import home_problem
from tests.e2e.conftest import Demo

NL = {"Accept-Language": "nl"}
EN = {"Accept-Language": "en"}
STALE_DAY = "2021-02-15"  # the demo's reports end on 2020-12-31


def _login(client: TestClient, demo: Demo, username: str) -> str:
    done = client.post("/login", data={"username": username, "password": demo.password})
    assert done.status_code == 303, done.text
    return csrf_token(client.cookies.get(demo.settings.session_cookie))


def _bearer(client: TestClient, demo: Demo, headers: dict[str, str]) -> dict[str, str]:
    """The API with the page's session token, in the language of ``headers``."""
    token = client.cookies.get(demo.settings.session_cookie)
    return {"Authorization": f"Bearer {token}", **headers}


def _refusal(html: str) -> str:
    found = re.search(r'<p data-testid="refusal"[^>]*>(.*?)</p>', html, re.DOTALL)
    assert found, html[:400]
    return unescape(found.group(1))


def _message(response: Any) -> str:
    """The message a form redirect carries to the page it goes back to."""
    assert response.status_code == 303, response.text
    return unquote_plus(response.headers["location"].split("message=", 1)[1])


def _location_in(demo: Demo, region: str) -> str:
    with demo.engine.connect() as conn:
        return next(loc.code for _, loc in load_locations(conn) if loc.region_code == region)


def test_a_ladder_rule_is_dutch_on_the_dutch_page(client: TestClient, demo: Demo) -> None:
    csrf = _login(client, demo, "coord-aze")
    new = {"location_code": _location_in(demo, "AZE"), "workers": {"ic_nurse": 2},
           "period_start": "2030-02-01", "period_end": "2030-02-10", "shifts": "nights",
           "reason": "absence 18 % on the IC",
           "measures": "planned care stopped; OR staff moved"}  # fmt: skip
    made = client.post("/api/v1/requests", json=new, headers=_bearer(client, demo, EN))
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    form = {"csrf": csrf, "version": "1", "step": "escalate"}
    english = "rung 1 has not answered yet; a request goes up only after the rung below"
    dutch = client.post(f"/requests/{rid}/step", data=form, headers=NL)
    assert dutch.status_code == 422 and 'data-rule="escalate_only_after' in dutch.text
    text = _refusal(dutch.text)
    assert "trede 1 heeft nog niet geantwoord" in text and "Leg eerst het antwoord vast" in text
    assert english not in text and "escalate_only" not in text
    assert english in _refusal(client.post(f"/requests/{rid}/step", data=form, headers=EN).text)
    api = client.post(f"/api/v1/requests/{rid}/steps", json={"step": "escalate"},
                      headers=_bearer(client, demo, NL))  # fmt: skip
    assert api.status_code == 422
    assert api.json()["detail"][0] == {
        "field": "step",
        "message": english + " answered 'cannot fill' or 'partly'",
        "rule": "escalate_only_after_cannot_fill_or_partly",
    }
    # who may not do what (403), in words: a reporter role word, not its code
    other = client.post(f"/requests/{rid}/step", headers=NL,
                        data={**form, "step": "sign"})  # fmt: skip
    assert other.status_code == 403
    assert _refusal(other.text).startswith(
        f"coord-aze (regionaal coördinator) mag niet: stap 'ondertekenen (voorzitter)' zetten "
        f"bij hulpvraag {rid}."
    )


def test_an_over_stock_reservation_is_dutch_on_the_dutch_page(
    client: TestClient, demo: Demo
) -> None:
    csrf = _login(client, demo, "national")
    with demo.engine.connect() as conn:
        pool = stock_pool(conn)
    used = (pool["reserved"] + pool["shipped"]) if pool else 0
    pooled = client.post("/stock/pool", data={"csrf": csrf, "total": str(used + 2)})
    assert pooled.status_code == 303
    applied = client.post("/stock/apply", data={"csrf": csrf, "units": "4",
                                                "location_code": _location_in(demo, "AZE"),
                                                "reason": "four units failed at once"})  # fmt: skip
    assert applied.status_code == 303, applied.text
    app_id = max(int(a) for a in re.findall(r'data-testid="application-state-(\d+)"',
                                            client.get("/stock").text))  # fmt: skip
    grant = {"csrf": csrf, "app_id": str(app_id), "decision": "granted", "units_granted": "4"}
    dutch = client.post("/stock/assess", data=grant, headers=NL)
    assert dutch.status_code == 422 and 'data-rule="reservation_over_stock"' in dutch.text
    text = _refusal(dutch.text)
    assert "er zijn maar 2 apparaten vrij; 4 is meer dan de voorraad" in text
    assert "units are free" not in text
    english = client.post("/stock/assess", data=grant, headers=EN)
    assert "only 2 units are free; 4 is over the stock" in _refusal(english.text)
    api = client.post(f"/api/v1/stock/ventilators/applications/{app_id}/assess",
                      json={"decision": "granted", "units_granted": 4},
                      headers=_bearer(client, demo, NL))  # fmt: skip
    assert api.status_code == 422
    assert api.json()["detail"][0]["message"] == "only 2 units are free; 4 is over the stock"
    # the pool is put back so that others see a stock without this test's gap
    client.post("/stock/pool", data={"csrf": csrf, "total": str(used + 5)})


def test_elv_beds_above_the_order_are_dutch_on_the_dutch_page(
    client: TestClient, demo: Demo
) -> None:
    csrf = _login(client, demo, "national")
    ordered = client.post("/elv-orders/new", data={"csrf": csrf, "region_code": "AZE",
                                                   "beds": "4"})  # fmt: skip
    assert ordered.status_code == 303, ordered.text
    oid = max(int(o) for o in re.findall(r'data-order="(\d+)"', client.get("/signals").text))
    beds = {"csrf": csrf, "location_code": _location_in(demo, "AZE"), "beds": "6"}
    dutch = client.post(f"/elv-orders/{oid}/beds", data=beds, headers=NL)
    assert dutch.status_code == 422 and 'data-rule="elv_beds_above_order"' in dutch.text
    text = _refusal(dutch.text)
    assert text.startswith("bedden: 0 van de 4 bestelde bedden staan er al; 6 erbij")
    assert "above the order" not in text
    english = _refusal(client.post(f"/elv-orders/{oid}/beds", data=beds, headers=EN).text)
    assert english == "beds: 0 of 4 beds are up already; 6 more is above the order"
    api = client.post(f"/api/v1/elv-orders/{oid}/beds", headers=_bearer(client, demo, NL),
                      json={"location_code": beds["location_code"], "beds": 6})  # fmt: skip
    assert api.status_code == 422
    assert api.json()["detail"][0]["message"] == "0 of 4 beds are up already; 6 more is above the order"  # noqa: E501
    # pydantic's check of the same form (beds must be at least 1), worded by its type
    none = client.post(f"/elv-orders/{oid}/beds", data={**beds, "beds": "0"}, headers=NL)
    assert none.status_code == 422
    assert _refusal(none.text) == "bedden: vul een getal van ten minste 1 in"


def test_a_home_measurement_refusal_is_dutch_on_the_dutch_page(
    client: TestClient, demo: Demo
) -> None:
    with demo.engine.begin() as conn:
        team = next(t["code"] for t in list_teams(conn) if active_patients(conn, [t["code"]]))
        if user_id(conn, "lang-nurse") is None:
            create_user(conn, username="lang-nurse", role=Role.CONTROL_CENTRE_NURSE,
                        now=datetime(2020, 11, 1), actor="e2e", password=demo.password,
                        location_codes=[team])  # fmt: skip
    csrf = _login(client, demo, "lang-nurse")
    patient = re.search(r'href="/home/patients/(\d+)"', client.get("/home").text)
    assert patient
    url = f"/home/patients/{patient.group(1)}/measurements"
    dutch = _message(client.post(url, data={"csrf": csrf, "spo2": "10"}, headers=NL))
    assert dutch.startswith("Niet opgeslagen: SpO2: 10.0 % ligt buiten 50")
    assert "is outside" not in dutch
    english = _message(client.post(url, data={"csrf": csrf, "spo2": "10"}, headers=EN))
    assert english.startswith("Not stored: SpO2: 10.0 % is outside 50")
    letters = _message(client.post(url, data={"csrf": csrf, "spo2": "abc"}, headers=NL))
    assert letters.startswith("Geen getal: SpO2") and "spo2" not in letters
    api = client.post(f"/api/v1/home/patients/{patient.group(1)}/measurements",
                      json={"measured_at": datetime.now(UTC).isoformat(), "spo2": 10},
                      headers=_bearer(client, demo, NL))  # fmt: skip
    assert api.status_code == 422
    detail = api.json()["detail"][0]
    assert detail["field"] == "spo2" and detail["message"].startswith("10.0 % is outside 50")


def test_a_home_alert_conflict_is_dutch_on_the_dutch_page(client: TestClient, demo: Demo) -> None:
    with demo.engine.begin() as conn:
        team = next(t["code"] for t in list_teams(conn) if active_patients(conn, [t["code"]]))
        if user_id(conn, "lang-nurse-2") is None:
            create_user(conn, username="lang-nurse-2", role=Role.CONTROL_CENTRE_NURSE,
                        now=datetime(2020, 11, 1), actor="e2e", password=demo.password,
                        location_codes=[team])  # fmt: skip
        patient = active_patients(conn, [team])[0]
        now = datetime.now(UTC).replace(tzinfo=None)
        alert_id = home_store.raise_alert(
            conn, patient_id=patient["id"], team_code=team, kind="missed", measurement_id=None,
            raised_at=now, due_at=now, actor="e2e")  # fmt: skip
        seen = home_store.get_alert(conn, alert_id)
    csrf = _login(client, demo, "lang-nurse-2")
    url = f"/home/alerts/{alert_id}/acknowledge"
    assert _message(client.post(url, data={"csrf": csrf}, headers=NL)) == (
        f"Alarm {alert_id} bevestigd"
    )
    again = _message(client.post(url, data={"csrf": csrf}, headers=NL))
    assert again == f"Alarm {alert_id} was al bevestigd"
    # the race the page cannot see coming: the store refuses the stale row (409)
    with demo.engine.begin() as conn, pytest.raises(HomeError) as lost:
        home_store.acknowledge(conn, alert=seen, actor="lang-nurse-2", now=now, note="")  # type: ignore[arg-type]
    assert lost.value.status == 409
    with language("nl"):
        assert home_problem(lost.value) == (
            "het alarm is intussen bevestigd of gewijzigd; laad de pagina opnieuw"
        )
    with language("en"):
        assert home_problem(lost.value) == str(lost.value)
    api = client.post(f"/api/v1/home/alerts/{alert_id}/acknowledge", json={"note": ""},
                      headers=_bearer(client, demo, NL))  # fmt: skip
    assert api.status_code == 409 and api.json()["detail"] == "the alert is already acknowledged"


def test_storing_a_plan_from_stale_data_without_reason_is_dutch(
    client: TestClient, demo: Demo
) -> None:
    csrf = _login(client, demo, "national")
    url = f"/spreading/plans?as_of={STALE_DAY}"
    dutch = client.post(url, data={"csrf": csrf, "confirm": "yes"}, headers=NL)
    assert dutch.status_code == 422
    assert "De gegevens zijn verouderd" in _refusal(dutch.text)
    assert "stale" not in _refusal(dutch.text)
    english = client.post(url, data={"csrf": csrf, "confirm": "yes"}, headers=EN)
    assert _refusal(english.text).startswith("The data are stale: give a reason")


def test_a_bad_simulation_is_dutch_on_the_dutch_page(client: TestClient) -> None:
    form = {"wave": "contagious_severe", "members": "0", "seed": "1"}
    dutch = client.post("/simulation/run", data=form, headers=NL)
    assert dutch.status_code == 422
    assert "<b>leden</b>: vul een getal van ten minste 1 in" in dutch.text
    assert "greater than" not in dutch.text and "Input should" not in dutch.text
    english = client.post("/simulation/run", data=form, headers=EN)
    assert "<b>members</b>: give a number of at least 1" in english.text
    many = client.post("/simulation/run", data={**form, "members": "5000"}, headers=NL)
    assert many.status_code == 422 and "hooguit 400" in many.text
    assert "through the API" not in many.text
    api = client.post("/api/v1/simulations", headers=NL, json={
        "quadrant": "contagious_severe", "days": 40, "members": 5000, "seed": 1})  # fmt: skip
    assert api.status_code == 422
    assert api.json()["detail"] == [{"field": "members", "message": "at most 400 through the API"}]


def test_a_wrong_password_is_dutch_on_the_dutch_page(client: TestClient) -> None:
    form = {"username": "nobody-lang", "password": "not the password"}
    dutch = client.post("/login", data=form, headers=NL)
    assert dutch.status_code == 401
    assert "Onbekende gebruikersnaam of verkeerd wachtwoord." in dutch.text
    assert "wrong password" not in dutch.text
    english = client.post("/login", data=form, headers=EN)
    assert "Unknown user name or wrong password." in english.text


def test_a_date_outside_2020_2100_is_a_page_in_its_language_and_json_on_the_api(
    client: TestClient,
) -> None:
    for path in ("/", "/regions/AZE", "/spreading", "/forecasting", "/fragments/trend"):
        dutch = client.get(path, params={"as_of": "1999-01-01"}, headers=NL)
        assert dutch.status_code == 422 and dutch.headers["content-type"].startswith("text/html")
        assert _refusal(dutch.text).startswith("De datum 1999-01-01 ligt buiten 2020–2100"), path
        english = client.get(path, params={"as_of": "1999-01-01"}, headers=EN)
        assert _refusal(english.text).startswith("The date 1999-01-01 lies outside"), path
    api = client.get("/api/v1/status", params={"as_of": "1999-01-01"}, headers=NL)
    assert api.status_code == 422 and api.json()["detail"] == [{
        "field": "as_of", "message": "must lie between 2020-01-01 and 2100-01-01",
        "type": "value_error"}]  # fmt: skip
