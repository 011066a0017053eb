"""Every page in both languages, in Chromium: nothing overflows its box, no internal
code is visible, every clock time carries its zone, the Dutch pages carry no English
sentences, and axe-core finds no serious or critical accessibility problem.
Screenshots go to test-artifacts/ux-<page>-<lang>.png.

Pages behind a login are visited as the user who sees the most of them: a national
coordinator (forms on requests, signals, stock, spreading; the audit page), a regional
coordinator (the audit page in its scope), a control-centre nurse (worklist and patient
timeline) and a GP (the practice list).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kraan.domain.access import Role
from kraan.store.access import create_user, user_id
from kraan.store.early_warning import list_practices
from kraan.store.home_monitoring import active_patients, list_teams
from tests.e2e.test_browser import base_url, browser  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AS_OF = "2020-12-21"
#: name -> (path, who is logged in); "{patient}" is a patient of the nurse's team
PAGES: dict[str, tuple[str, str | None]] = {
    "overview": (f"/?as_of={AS_OF}", None),
    "region-nazo": (f"/regions/NAZO?as_of={AS_OF}", None),
    "region-aze": (f"/regions/AZE?as_of={AS_OF}", "coord-aze"),
    "region-tzwn": (f"/regions/TZWN?as_of={AS_OF}", None),
    "spreading": (f"/spreading?as_of={AS_OF}", None),
    "spreading-national": (f"/spreading?as_of={AS_OF}", "national"),
    "requests": (f"/requests?as_of={AS_OF}", None),
    "requests-national": (f"/requests?as_of={AS_OF}", "national"),
    "signals": (f"/signals?as_of={AS_OF}", None),
    "signals-national": (f"/signals?as_of={AS_OF}", "national"),
    "stock": (f"/stock?as_of={AS_OF}", None),
    "stock-national": (f"/stock?as_of={AS_OF}", "national"),
    "glossary": (f"/glossary?as_of={AS_OF}", None),
    "forecasting": (f"/forecasting?as_of={AS_OF}", None),
    "login": ("/login", None),
    "briefing": (f"/briefing?as_of={AS_OF}", None),
    "early-warning": (f"/early-warning?as_of={AS_OF}", None),
    "early-warning-gp": (f"/early-warning?as_of={AS_OF}", "ux-gp"),
    "vaccination": (f"/vaccination?as_of={AS_OF}", None),
    "home": (f"/home?as_of={AS_OF}", None),
    "home-worklist": ("/home", "ux-nurse"),
    "home-patient": ("/home/patients/{patient}", "ux-nurse"),
    "simulation": ("/simulation", None),
    "audit-national": ("/audit", "national"),
    "audit-regional": ("/audit", "coord-aze"),
}
#: Internal codes: snake_case words (not file names such as ccv_norm.json) and the
#: enum values that have no underscore.
CODES = re.compile(
    r"(?<![\w./?&=-])[a-z]+(?:_[a-z0-9]+)+(?![\w.=-])|\b(?:actiz|lotc|pfizer|astrazeneca)\b"
)
CLOCK = re.compile(r"\b\d{2}:\d{2}\b(?!\s*(CET|CEST))")
#: English that must not be on a Dutch page. Seeded free text ("SYNTHETIC: ...") and the
#: generated location names are data, as a user would have typed them.
ENGLISH = re.compile(
    r"\b(the|and|with|without|which|patients|shown|from|between|coordinator|reporter)\b"
)
DATA = re.compile(r"SYNTHETIC:[^\n]*|Synthetic [A-Za-z -]+\d*")
#: Elements whose content is wider than their box while overflow is visible (scroll
#: containers such as .table-wrap are allowed to scroll).
OVERFLOW_JS = """() => {
  const bad = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    bad.push('page scrolls sideways: ' + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('main *, header *')) {
    if (el.closest('svg') || el.closest('.table-wrap') || el.closest('details:not([open])'))
      continue;
    const style = getComputedStyle(el);
    if (style.overflowX !== 'visible' || style.display === 'inline') continue;
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 2)
      bad.push(el.tagName + '.' + el.className + ': ' + el.scrollWidth + '>' + el.clientWidth);
  }
  return bad;
}"""
#: Text a user reads besides the body text: labels of controls, placeholders, tooltips,
#: the options of every select.
ATTRIBUTES_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]'))
    for (const a of ['placeholder', 'aria-label', 'title'])
      if (el.getAttribute(a) && !el.closest('svg')) out.push(el.getAttribute(a));
  for (const o of document.querySelectorAll('option')) out.push(o.textContent);
  return out.join('\\n');
}"""


