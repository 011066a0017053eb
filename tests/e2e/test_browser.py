"""A real browser on a real server: what a coordinator sees equals what the API says.

Runs uvicorn in a thread on the shared demo database and drives the Debian
Chromium through Playwright. Saves a screenshot to test-artifacts/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from kraan.web.i18n import language
from kraan.web.svg import fmt_number as _fmt_number

pytestmark = pytest.mark.browser


def fmt_number(value: float) -> str:
    """As the English page shows it (the browser context asks for en-GB)."""
    with language("en"):
        return _fmt_number(value)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AS_OF = "2020-12-21"
FIELDS = {
    "covid": "covid",
    "ontlabeld": "ontlabeld",
    "non-covid": "non_covid",
    "staffed": "staffed",
    "admissions": "admissions_24h",
}


@pytest.fixture(scope="module")
def base_url(demo: Any) -> Iterator[str]:
    """uvicorn on a free port (the socket is bound before the server starts: no race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(demo.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, base_url=base_url, locale="en-GB"
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def _status(page: Any, as_of: str) -> dict[str, Any]:
    response = page.request.get(f"/api/v1/status?as_of={as_of}")
    assert response.ok
    return response.json()  # type: ignore[no-any-return]


def _figure(page: Any, testid: str) -> tuple[str, str]:
    element = page.get_by_test_id(testid)
    return element.get_attribute("data-value"), element.inner_text().strip()


def test_dashboard_shows_the_api_figures(page: Any, base_url: str, artifacts_dir: Path) -> None:
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base_url) else outside.append(r.url))
    page.goto(f"/?as_of={AS_OF}")
    national = _status(page, AS_OF)["national"]
    assert _figure(page, "national-phase") == (national["phase"], national["phase"])
    for level in ("ic", "ward"):
        for testid, field in FIELDS.items():
            value, text = _figure(page, f"national-{level}-{testid}")
            assert int(value) == national[level][field], (level, field)
            assert text == fmt_number(national[level][field]), (level, field)
        value, text = _figure(page, f"national-{level}-occupancy")
        assert float(value) == national[level]["occupancy"]
        assert text == f"{national[level]['occupancy']:.0%}"
    assert _figure(page, "national-ic-covid") == ("586", "586")
    assert page.get_by_test_id("synthetic-notice").is_visible()
    rows = page.locator("tr[data-region]")
    assert rows.count() == len(_status(page, AS_OF)["regions"])
    page.screenshot(path=str(artifacts_dir / "dashboard-2020-12-21.png"), full_page=True)
    assert outside == [], "the dashboard must not load anything from another host"


def test_clicking_a_region_opens_its_page(page: Any, artifacts_dir: Path) -> None:
    page.goto(f"/?as_of={AS_OF}")
    regions = {r["code"]: r for r in _status(page, AS_OF)["regions"]}
    link = page.locator("svg.region-map a").first
    link.click()
    page.wait_for_url("**/regions/*")
    code = page.url.split("/regions/")[1].split("?")[0]
    assert "as_of=2020-12-21" in page.url
    assert (
        page.get_by_test_id("region-status").get_attribute("data-value")
        == (regions[code]["status"])
    )
    page.go_back()
    row = page.locator("tr[data-region] a").nth(1)
    name = row.inner_text()
    row.click()
    page.wait_for_url("**/regions/*")
    assert name in page.get_by_test_id("region-name").inner_text()
    value = page.get_by_test_id("region-ic-covid").get_attribute("data-value")
    code = page.url.split("/regions/")[1].split("?")[0]
    assert int(value) == regions[code]["ic"]["covid"]
    page.screenshot(path=str(artifacts_dir / "region-2020-12-21.png"), full_page=True)


def test_the_as_of_control_changes_the_picture(page: Any) -> None:
    page.goto(f"/?as_of={AS_OF}")
    page.get_by_test_id("as-of-input").fill("2020-12-01")
    page.get_by_test_id("as-of-submit").click()
    page.wait_for_url("**as_of=2020-12-01")
    expected = _status(page, "2020-12-01")["national"]["ic"]["covid"]
    value, text = _figure(page, "national-ic-covid")
    assert int(value) == expected != 586
    assert text == fmt_number(expected)
    assert page.locator("svg.line-chart g.marker").first.get_attribute("data-date") == (
        "2020-12-01"
    )


def test_the_chart_range_switch_reloads_only_the_charts(page: Any) -> None:
    page.goto(f"/?as_of={AS_OF}")
    page.evaluate("window.__kept = true")  # gone if the whole page reloads
    page.locator("#trend .range-switch a", has_text="30 days").click()
    page.wait_for_selector('#trend .range-switch a[aria-current="true"]:has-text("30 days")')
    assert page.evaluate("window.__kept === true")


def test_the_forecast_parts_load_on_the_dashboard(page: Any, artifacts_dir: Path) -> None:
    """htmx fetches the warnings, the phase outlook and the fan charts after the page."""
    page.goto(f"/?as_of={AS_OF}")
    page.wait_for_selector("[data-testid=phase-outlook]")
    page.wait_for_selector("[data-testid=forecast-warnings]")
    fans = page.locator("svg.fan-chart")
    fans.nth(1).wait_for()
    assert fans.count() == 2
    assert page.locator("[data-testid$=-loading]").count() == 0  # every placeholder swapped
    outlook = page.request.get(f"/api/v1/outlook?as_of={AS_OF}").json()
    for o in outlook["outlook"]:
        cell = page.get_by_test_id(f"outlook-{o['days']}")
        assert cell.get_attribute("data-value") == o["median"]["phase"]
        assert cell.is_visible()
    assert "Expected phase in 7 days" in page.get_by_test_id("outlook-sentence").inner_text()
    assert fans.first.locator("path.band").count() == 2
    page.screenshot(path=str(artifacts_dir / "dashboard-forecast.png"), full_page=True)


def test_the_spreading_page_draws_flows_and_fair_share(page: Any, artifacts_dir: Path) -> None:
    """Reached from the header nav; the map arrows and the fair-share table are visible."""
    page.goto(f"/?as_of={AS_OF}")
    page.locator(".app-nav [data-menu=capacity] summary").click()
    page.locator(".app-nav a", has_text="Spreading").click()
    page.wait_for_url(f"**/spreading?as_of={AS_OF}")
    assert page.get_by_test_id("flow-map").is_visible()
    assert page.locator("[data-testid=flow-map] line[data-flow]").count() > 0
    assert page.locator("[data-testid=fair-share-table] tbody tr").count() == 11
    assert page.locator("svg.line-chart").count() == 1
    page.screenshot(path=str(artifacts_dir / "spreading-2020-12-21.png"), full_page=True)
