"""The what-if page in a real browser: pick a wave, switch modules, see the fans and table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_browser import base_url, browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_the_scenario_page_runs_and_shows_fans_side_by_side(
    page: Any, artifacts_dir: Path  # noqa: F811
) -> None:
    page.goto("/")
    page.locator(".app-nav [data-menu=capacity] summary").click()
    page.get_by_role("link", name="What-if").click()
    page.wait_for_url("**/simulation")
    page.select_option("#wave", "contagious_mild")
    for key in ("1", "ELV"):
        page.locator(f'input[data-module="{key}"]').check()
    page.fill('input[name="members"]', "8")
    page.get_by_test_id("sim-run").click()
    result = page.get_by_test_id("sim-result")
    result.wait_for(timeout=60_000)
    assert page.get_by_test_id("sim-charts").count() == 3
    assert result.locator("svg").count() == 6
    rows = page.locator("table[data-testid=sim-effects] tbody tr")
    assert [rows.nth(i).get_attribute("data-modules") for i in range(rows.count())] == [
        "none", "all chosen", "1", "ELV"]
    page.screenshot(path=str(artifacts_dir / "simulation-page.png"), full_page=True)