@pytest.fixture(scope="module")
def care_users(demo: Any) -> dict[str, str]:
    """A control-centre nurse of a team with active patients and a GP of a practice with
    a list; returns {"patient": an id of the nurse's team}."""
    with demo.engine.begin() as conn:
        teams = [t["code"] for t in list_teams(conn) if active_patients(conn, [t["code"]])]
        patient = active_patients(conn, [teams[0]])[0]
        practice = list_practices(conn)[0]["code"]
        for name, role, codes in (("ux-nurse", Role.CONTROL_CENTRE_NURSE, [teams[0]]),
                                  ("ux-gp", Role.GP, [practice])):  # fmt: skip
            if user_id(conn, name) is None:
                create_user(conn, username=name, role=role, now=datetime(2020, 11, 1),
                            actor="e2e", password=demo.password, location_codes=codes)  # fmt: skip
    return {"patient": str(patient["id"])}


@pytest.fixture(params=["nl", "en"])
def tab(request: pytest.FixtureRequest, browser: Any, base_url: str) -> Iterator[Any]:  # noqa: F811
    lang = request.param
    context = browser.new_context(
        viewport={"width": 1366, "height": 900},
        base_url=base_url,
        bypass_csp=True,  # the test injects axe-core inline; the pages' own CSP allows no inline
        locale="nl-NL" if lang == "nl" else "en-GB",
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.lang = lang  # type: ignore[attr-defined]
    yield page
    context.close()


def _login(tab: Any, username: str, password: str) -> None:
    tab.goto("/login?next=/glossary")
    tab.fill("#username", username)
    tab.fill("#password", password)
    tab.locator("[data-testid=login-form] button[type=submit]").click()
    tab.wait_for_url("**/glossary")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_clean_in_both_languages(
    tab: Any, name: str, demo: Any, care_users: dict[str, str], artifacts_dir: Path
) -> None:
    path, user = PAGES[name]
    if user:
        _login(tab, user, demo.password)
    response = tab.goto(path.format(**care_users))
    assert response is not None and response.status == 200, (name, response and response.status)
    _check(tab, name, artifacts_dir)


def _check(tab: Any, name: str, artifacts_dir: Path) -> None:
    lang = tab.lang
    tab.wait_for_load_state("networkidle")
    tab.wait_for_function("document.querySelectorAll('[aria-busy=true]').length === 0")
    assert tab.locator("html").get_attribute("lang") == lang
    text = tab.locator("body").inner_text()
    read = text + "\n" + tab.evaluate(ATTRIBUTES_JS)
    code = CODES.search(read)
    assert code is None, read[max(0, code.start() - 80) : code.end() + 40]
    clock = CLOCK.search(text)
    assert clock is None, text[max(0, clock.start() - 60) : clock.end() + 20]
    if lang == "nl":
        dutch = DATA.sub("", read)
        english = ENGLISH.search(dutch)
        assert english is None, dutch[max(0, english.start() - 80) : english.end() + 60]
    assert tab.evaluate(OVERFLOW_JS) == []
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    tab.screenshot(path=str(artifacts_dir / f"ux-{name}-{lang}.png"), full_page=True)
    assert result == [], result


def test_region_codes_are_case_insensitive(tab: Any) -> None:
    tab.goto(f"/regions/nazo?as_of={AS_OF}")
    assert "/regions/NAZO" in tab.url
    assert tab.get_by_test_id("region-name").is_visible()


def test_the_spreading_flow_from_plan_to_arrival_uses_the_pages_only(
    browser: Any,  # noqa: F811
    base_url: str,  # noqa: F811
    demo: Any,
    artifacts_dir: Path,
) -> None:
    """Log in, store the plan, offer a bed, accept, put the patient on the road, arrive."""
    day = "2020-12-08"
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=base_url,
                                  locale="nl-NL")  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"/login?next=/spreading%3Fas_of%3D{day}")
    page.fill("#username", "national")
    page.fill("#password", demo.password)
    page.locator("[data-testid=login-form] button[type=submit]").click()
    page.wait_for_url(f"**/spreading?as_of={day}")
    page.get_by_test_id("store-plan-confirm").check()
    page.get_by_test_id("store-plan-submit").click()
    page.wait_for_selector("[data-testid=spreading-message]")
    row = page.locator("tr[data-transfer]").first
    tid = row.get_attribute("data-transfer")
    to_area = row.locator("td").nth(2).inner_text().strip()
    patients = row.locator("td").nth(3).inner_text().strip()
    page.select_option("#offer-region", to_area)
    page.fill("#offer-day", day)
    page.fill("#offer-beds", patients)
    page.locator("[data-testid=offer-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=spreading-message]")
    for label in ("Bed aanbieden", "Accepteren", "Patiënt onderweg", "Aangekomen"):
        page.goto(f"/spreading?as_of={day}")
        page.locator(f"tr[data-transfer='{tid}'] button", has_text=label).click()
        page.wait_for_selector("[data-testid=spreading-message]")
    state = page.get_by_test_id(f"transfer-state-{tid}")
    assert state.get_attribute("data-value") == "arrived"
    assert state.inner_text().startswith("aangekomen")
    page.screenshot(path=str(artifacts_dir / "ux-spreading-flow-nl.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("path, ready", [("/docs", ".swagger-ui .info"), ("/redoc", ".api-info")])
def test_api_docs_render_offline(
    browser: Any,  # noqa: F811
    base_url: str,  # noqa: F811
    path: str,
    ready: str,
    artifacts_dir: Path,
) -> None:
    """Swagger UI and ReDoc draw the API from our own assets: every request that leaves
    the server is refused, and the page still shows the API's title."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path)
    page.wait_for_selector(ready)
    assert "Kraan" in page.locator(ready).inner_text()
    page.wait_for_function("document.body.innerHTML.includes('/api/v1/status')")
    page.screenshot(path=str(artifacts_dir / f"ux-{path.strip('/')}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through the devtools: the CSP stays on
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    broken = page.evaluate(
        "[...document.images].filter(i => i.offsetParent !== null"
        " && !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    context.close()
    assert outside == [] and errors == []
    assert result == [], result
    assert broken == [], f"images that cannot load offline are shown: {broken}"


@pytest.mark.parametrize(
    "width, height", [(1280, 800), (1600, 1000), (1024, 768), (800, 900), (390, 844)],
    ids=["1280px", "1280px-at-80pct-zoom", "1024px", "800px", "mobile"],
)
def test_the_menus_fit_and_open(
    browser: Any,  # noqa: F811
    base_url: str,  # noqa: F811
    demo: Any,
    width: int,
    height: int,
    artifacts_dir: Path,
) -> None:
    """Two links and four menus instead of 14 links: the header never scrolls sideways,
    on a wide screen the navigation is one row, every menu opens (one at a time) with its
    links inside the window, Escape closes it, and axe is content with the open menu."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  base_url=base_url, bypass_csp=True, locale="nl-NL")  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/login?next=/glossary")
    page.fill("#username", "national")
    page.fill("#password", demo.password)
    page.locator("[data-testid=login-form] button[type=submit]").click()
    page.wait_for_url("**/glossary")
    nav = page.locator(".app-nav")
    top_level = nav.locator(":scope > a, :scope > details > summary")
    assert top_level.count() == 6
    if width >= 1024:
        boxes = [e.bounding_box() for e in top_level.all()]
        middles = [box["y"] + box["height"] / 2 for box in boxes if box]
        assert max(middles) - min(middles) < 6, middles  # one row
    menus = nav.locator("details.nav-menu")
    assert menus.count() == 4
    links = 0
    for i in range(menus.count()):
        menus.nth(i).locator("summary").click()
        assert page.locator(".app-nav details[open]").count() == 1
        for link in menus.nth(i).locator("a").all():
            box = link.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
            links += 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert links == 13  # with the audit page, as a coordinator
    page.keyboard.press("Escape")
    assert page.locator(".app-nav details[open]").count() == 0
    page.locator(".app-nav [data-menu=chain] summary").click()
    page.screenshot(path=str(artifacts_dir / f"ux-nav-{width}.png"))
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document.querySelector('header'))).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
    )
    assert result == []
    page.locator(".app-nav a", has_text="Signalen").click()
    page.wait_for_url("**/signals")
    context.close()


def test_a_simulation_result_is_clean_in_both_languages(tab: Any, artifacts_dir: Path) -> None:
    """The what-if result (fans, the table of what the modules bought) arrives by htmx."""
    tab.goto("/simulation")
    tab.select_option("#wave", "slow_severe")
    tab.locator('input[data-module="ELV"]').check()
    tab.fill('input[name="members"]', "4")
    tab.get_by_test_id("sim-run").click()
    tab.get_by_test_id("sim-effects").wait_for(timeout=120_000)
    _check(tab, "simulation-result", artifacts_dir)
