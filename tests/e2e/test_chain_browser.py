"""The signals board and the stock page in a real browser, every step through their forms.

A regional coordinator files a bottleneck signal and escalates it to ActiZ, the umbrella
body classifies, acts and closes it; the region reports its GP post under pressure; the
national coordinator orders ELV beds from standby with their 72-hour deadline, the region
reports some up, and the board shows the rest overdue once the deadline has passed. On the
stock page the stock office records a CCV medicine (its coverage bar below the norm) and
the ventilator count, a region applies, a grant above the stock is refused with the rule's
name, a partial grant is assessed and shipped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kraan.domain.access import Role
from kraan.store.access import create_user, user_id
from kraan.store.stock import pool as stock_pool
from tests.e2e.test_browser import base_url, browser, page  # noqa: F401  shared fixtures

pytestmark = pytest.mark.browser


def _user(demo: Any, username: str, role: Role) -> None:
    with demo.engine.begin() as conn:
        if user_id(conn, username) is None:
            create_user(conn, username=username, role=role, now=datetime(2020, 11, 1),
                        actor="e2e", password=demo.password)  # fmt: skip


def _login(tab: Any, username: str, password: str, path: str) -> None:
    tab.goto(f"/login?next={path}")
    tab.fill("#username", username)
    tab.fill("#password", password)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(f"**{path}")


def _logout(tab: Any) -> None:
    tab.get_by_role("button", name="Log out").click()
    tab.wait_for_load_state()


def _state(tab: Any, testid: str) -> str:
    return tab.get_by_test_id(testid).get_attribute("data-value")  # type: ignore[no-any-return]


def test_a_signal_a_chain_report_and_an_elv_order_through_the_board(
    page: Any, demo: Any, artifacts_dir: Path  # noqa: F811
) -> None:
    _user(demo, "actiz-browser", Role.UMBRELLA_BODY)
    _login(page, "coord-aze", demo.password, "/signals")
    form = page.get_by_test_id("signal-form")
    form.locator("#sg-region").select_option("AZE")
    form.locator("#sg-sector").select_option("vvt")
    form.locator("#sg-blocked").fill("three nursing homes stopped admissions: staff absence")
    form.locator("#sg-since").fill((datetime.now(UTC) - timedelta(days=2)).date().isoformat())
    form.get_by_role("button").click()
    assert "signal filed" in page.get_by_test_id("signals-message").inner_text()
    ids = page.locator("[data-testid=signal-table] tr[data-signal]").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.signal))"
    )
    sid = max(ids)
    assert _state(page, f"signal-state-{sid}") == "filed"
    escalate = page.get_by_test_id(f"signal-escalate-{sid}")
    escalate.locator("select[name=umbrella]").select_option("actiz")
    escalate.get_by_role("button").click()
    page.wait_for_selector(f"[data-testid=signal-state-{sid}][data-value=escalated]")
    # the region may not classify: that is the umbrella body's step (no form for it)
    assert page.get_by_test_id(f"signal-classify-{sid}").count() == 0

    # the region's GP post reports its pressure through the chain form
    chain = page.get_by_test_id("chain-report-form")
    reporter = chain.locator("select[name=reporter_code] option").first.get_attribute("value")
    chain.locator("select[name=reporter_code]").select_option(reporter)
    chain.locator("select[name=kind]").select_option("gp_post")
    moment = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    chain.locator("input[name=reported_at]").fill(moment)
    chain.locator("select[name=status]").select_option("no_new_patients")
    chain.locator("input[name=reason]").fill("four GPs ill, triage line overloaded")
    chain.locator("input[name=staff_absence_pct]").fill("18")
    chain.get_by_role("button").click()
    assert "chain report stored" in page.get_by_test_id("signals-message").inner_text()
    cell = page.locator("tr[data-region=chain-AZE] td[data-field=gp_post]")
    assert int(cell.get_attribute("data-value")) >= 1  # reporters that take no new patients
    # a GP post with beds is refused, with the rule's name, and nothing is stored
    page.go_back()
    chain.locator("select[name=kind]").select_option("gp_post")
    chain.locator("input[name=reported_at]").fill(moment)
    chain.locator("input[name=beds]").fill("4")
    chain.locator("select[name=status]").select_option("")
    chain.get_by_role("button").click()
    assert page.get_by_test_id("refusal").get_attribute("data-rule") == "chain_report_fields"
    _logout(page)

    # the umbrella body classifies, records its action and closes the signal
    _login(page, "actiz-browser", demo.password, "/signals")
    classify = page.get_by_test_id(f"signal-classify-{sid}")
    classify.locator("select[name=classification]").select_option("general")
    classify.locator("select[name=needs_action]").select_option("yes")
    classify.get_by_role("button").click()
    page.wait_for_selector(f"[data-testid=signal-state-{sid}][data-value=classified]")
    act = page.get_by_test_id(f"signal-act-{sid}")
    act.locator("input[name=action]").fill("ActiZ asks the ROAZ to spread admissions")
    act.get_by_role("button").click()
    page.wait_for_selector(f"[data-testid=signal-state-{sid}][data-value=acted]")
    close = page.get_by_test_id(f"signal-close-{sid}")
    close.locator("input[name=note]").fill("admissions spread over the region")
    close.get_by_role("button").click()
    page.wait_for_selector(f"[data-testid=signal-state-{sid}][data-value=closed]")
    assert "ActiZ asks the ROAZ" in page.locator(f"tr[data-signal='{sid}']").inner_text()
    assert page.get_by_test_id(f"signal-close-{sid}").count() == 0
    _logout(page)

    # ELV scale-up: the national coordinator orders, the region reports beds up
    _login(page, "national", demo.password, "/signals")
    before = page.locator("tr[data-order]").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.order))"
    )
    order = page.get_by_test_id("order-form")
    order.locator("select[name=region_code]").select_option("AZE")
    order.locator("input[name=beds]").fill("9")
    order.locator("input[name=note]").fill("standby beds up: the COVID wing of the region")
    ordered_at = datetime.now(UTC)
    order.get_by_role("button").click()
    assert "ELV beds ordered" in page.get_by_test_id("signals-message").inner_text()
    oid = max(page.locator("tr[data-order]").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.order))"
    ))  # fmt: skip
    assert oid not in before
    row = page.locator(f"tr[data-order='{oid}']")
    # the deadline: 72 hours from the order, counted down on the board
    due = re.search(r"\((\d+(?:[.,]\d)?)", row.locator("td").nth(3).inner_text())
    assert due and 71 <= float(due.group(1).replace(",", ".")) <= 72
    response = page.request.get("/api/v1/elv-orders?region=AZE")
    stored = next(o for o in response.json()["orders"] if o["id"] == oid)
    deadline = datetime.fromisoformat(stored["deadline"]).replace(tzinfo=UTC)
    assert abs(deadline - ordered_at - timedelta(hours=72)) < timedelta(minutes=2)
    _logout(page)
    _login(page, "coord-aze", demo.password, "/signals")
    row = page.locator(f"tr[data-order='{oid}']")
    row.locator("input[name=beds]").fill("4")
    row.get_by_role("button").click()
    assert "beds reported up" in page.get_by_test_id("signals-message").inner_text()
    row = page.locator(f"tr[data-order='{oid}']")
    assert row.locator("td").nth(4).inner_text().strip() == "4"  # up
    assert row.locator("td").nth(5).inner_text().strip() == "0"  # not overdue yet
    # more beds than ordered: refused with the rule's name
    row.locator("input[name=beds]").fill("6")
    row.get_by_role("button").click()
    assert page.get_by_test_id("refusal").get_attribute("data-rule") == "elv_beds_above_order"
    # after the deadline the five beds not up show as overdue, per order and per region
    later = (ordered_at + timedelta(hours=80)).strftime("%Y-%m-%dT%H:%M")
    page.goto(f"/signals?as_of={later}")
    row = page.locator(f"tr[data-order='{oid}']")
    assert row.locator("td").nth(5).inner_text().strip() == "5"
    region = page.locator("[data-testid=elv-table] tr[data-region=AZE] td[data-field=overdue]")
    assert int(region.get_attribute("data-value")) >= 5
    assert "crossed" in (region.get_attribute("class") or "")
    page.screenshot(path=str(artifacts_dir / "signals-flow.png"), full_page=True)


def test_medicines_and_a_ventilator_application_through_the_stock_page(
    page: Any, demo: Any, artifacts_dir: Path  # noqa: F811
) -> None:
    _user(demo, "lch-browser", Role.STOCK_OFFICE)
    _login(page, "lch-browser", demo.password, "/stock")
    medicine = page.get_by_test_id("medicine-form")
    for name, value in (("code", "midazolam-browser"), ("name", "Midazolam"), ("unit", "vial"),
                        ("stock", "3000"), ("regular_per_month", "1500"),
                        ("per_ic_patient_day", "2")):  # fmt: skip
        medicine.locator(f"input[name={name}]").fill(value)
    medicine.get_by_role("button").click()
    assert "medicine figures stored" in page.get_by_test_id("stock-message").inner_text()
    row = page.locator("[data-testid=medicine-table] tr[data-region=midazolam-browser]")
    assert "alert-row" in (row.get_attribute("class") or "")  # below the 5 + 3 months norm
    share = float(row.locator("td[data-field=share]").get_attribute("data-value"))
    assert 0 < share < 1
    bar = row.locator(".bar i")
    assert "high" in (bar.get_attribute("class") or "")
    width = re.search(r"width:\s*([\d.]+)%", bar.get_attribute("style"))
    assert width and abs(float(width.group(1)) - share * 100) <= 0.5  # the bar is the share
    assert float(row.locator("td[data-field=coverage]").get_attribute("data-value")) <= 2
    # a negative stock is refused by the form's own check before it reaches the server
    medicine.locator("input[name=stock]").fill("-5")
    medicine.get_by_role("button").click()
    assert medicine.locator("input[name=stock]").evaluate("el => !el.validity.valid")

    # the central ventilator count: a few units free above what is reserved or shipped
    with demo.engine.connect() as conn:
        pool = stock_pool(conn)
    used = (pool["reserved"] + pool["shipped"]) if pool else 0
    count = page.locator("form[action^='/stock/pool']")
    count.locator("input[name=total]").fill(str(used + 3))
    count.get_by_role("button").click()
    assert _state(page, "ventilator-pool") == "3"
    _logout(page)

    # the region applies for four units for one of its hospitals
    _login(page, "coord-aze", demo.password, "/stock")
    apply = page.get_by_test_id("apply-form")
    apply.locator("input[name=units]").fill("4")
    apply.locator("input[name=reason]").fill("four ventilators failed in the surge unit")
    apply.get_by_role("button").click()
    assert "application filed" in page.get_by_test_id("stock-message").inner_text()
    app_id = max(int(a) for a in re.findall(r'data-testid="application-state-(\d+)"',
                                            page.content()))  # fmt: skip
    assert _state(page, f"application-state-{app_id}") == "applied"
    _logout(page)

    # the stock office assesses: all four is above the stock (refused, rule named) ...
    _login(page, "lch-browser", demo.password, "/stock")
    row = page.locator(f"tr:has([data-testid=application-state-{app_id}])")
    assess = row.locator("form[action^='/stock/assess']")
    assess.locator("select[name=decision]").select_option("granted")
    assess.locator("input[name=units_granted]").fill("4")
    assess.get_by_role("button").click()
    assert page.get_by_test_id("refusal").get_attribute("data-rule") == "reservation_over_stock"
    page.goto("/stock")
    assert _state(page, f"application-state-{app_id}") == "applied"  # nothing stored
    assert _state(page, "ventilator-pool") == "3"
    # ... so three of four, with the reason, and shipped
    row = page.locator(f"tr:has([data-testid=application-state-{app_id}])")
    assess = row.locator("form[action^='/stock/assess']")
    assess.locator("select[name=decision]").select_option("partly")
    assess.locator("input[name=units_granted]").fill("3")
    assess.locator("input[name=reason]").fill("three free units; the fourth after repair")
    assess.get_by_role("button").click()
    assert _state(page, f"application-state-{app_id}") == "partly"
    assert _state(page, "ventilator-pool") == "0"
    row = page.locator(f"tr:has([data-testid=application-state-{app_id}])")
    row.locator("form[action^='/stock/ship']").get_by_role("button").click()
    assert _state(page, f"application-state-{app_id}") == "shipped"
    assert "three free units" in page.locator(f"tr:has([data-testid=application-state-{app_id}])"
                                              ).inner_text()  # fmt: skip
    page.screenshot(path=str(artifacts_dir / "stock-flow.png"), full_page=True)
