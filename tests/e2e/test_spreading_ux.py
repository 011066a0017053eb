"""The spreading page can be acted on: store the plan (confirmed, audited, blocked on
stale data unless overridden), withdraw an offer, transfers refresh as a fragment."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kraan.store.audit import audit_entries
from kraan.web.common import csrf_token

DAY = "2020-12-05"  # not the briefing day, which other tests read as unplanned
STALE_DAY = "2021-02-15"  # the demo's reports end on 2020-12-31


def _login(client: TestClient, demo: Any, username: str) -> str:
    done = client.post("/login", data={"username": username, "password": demo.password})
    assert done.status_code == 303, done.text
    return csrf_token(client.cookies.get(demo.settings.session_cookie))


def test_a_national_coordinator_stores_the_plan_shown(client: TestClient, demo: Any) -> None:
    assert "store-plan-form" not in client.get("/spreading", params={"as_of": DAY}).text
    csrf = _login(client, demo, "national")
    page = client.get("/spreading", params={"as_of": DAY}).text
    assert 'data-testid="store-plan-form"' in page and 'data-testid="stale-warning"' not in page
    unconfirmed = client.post(f"/spreading/plans?as_of={DAY}", data={"csrf": csrf})
    assert unconfirmed.status_code == 422
    stored = client.post(f"/spreading/plans?as_of={DAY}", data={"csrf": csrf, "confirm": "yes"})
    assert stored.status_code == 303 and "Plan" in stored.headers["location"]
    again = client.get(stored.headers["location"]).text
    assert "stored plan" in again
    with demo.engine.connect() as conn:
        plans = audit_entries(conn, entity="transfer_plan")
    assert any(e["action"] == "plan.create" for e in plans)
    fragment = client.get("/fragments/transfers", params={"as_of": DAY})
    assert fragment.status_code == 200 and 'id="transfers"' in fragment.text
    assert 'hx-trigger="every 20s' in fragment.text


def test_stale_data_block_a_plan_unless_overridden_with_a_reason(
    client: TestClient, demo: Any
) -> None:
    csrf = _login(client, demo, "national")
    page = client.get("/spreading", params={"as_of": STALE_DAY}).text
    assert 'data-testid="stale-warning"' in page and 'name="override_reason"' in page
    blocked = client.post(f"/spreading/plans?as_of={STALE_DAY}",
                          data={"csrf": csrf, "confirm": "yes"})  # fmt: skip
    assert blocked.status_code == 422 and "stale" in blocked.text
    form = {"csrf": csrf, "confirm": "yes", "override_reason": "exercise with old figures"}
    allowed = client.post(f"/spreading/plans?as_of={STALE_DAY}", data=form)
    assert allowed.status_code == 303, allowed.text
    with demo.engine.connect() as conn:
        plan = audit_entries(conn, entity="transfer_plan")[0]
    assert plan["after"]["settings"]["stale_data_override"] == "exercise with old figures"


def test_a_region_withdraws_the_free_beds_of_its_offer(client: TestClient, demo: Any) -> None:
    csrf = _login(client, demo, "coord-aze")
    made = client.post("/spreading/offers", data={
        "region_code": "AZE", "day": "2020-12-06", "care_level": "ic", "beds": "3",
        "csrf": csrf})  # fmt: skip
    assert made.status_code == 303
    assert "3%20beds%20offered" in made.headers["location"]
    page = client.get("/spreading", params={"as_of": "2020-12-06"}).text
    offer_id = int(page.split('data-testid="withdraw-')[1].split('"')[0])
    other = TestClient(demo.app, headers={"Accept-Language": "en"}, follow_redirects=False)
    other_csrf = _login(other, demo, "coord-aznn")
    refused = other.post(f"/spreading/offers/{offer_id}/withdraw", data={"csrf": other_csrf})
    assert refused.status_code == 403
    done = client.post(f"/spreading/offers/{offer_id}/withdraw?as_of=2020-12-06",
                       data={"csrf": csrf})  # fmt: skip
    assert done.status_code == 303
    page = client.get("/spreading", params={"as_of": "2020-12-06"}).text
    assert f'data-testid="withdraw-{offer_id}"' not in page
    with demo.engine.connect() as conn:
        assert any(e["action"] == "offer.withdraw" for e in audit_entries(conn))
