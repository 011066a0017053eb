"""The requests page in a real browser: file a request, answer rung 1, escalate to rung 2."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kraan.domain.access import Role
from kraan.store.access import create_user, user_id
from kraan.store.reference import load_locations
from tests.e2e.test_browser import base_url, browser, page  # noqa: F401  shared fixtures

pytestmark = pytest.mark.browser


def test_a_coordinator_walks_a_request_up_the_ladder(
    page: Any, demo: Any, artifacts_dir: Path  # noqa: F811
) -> None:
    page.goto("/login?next=/requests%3Fregion%3DAZE")
    page.fill("#username", "coord-aze")
    page.fill("#password", demo.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/requests?region=AZE")
    form = page.get_by_test_id("new-request-form")
    form.get_by_test_id("nr-ic_nurse").fill("3")
    form.get_by_test_id("nr-care_assistant").fill("5")
    form.locator("#nr-start").fill("2031-02-01")
    form.locator("#nr-end").fill("2031-02-14")
    form.locator("#nr-shifts").fill("evening, night")
    form.locator("#nr-reason").fill("COVID ward doubled; absence 16 %")
    form.locator("#nr-measures").fill("planned care stopped; students deployed")
    form.get_by_test_id("nr-submit").click()
    message = page.get_by_test_id("requests-message")
    assert "filed at rung 1" in message.inner_text()
    rid = message.inner_text().split()[1]
    row = page.locator(f"tr[data-request='{rid}']")
    answer = row.get_by_test_id(f"step-answer-{rid}")
    answer.locator("select[name=answer]").select_option("cannot_fill")
    answer.locator("select[name=asked]").select_option(
        ["roaz", "other_providers", "care_office_insurer"]
    )
    answer.get_by_role("button").click()
    page.wait_for_selector(f"[data-testid=request-state-{rid}][data-value=answered]")
    row.get_by_test_id(f"step-escalate-{rid}").get_by_role("button").click()
    page.wait_for_selector(f"[data-testid=request-rung-{rid}][data-value='2']")
    assert page.get_by_test_id(f"request-state-{rid}").get_attribute("data-value") == "asked"
    assert int(page.get_by_test_id("wanted-2-ic_nurse").get_attribute("data-value")) >= 3
    page.screenshot(path=str(artifacts_dir / "requests-ladder.png"), full_page=True)


def test_the_signals_board_and_the_stock_page_render(page: Any, artifacts_dir: Path) -> None:  # noqa: F811
    """Reached from the header nav; the SYNTHETIC demo's January figures are drawn."""
    page.goto("/?as_of=2021-01-12")
    page.locator(".app-nav [data-menu=chain] summary").click()
    page.locator(".app-nav a", has_text="Stock").click()
    page.wait_for_url("**/stock?as_of=2021-01-12")
    rows = page.locator("[data-testid=medicine-table] tbody tr.alert-row")
    assert rows.count() >= 1  # below the 5 + 3 months norm in January
    assert page.locator("[data-testid=medicine-table] .bar i").count() >= 5
    page.screenshot(path=str(artifacts_dir / "stock-2021-01-12.png"), full_page=True)
    page.locator(".app-nav [data-menu=chain] summary").click()
    page.locator(".app-nav a", has_text="Signals").click()
    page.wait_for_url("**/signals?as_of=2021-01-12")
    assert page.get_by_test_id("chain-table").is_visible()
    assert page.locator("[data-testid=elv-table] td.crossed").count() >= 1  # overdue beds
    page.screenshot(path=str(artifacts_dir / "signals-2021-01-12.png"), full_page=True)


def _as(page: Any, username: str, password: str, path: str) -> None:  # noqa: F811
    if page.get_by_role("button", name="Log out").count():
        page.get_by_role("button", name="Log out").click()
        page.wait_for_load_state()
    page.goto(f"/login?next={quote(path, safe='')}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{path}")


def _take(page: Any, step: str, rid: str, state: str, **fields: str) -> None:  # noqa: F811
    form = page.get_by_test_id(f"step-{step}-{rid}")
    for selector, value in fields.items():
        target = form.locator(f"[name={selector}]")
        if target.evaluate("el => el.tagName") == "SELECT":
            multiple = target.evaluate("el => el.multiple")
            target.select_option([v.strip() for v in value.split(",")] if multiple else value)
        else:
            target.fill(value)
    form.get_by_role("button").click()
    page.wait_for_selector(f"[data-testid=request-state-{rid}][data-value={state}]")


