"""The requests page in a real browser: file a request, answer rung 1, escalate to rung 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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
