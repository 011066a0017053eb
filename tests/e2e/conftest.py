"""One demo database for the end-to-end tests: built once per session, shared by all.

The demo replays the real LCPS series of 2020-11-01..2020-12-31 over the synthetic
locations, so figures such as 586 COVID IC patients on 2020-12-21 are real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kraan.api.app import create_app
from kraan.domain.access import Role
from kraan.services.demo import load_demo
from kraan.settings import Settings
from kraan.store.access import create_user
from kraan.store.db import make_engine, migrate

DEMO_START = date(2020, 11, 1)
DEMO_END = date(2020, 12, 31)
PASSWORD = "correct horse battery"


@dataclass(frozen=True, slots=True)
class Demo:
    settings: Settings
    engine: Engine
    app: FastAPI
    #: username -> role of the users the tests log in with (all share ``password``)
    users: dict[str, Role]
    password: str = PASSWORD


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("e2e") / "demo.db"
    settings = Settings(database_url=f"sqlite:///{path}")
    if not (settings.raw_data_dir / "geo").is_dir():
        pytest.skip(f"bundled public data not found at {settings.raw_data_dir}")
    engine = make_engine(settings.database_url)
    migrate(engine)
    load_demo(engine, settings, start=DEMO_START, end=DEMO_END)
    users = {
        "coord-aze": (Role.REGIONAL_COORDINATOR, "AZE"),
        "coord-aznn": (Role.REGIONAL_COORDINATOR, "AZNN"),
        "national": (Role.NATIONAL_COORDINATOR, None),
        "viewer": (Role.VIEWER, None),
    }
    with engine.begin() as conn:
        for username, (role, region) in users.items():
            create_user(
                conn,
                username=username,
                role=role,
                now=datetime(2020, 11, 1),
                actor="e2e",
                password=PASSWORD,
                region_code=region,
            )
    yield Demo(
        settings, engine, create_app(settings, engine), {u: r for u, (r, _) in users.items()}
    )
    engine.dispose()


@pytest.fixture
def client(demo: Demo) -> Iterator[TestClient]:
    """A fresh client per test (no cookie leaks between tests); redirects are asserted.
    It asks for English (the pages default to Dutch); tests/e2e/test_i18n.py covers Dutch."""
    with TestClient(
        demo.app, follow_redirects=False, headers={"Accept-Language": "en"}
    ) as test_client:
        yield test_client


class FigureParser(HTMLParser):
    """Collects data-testid -> data-value, and data-field values per data-region row."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.rows: dict[str, dict[str, str]] = {}
        self.scripts: list[str] = []
        self.hidden: dict[str, str] = {}
        self._region: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr":
            self._region = a.get("data-region")
            if self._region:
                self.rows[self._region] = {}
        if "data-testid" in a and "data-value" in a:
            self.figures[a["data-testid"]] = a["data-value"]
        if "data-field" in a and self._region:
            self.rows[self._region][a["data-field"]] = a.get("data-value", "")
        if tag == "script" and "src" in a:
            self.scripts.append(a["src"])
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")


def _parse(html: str) -> FigureParser:
    parser = FigureParser()
    parser.feed(html)
    return parser


@pytest.fixture(scope="session")
def parse() -> Callable[[str], FigureParser]:
    """The page parser as a fixture, so test modules need not import this conftest."""
    return _parse


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parents[2] / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