def test_a_military_support_request_climbs_all_three_rungs_from_the_pages(
    page: Any, demo: Any, artifacts_dir: Path  # noqa: F811
) -> None:
    """Rung 1 and 2 by the region, then the MSOB: the chair of the location's safety region
    signs, LOT-C takes it in, Defence reports its fact-finding, the three parties decide,
    and Defence records who came, every step through the page's own forms."""
    with demo.engine.begin() as conn:
        location = next(loc for _, loc in load_locations(conn)
                        if loc.region_code == "AZE" and loc.kind.value == "hospital")  # fmt: skip
        users = {"chair-browser": (Role.SAFETY_REGION_CHAIR, location.safety_region_code),
                 "lotc-browser": (Role.LOTC, None), "defence-browser": (Role.DEFENCE, None)}
        for name, (role, region) in users.items():
            if user_id(conn, name) is None:
                create_user(conn, username=name, role=role, now=datetime(2020, 11, 1),
                            actor="e2e", password=demo.password, region_code=region)  # fmt: skip
    path = "/requests?region=AZE"
    _as(page, "coord-aze", demo.password, path)
    form = page.get_by_test_id("new-request-form")
    form.locator("#nr-location").select_option(location.code)
    form.get_by_test_id("nr-ic_nurse").fill("2")
    form.locator("#nr-start").fill("2031-03-01")
    form.locator("#nr-end").fill("2031-03-21")
    form.locator("#nr-shifts").fill("day, evening, night")
    form.locator("#nr-reason").fill("IC capacity doubled for the region; IC nurses short")
    form.locator("#nr-measures").fill("all planned care stopped; nurses from the OR retrained")
    form.get_by_test_id("nr-submit").click()
    rid = page.get_by_test_id("requests-message").inner_text().split()[1]
    _take(page, "answer", rid, "answered", answer="cannot_fill", asked="roaz, other_providers")
    _take(page, "escalate", rid, "asked")
    # rung 2: the national options, the Nationale Zorgreserve among them, cannot fill
    _take(page, "answer", rid, "answered", answer="cannot_fill",
          asked="red_cross, extra_handen, zorgreserve")  # fmt: skip
    _take(page, "escalate", rid, "asked")
    assert page.get_by_test_id(f"request-rung-{rid}").get_attribute("data-value") == "3"
    # rung 3 is not the region's: no form to sign or decide
    assert page.get_by_test_id(f"step-sign-{rid}").count() == 0
    _as(page, "chair-browser", demo.password, path)
    _take(page, "sign", rid, "signed")
    _as(page, "lotc-browser", demo.password, path)
    assert page.get_by_test_id(f"step-fact_finding-{rid}").count() == 0  # Defence's step
    _take(page, "intake", rid, "intake")
    _as(page, "defence-browser", demo.password, path)
    _take(page, "fact_finding", rid, "fact_finding",
          note="on site: the IC runs 24 beds with 14 IC nurses per shift")  # fmt: skip
    _take(page, "vote", rid, "fact_finding", party="defence", approve="yes", granted_ic_nurse="2")
    _as(page, "lotc-browser", demo.password, path)
    _take(page, "vote", rid, "fact_finding", party="vws", approve="yes", granted_ic_nurse="2")
    _take(page, "vote", rid, "answered", party="ggd_ghor_locc", approve="yes",
          granted_ic_nurse="2")  # fmt: skip
    row = page.locator(f"tr[data-request='{rid}']")
    assert "decisions 3/3" in row.inner_text()
    # Defence records who came; medical staff is counted once, by person
    _as(page, "defence-browser", demo.password, path)
    deploy = page.get_by_test_id(f"deploy-{rid}")
    deploy.locator("select[name=kind]").select_option("ic_nurse")
    deploy.locator("input[name=person_ref]").fill("MIL-IC-0042")
    deploy.locator("input[name=source]").fill("Defensie, 400 Geneeskundig Bataljon")
    deploy.get_by_role("button").click()
    assert "deployment recorded" in page.get_by_test_id("requests-message").inner_text()
    deploy = page.get_by_test_id(f"deploy-{rid}")
    deploy.locator("select[name=kind]").select_option("ic_nurse")
    deploy.locator("input[name=person_ref]").fill("MIL-IC-0042")
    deploy.locator("input[name=source]").fill("Defensie, 400 Geneeskundig Bataljon")
    deploy.get_by_role("button").click()
    refusal = page.get_by_test_id("refusal")  # the same nurse twice
    assert refusal.get_attribute("data-rule") == "medical_deployed_once"
    page.goto(path)
    row = page.locator(f"tr[data-request='{rid}']")
    assert row.locator("td").nth(5).inner_text().startswith("1 ")  # one IC nurse deployed
    page.screenshot(path=str(artifacts_dir / "requests-msob.png"), full_page=True)
