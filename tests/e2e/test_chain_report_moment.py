"""The chain-report form's moment is Amsterdam time, as every time on the pages; it is
stored in UTC (it used to be read as UTC, an hour off in winter)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from kraan.store.reference import load_locations
from kraan.store.requests_tables import chain_reports


def test_the_form_moment_is_amsterdam_time(client: TestClient, demo: Any) -> None:
    response = client.post("/login", data={"username": "national", "password": demo.password,
                                           "next": "/signals"})  # fmt: skip
    assert response.status_code == 303
    page = client.get("/signals")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf and "Europe/Amsterdam" in page.text
    with demo.engine.connect() as conn:
        code = next(loc.code for _, loc in load_locations(conn) if loc.kind.value == "vvt")
    day = (datetime.now() - timedelta(days=1)).date()  # a winter or summer day: both hold
    local = f"{day.isoformat()}T10:00"
    done = client.post("/chain/report", data={
        "csrf": csrf.group(1), "reporter_code": code, "kind": "grz", "reported_at": local,
        "beds": "40", "occupied": "30", "covid": "3"})  # fmt: skip
    assert done.status_code == 303, done.text
    with demo.engine.connect() as conn:
        stored = conn.execute(
            select(chain_reports.c.reported_at).where(chain_reports.c.reporter_code == code)
            .order_by(chain_reports.c.id.desc()).limit(1)
        ).scalar_one()  # fmt: skip
    from zoneinfo import ZoneInfo

    offset = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/Amsterdam")).utcoffset()
    assert offset is not None
    assert stored == datetime.fromisoformat(local) - offset
