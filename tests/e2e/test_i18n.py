"""Dutch by default, English on request; internal codes never shown; times with a zone."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from kraan.web.i18n import COOKIE

AS_OF = "2020-12-21"
PAGES = ["/", "/regions/AZE", "/spreading", "/glossary", "/forecasting", "/login"]
CODES = re.compile(
    r"no_critical|no_acute|under_pressure|not_available|in_transport|elv_vvt|"
    r"regional_coordinator|national_coordinator|scale_up_plan|covid_able"
)
#: a clock time shown on a page: HH:MM must be followed by its zone
CLOCK = re.compile(r"\b\d{2}:\d{2}\b(?!\s*(CET|CEST))")


class _Text(HTMLParser):
    """The visible text (no script/style, no attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title", "svg"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title", "svg"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_dutch_is_the_default(client: TestClient) -> None:
    page = client.get("/", params={"as_of": AS_OF}, headers={"Accept-Language": "nl-NL"})
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    text = visible(page.text)
    assert "Landelijk beeld" in text and "LNAZ-fase" in text
    assert "21-12-2020" in text and "CET" in text
    # nl-NL numbers: 586 COVID IC patients, ward 1.576
    assert 'data-value="586"' in page.text
    assert ">1.576<" in page.text


def test_english_by_switch_and_cookie(client: TestClient) -> None:
    switched = client.get("/language", params={"lang": "en", "next": "/glossary"})
    assert switched.status_code == 303 and switched.headers["location"] == "/glossary"
    assert f"{COOKIE}=en" in switched.headers["set-cookie"]
    client.cookies.set(COOKIE, "en")
    page = client.get("/", params={"as_of": AS_OF}, headers={"Accept-Language": "nl"})
    assert "National picture" in page.text and '<html lang="en">' in page.text
    assert client.get("/language", params={"next": "//evil.example"}).headers["location"] == "/"


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_internal_codes_and_every_time_has_a_zone(
    client: TestClient, path: str, lang: str
) -> None:
    page = client.get(path, params={"as_of": AS_OF, "lang": lang})
    assert page.status_code == 200, path
    text = visible(page.text)
    assert not CODES.search(text), CODES.search(text)
    assert not CLOCK.search(text), text[max(0, CLOCK.search(text).start() - 80):][:160]  # type: ignore[union-attr]
    assert " UTC" not in text


def test_favicon_and_offline_api_docs(client: TestClient) -> None:
    assert client.get("/favicon.ico").status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert "Apache License" in client.get("/static/swagger/LICENSE").text


def test_redoc_is_served_offline_with_its_licence(client: TestClient) -> None:
    page = client.get("/redoc")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "googleapis" not in page.text
    assert '<script src="/static/redoc/redoc.standalone.js">' in page.text
    bundle = client.get("/static/redoc/redoc.standalone.js")
    assert bundle.status_code == 200 and "Redoc" in bundle.text[:2000]
    assert "MIT License" in client.get("/static/redoc/LICENSE").text


GLOSSARY_TERMS = ("ELV", "VVT", "GRZ", "ROAZ", "LNAZ", "LCPS", "ontlabeld", "ZBC", "HFNO",
                  "PACU", "MSOB", "LOT-C", "CCV", "DPG", "GGD-GHOR/LOCC", "ActiZ", "Bureau LCH",
                  "SpO2", "zorgkantoor", "waakvlam", "zorghotel", "thuismonitoring",
                  "vroegsignalering", "Nationale Zorgreserve")  # fmt: skip


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_glossary_page_and_docs_explain_every_term(client: TestClient, lang: str) -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "glossary.md").read_text("utf-8")
    page = visible(client.get("/glossary", params={"lang": lang}).text).lower()
    missing_page = [t for t in GLOSSARY_TERMS if t.lower() not in page]
    missing_docs = [t for t in GLOSSARY_TERMS if t.lower() not in docs.lower()]
    assert missing_page == [] and missing_docs == []
