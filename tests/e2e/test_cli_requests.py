"""``kraan requests list`` through main(argv): replay at a date, json and table."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from kraan.cli import main
from kraan.domain.requests.ladder import Step
from kraan.store import help_requests as store
from kraan.store.db import make_engine, migrate
from tests.conftest import T0, seed_reference

DATA = {"location_code": "H1", "region_code": "R1", "safety_region_code": "VR01",
        "workers": {"ward_nurse": 3}, "period_start": date(2020, 12, 22),
        "period_end": date(2020, 12, 31), "shifts": "day", "reason": "absence 20 % on ward 4",
        "measures": "beds closed, planned care stopped"}  # fmt: skip


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed_reference(engine)
    with engine.begin() as conn:
        rid, _ = store.create_request(conn, data=dict(DATA), actor="rep", now=T0)
        store.take_step(conn, request_id=rid, step=Step.ANSWER, actor="coord",
                        now=T0 + timedelta(days=1), stale_after=timedelta(hours=72),
                        data={"answer": "cannot_fill", "asked": ["roaz"]})  # fmt: skip
    engine.dispose()
    return url


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as done:
        main(["requests", "list", *args])
    assert done.value.code in (0, None)
    return capsys.readouterr().out


def test_requests_list_replays_the_ladder_as_of(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    day0 = json.loads(_run(capsys, "--db", url, "--as-of", "2020-12-21", "--format", "json"))
    assert day0["requests"][0]["state"] == "asked" and "reason" not in day0["requests"][0]
    assert day0["summary"]["people_wanted_by_rung"]["1"]["ward_nurse"] == 3
    later = json.loads(_run(capsys, "--db", url, "--as-of", "2020-12-26", "--format", "json",
                            "--detail"))  # fmt: skip
    assert later["requests"][0]["state"] == "answered" and later["summary"]["stale"] == 1
    assert later["requests"][0]["reason"] == DATA["reason"]
    before = json.loads(_run(capsys, "--db", url, "--as-of", "2020-12-20", "--format", "json"))
    assert before["requests"] == []
    table = _run(capsys, "--db", url, "--as-of", "2020-12-26")
    assert "1 open" in table and "3 ward_nurse" in table
