"""The requests page over the demo database: aggregates for all, forms for those involved."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

Parse = Callable[[str], Any]


def _login(client: TestClient, username: str, password: str) -> None:
    response = client.post("/login", data={"username": username, "password": password,
                                           "next": "/requests"})  # fmt: skip
    assert response.status_code == 303, response.text


def _location(page: str) -> str:
    found = re.search(r'<select id="nr-location" name="location_code"><option value="([^"]+)"',
                      page)  # fmt: skip
    assert found, "the filing form lists the region's locations"
    return found.group(1)


def test_anyone_reads_the_aggregates_but_no_request_in_detail(
    client: TestClient, parse: Parse
) -> None:
    page = client.get("/requests?as_of=2020-12-28")
    assert page.status_code == 200
    assert 'data-testid="open-rung-3"' in page.text and "new-request-form" not in page.text
    assert "<tr data-request=" not in page.text
    # the SYNTHETIC demo set (services/demo_requests.py): the UMCU-like MSOB in November,
    # Christmas requests at rung 1, one re-confirmed and sent up on 28 December
    november = parse(client.get("/requests?as_of=2020-11-08").text).figures
    assert november["open-rung-3"] == "1" and november["msob-pending"] == "1"
    december = parse(page.text).figures
    assert december["msob-pending"] == "0" and int(december["open-rung-1"]) >= 4
    assert int(december["open-rung-2"]) >= 2 and december["deployed-ic_nurse"] == "4"
    summary = client.get("/api/v1/chain/briefing?as_of=2021-01-15").json()
    assert summary["elv_by_region"]["NAZW"] == {"ordered": 40, "available": 32, "overdue": 8}
    assert summary["medicines_below_norm"], "the demo lets some medicines fall below norm"


def test_a_coordinator_files_answers_and_escalates_from_the_page(
    client: TestClient, demo: Any, parse: Parse
) -> None:
    _login(client, "coord-aze", demo.password)
    page = client.get("/requests?region=AZE")
    token = parse(page.text).hidden["csrf"]
    form = {"csrf": token, "location_code": _location(page.text), "workers_ic_nurse": "2",
            "workers_support": "4", "period_start": "2030-01-01", "period_end": "2030-01-14",
            "shifts": "nights", "reason": "absence 18 % on the IC", "measures":
            "OR staff moved to the IC; planned care stopped"}  # fmt: skip
    response = client.post("/requests/new?region=AZE", data=form)
    assert response.status_code == 303, response.text
    rid = re.search(r"request\+(\d+)\+filed", response.headers["location"]).group(1)  # type: ignore[union-attr]
    step = {"csrf": token, "version": "1"}
    early = client.post(f"/requests/{rid}/step", data={**step, "step": "escalate"})
    assert early.status_code == 422
    assert 'data-rule="escalate_only_after_cannot_fill_or_partly"' in early.text
    answer = {**step, "step": "answer", "answer": "partly", "asked": "roaz, other_providers",
              "provided_support": "4"}  # fmt: skip
    assert client.post(f"/requests/{rid}/step?region=AZE", data=answer).status_code == 303
    again = client.post(f"/requests/{rid}/step", data=answer)  # the same stale form: 409
    assert again.status_code == 409
    up = client.post(f"/requests/{rid}/step", data={**step, "step": "escalate", "version": "2"})
    assert up.status_code == 303
    after = parse(client.get("/requests?region=AZE").text)
    assert after.figures[f"request-rung-{rid}"] == "2"
    assert int(after.figures["wanted-2-ic_nurse"]) >= 2
    deploy = {"csrf": token, "kind": "support", "count": "4", "source": "Nationale Zorgklas",
              "start": "2030-01-02", "end": "2030-01-09"}  # fmt: skip
    assert client.post(f"/requests/{rid}/deploy", data=deploy).status_code == 303
    over = client.post(f"/requests/{rid}/deploy", data={**deploy, "count": "1"})
    assert over.status_code == 422 and 'data-rule="deployment_above_request"' in over.text
