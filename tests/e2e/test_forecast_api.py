"""Forecasts, the phase outlook and their dashboard fragments over the demo database.

The demo replays the real LCPS series of Nov-Dec 2020, so on 2020-12-21 there are 51
days of reports behind each forecast; the API, the outlook and the fragments must tell
the same story.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kraan.domain.phases import Phase, RegionStatus
from kraan.services import live_forecast

AS_OF = "2020-12-21"
Parse = Callable[[str], Any]


def _forecast(client: TestClient, target: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/forecast/{target}", params={"as_of": AS_OF, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _outlook(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/outlook", params={"as_of": AS_OF})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("region", [None, "AZE", "NAZO"])
@pytest.mark.parametrize("target", ["ic", "ward"])
def test_a_forecast_has_14_monotone_days(client: TestClient, target: str, region: str) -> None:
    doc = _forecast(client, target, **({"region": region} if region else {}))
    assert (doc["location"], doc["target"], doc["method"]) == (region or "NL", target, "kraan")
    assert doc["data_through"] == AS_OF
    rows = doc["occupancy"]
    assert [r["horizon"] for r in rows] == list(range(1, 15))
    assert (rows[0]["date"], rows[-1]["date"]) == ("2020-12-22", "2021-01-04")
    for row in rows:
        values = [row["quantiles"][f"{q:g}"] for q in doc["quantile_levels"]]
        assert values == sorted(values) and values[0] >= 0
        assert row["median"] == row["quantiles"]["0.5"]
    capacity = doc["capacity"]
    assert capacity["basis"] == "staffed" and capacity["beds"] == doc["staffed"] > 0
    for key in ("median_crossing", "upper90_crossing", "median_crossing_days", "above_now"):
        assert key in capacity
    assert len(capacity["exceed_probability"]) == 14
    assert all(0 <= p <= 1 for p in capacity["exceed_probability"])
    room = next(c for c in doc["capacities"] if c["kind"] == "covid_able")
    assert room["beds"] == doc["staffed"] - doc["non_covid"]
    assert doc["history"]["occupancy"][-1] == doc["observed_now"]
    assert len(doc["history"]["dates"]) == live_forecast.SHOWN_DAYS


def test_national_ic_starts_from_the_status_figures_and_answers_1350(client: TestClient) -> None:
    status = client.get("/api/v1/status", params={"as_of": AS_OF}).json()["national"]["ic"]
    doc = _forecast(client, "ic")
    assert doc["observed_now"] == status["covid"] + status["ontlabeld"] == 586
    plan = next(c for c in doc["capacities"] if c["kind"] == "scale_up_plan")
    assert plan["beds"] == 1350
    assert plan["median_crossing_days"] is None  # 586 patients: far from 1,350 in two weeks
    ward = _forecast(client, "ward")
    assert next(c for c in ward["capacities"] if c["kind"] == "scale_up_plan")["beds"] == 2700


def test_crossings_follow_the_quantiles(client: TestClient) -> None:
    base = _forecast(client, "ic")
    medians = [r["median"] for r in base["occupancy"]]
    beds = round(medians[6]) - 1  # the median is above this by day 7 at the latest
    doc = _forecast(client, "ic", capacity=beds)
    capacity = doc["capacity"]
    assert capacity["basis"] == "given" and capacity["beds"] == beds
    first = next(h for h, m in enumerate(medians, start=1) if m > beds)
    assert capacity["median_crossing_days"] == first
    assert capacity["median_crossing"] == doc["occupancy"][first - 1]["date"]
    upper = [r["quantiles"]["0.95"] for r in doc["occupancy"]]
    assert capacity["upper90_crossing_days"] == next(
        h for h, u in enumerate(upper, start=1) if u > beds
    )
    assert capacity["upper90_crossing_days"] <= first
    assert doc["occupancy"] == base["occupancy"]  # another capacity, the same forecast
    below = _forecast(client, "ic", capacity=base["observed_now"] - 1)["capacity"]
    assert below["above_now"] is True


def test_a_repeated_forecast_comes_from_the_cache(client: TestClient, demo: Any) -> None:
    first = _forecast(client, "ward", region="NAZB")
    key = (live_forecast.engine_key(demo.engine), "ward", "NAZB", date(2020, 12, 21))
    cached = [k for k in live_forecast.CACHE._data if k[:4] == key]
    assert len(cached) == 1
    assert _forecast(client, "ward", region="NAZB") == first
    assert [k for k in live_forecast.CACHE._data if k[:4] == key] == cached


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/forecast/icu", 422, "target"),
        ("/api/v1/forecast/ic?capacity=0", 422, "capacity"),
        ("/api/v1/forecast/ic?as_of=2020-11-05", 422, "as_of"),
        ("/api/v1/forecast/ic?as_of=2031-01-01", 422, "as_of"),
        ("/api/v1/forecast/ic?as_of=not-a-day", 422, "as_of"),
        ("/api/v1/forecast/ic?region=NOPE", 404, None),
    ],
)
def test_bad_requests_say_what_is_wrong(
    client: TestClient, url: str, status: int, field: str | None
) -> None:
    sep = "&" if "?" in url else "?"
    if "as_of" not in url:
        url += f"{sep}as_of={AS_OF}"
    response = client.get(url)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    if field is None:
        assert "NOPE" in detail
    else:
        assert [d["field"] for d in detail] == [field] and detail[0]["message"]


def test_too_early_as_of_names_the_first_possible_day(client: TestClient) -> None:
    detail = client.get("/api/v1/forecast/ward", params={"as_of": "2020-11-05"}).json()
    assert "2020-11-14" in detail["detail"][0]["message"]


def test_the_outlook_has_phases_at_7_and_14_days(client: TestClient) -> None:
    doc = _outlook(client)
    status = client.get("/api/v1/status", params={"as_of": AS_OF}).json()
    assert doc["current"]["phase"] == status["national"]["phase"]
    assert doc["data_through"] == AS_OF
    assert [(o["days"], o["date"]) for o in doc["outlook"]] == [
        (7, "2020-12-28"),
        (14, "2021-01-04"),
    ]
    phases = {p.value for p in Phase}
    for o in doc["outlook"]:
        for variant in ("median", "upper90"):
            assert o[variant]["phase"] in phases and o[variant]["explanation"]
    assert [r["code"] for r in doc["regions"]] == [r["code"] for r in status["regions"]]
    statuses = {s.value for s in RegionStatus}
    for region in doc["regions"]:
        for h in ("7", "14"):
            for variant in ("median", "upper90"):
                expected = region["expected"][h][variant]
                assert expected["status"] in statuses and expected["explanation"]


def test_the_outlook_uses_the_regional_forecasts(client: TestClient) -> None:
    region = next(r for r in _outlook(client)["regions"] if r["code"] == "NAZO")
    ic, ward = _forecast(client, "ic", region="NAZO"), _forecast(client, "ward", region="NAZO")
    for h in (7, 14):
        expected = region["expected"][str(h)]
        close = {"abs": 0.051}  # both documents round, to 0.1 and to 0.01
        median = ic["occupancy"][h - 1]["median"]
        assert expected["median"]["ic_covid"] == pytest.approx(median, **close)
        median = ward["occupancy"][h - 1]["median"]
        assert expected["median"]["ward_covid"] == pytest.approx(median, **close)
        upper = ic["occupancy"][h - 1]["quantiles"]["0.95"]
        assert expected["upper90"]["ic_covid"] == pytest.approx(upper, **close)
    staffed = ic["staffed"]
    share = region["expected"]["7"]["median"]["indicators"]["ic_covid_share"]
    assert share == pytest.approx(ic["occupancy"][6]["median"] / staffed, abs=1e-4)


def test_the_overview_loads_the_forecast_parts_through_htmx(client: TestClient) -> None:
    page = client.get("/", params={"as_of": AS_OF}).text
    for part in ("warnings", "outlook", "forecast"):
        assert f'hx-get="/fragments/{part}?as_of={AS_OF}"' in page
    assert page.count('hx-trigger="load"') >= 3
    assert 'href="/forecasting' in page


def test_the_forecast_fragment_draws_fan_charts(client: TestClient) -> None:
    html = client.get("/fragments/forecast", params={"as_of": AS_OF}).text
    assert html.count('class="chart line-chart fan-chart"') == 2
    assert html.count('data-band="90 % interval"') == 2
    assert html.count('data-band="50 % interval"') == 2
    assert html.count('data-series="Forecast median"') == 2
    assert f'data-date="{AS_OF}"' in html  # the as-of marker
    assert 'data-value="1350"' in html  # the scale-up plan line on the IC chart
    assert "forecast · method kraan" in html and 'href="/forecasting' in html
    region = client.get("/fragments/forecast", params={"as_of": AS_OF, "region": "AZE"}).text
    assert region.count("fan-chart") == 2 and "AZE" in region


def test_the_warning_lists_exactly_the_regions_the_api_warns_about(client: TestClient) -> None:
    html = client.get("/fragments/warnings", params={"as_of": AS_OF}).text
    listed = set(re.findall(r'data-risk-region="([A-Z]+)"', html))
    possible = set(re.findall(r'data-possible-region="([A-Z]+)"', html))
    expected: set[str] = set()
    upper_only: set[str] = set()
    for code in (r["code"] for r in _outlook(client)["regions"]):
        doc = _forecast(client, "ic", region=code)
        room = next(c for c in doc["capacities"] if c["kind"] == "covid_able")
        if room["above_now"] or room["median_crossing_days"]:
            expected.add(code)
        elif room["upper90_crossing_days"]:
            upper_only.add(code)
    assert (listed, possible) == (expected, upper_only)
    assert "NAZO" in listed  # the demo's December 2020 rise in the east
    assert 'data-value="alert"' in html and "Capacity warning" in html


def test_the_outlook_fragment_equals_the_api(client: TestClient, parse: Parse) -> None:
    html = client.get("/fragments/outlook", params={"as_of": AS_OF}).text
    figures = parse(html).figures
    doc = _outlook(client)
    assert figures["outlook-now"] == doc["current"]["phase"]
    for o in doc["outlook"]:
        assert figures[f"outlook-{o['days']}"] == o["median"]["phase"]
        assert figures[f"outlook-{o['days']}-worse"] == o["upper90"]["phase"]
    week, fortnight = doc["outlook"]
    sentence = (
        f"Expected phase in 7 days: <strong>{week['median']['phase']}</strong> "
        f"(worse case {week['upper90']['phase']}); in 14 days: "
        f"<strong>{fortnight['median']['phase']}</strong>"
    )
    assert sentence in html


@pytest.mark.parametrize(
    "url",
    [
        "/fragments/warnings",
        "/fragments/forecast",
        "/fragments/outlook",
        "/fragments/forecast?region=NOPE",
        "/fragments/warnings?as_of=2020-11-05",
        "/forecasting",
    ],
)
def test_forecast_parts_answer_without_data_too(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert "Traceback" not in response.text


def test_no_data_is_said_not_drawn(client: TestClient) -> None:
    html = client.get("/fragments/forecast", params={"as_of": "2031-01-01"}).text
    assert "No forecast" in html and "fan-chart" not in html
    outlook = client.get("/fragments/outlook", params={"as_of": "2031-01-01"}).text
    assert 'data-testid="outlook-unavailable"' in outlook
