"""``kraan spread`` / ``kraan spread-eval`` through CliRunner on the spreading Typer app."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kraan.cli.spread import app
from kraan.services.demo import load_demo
from kraan.settings import get_settings
from kraan.store.db import make_engine, migrate

runner = CliRunner()

SNAPSHOT = {
    "areas": [
        {"code": "AZNN", "capacity": 134, "covid_occupied": 60, "non_covid_occupied": 46,
         "forecast": [62, 65, 68, 70, 72, 75], "lat": 53.2, "lon": 6.5},
        {"code": "NAZB", "capacity": 199, "covid_occupied": 120, "non_covid_occupied": 70,
         "lat": 51.6, "lon": 5.2},
        {"code": "NAZW", "capacity": 151, "covid_occupied": 40, "non_covid_occupied": 52,
         "lat": 52.1, "lon": 4.4},
        {"code": "DE-ABROAD", "capacity": 20, "covid_occupied": 0, "lat": 51.2, "lon": 6.8,
         "is_last_resort": True},
    ],
    "settings": {"horizon_days": 5},
}  # fmt: skip


def write(tmp_path: Path, document: object) -> str:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_spread_json_contract(tmp_path: Path) -> None:
    result = runner.invoke(app, ["spread", "--input", write(tmp_path, SNAPSHOT)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) >= {"plan", "before", "after", "solve_seconds"}
    for key in ("max_load", "min_load", "overflow"):
        assert key in document["before"] and key in document["after"]
    assert document["plan"], "an uneven snapshot gets transfers"
    for row in document["plan"]:
        assert set(row) >= {"day", "from", "to", "patients"}
        assert row["patients"] > 0 and 0 <= row["day"] < 5
    spread_before = document["before"]["max_load"] - document["before"]["min_load"]
    spread_after = document["after"]["max_load"] - document["after"]["min_load"]
    assert spread_after < spread_before
    assert {a["code"] for a in document["areas"]} == {"AZNN", "NAZB", "NAZW"}


def test_spread_prints_no_highs_banner(tmp_path: Path) -> None:
    """HiGHS writes its banner to file descriptor 1 from C++, past CliRunner: a real process."""
    path = write(tmp_path, SNAPSHOT)
    for method in ("auto", "mip"):
        done = subprocess.run(
            [sys.executable, "-m", "kraan.cli", "spread", "--input", path, "--method", method],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "HiGHS" not in done.stdout and "HiGHS" not in done.stderr
        assert json.loads(done.stdout)["plan"]


def test_spread_table_and_lp_round(tmp_path: Path) -> None:
    path = write(tmp_path, SNAPSHOT)
    table = runner.invoke(app, ["spread", "--input", path, "--format", "table"])
    assert table.exit_code == 0 and "Transfer plan" in table.stdout
    fast = runner.invoke(app, ["spread", "--input", path, "--method", "lp_round"])
    assert fast.exit_code == 0 and json.loads(fast.stdout)["method"] == "lp_round"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["areas"][1].pop("capacity"), "areas[1].capacity"),
        (lambda d: d["areas"][0].update(covid_occupied=-3), "areas[0].covid_occupied"),
        (lambda d: d["areas"][2].update(lat="north"), "areas[2].lat"),
        (lambda d: d["areas"][0].update(forecast=[1, "x"]), "areas[0].forecast[1]"),
        (lambda d: d["areas"][0].update(colour="red"), "areas[0].colour"),
        (lambda d: d["settings"].update(stable_share=3), "settings.stable_share"),
        (lambda d: d["settings"].update(horizon="7"), "settings.horizon"),
        (lambda d: d.update(areas=[]), "areas"),
    ],
)
def test_bad_snapshots_name_the_field(tmp_path: Path, change, field: str) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(json.dumps(SNAPSHOT))
    change(document)
    result = runner.invoke(app, ["spread", "--input", write(tmp_path, document)])
    assert result.exit_code == 1
    assert field in result.output


def test_usage_errors(tmp_path: Path) -> None:
    assert runner.invoke(app, ["spread"]).exit_code == 2
    missing = runner.invoke(app, ["spread", "--input", str(tmp_path / "none.json")])
    assert missing.exit_code == 2
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert runner.invoke(app, ["spread", "--input", str(tmp_path / "broken.json")]).exit_code == 1


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('spread') / 'demo.db'}"
    engine = make_engine(url)
    migrate(engine)
    load_demo(engine, get_settings(), start=date(2020, 12, 14), end=date(2020, 12, 21))
    engine.dispose()
    return url


def test_spread_as_of_exports_and_solves_the_live_store(demo_db: str) -> None:
    exported = runner.invoke(
        app, ["spread", "--as-of", "2020-12-21", "--db", demo_db, "--export-only"]
    )
    assert exported.exit_code == 0, exported.output
    snapshot = json.loads(exported.stdout)
    regions = [a for a in snapshot["areas"] if not a.get("is_last_resort")]
    assert len(regions) == 11
    # LCPS 2020-12-21: 586 COVID patients on IC (mzelst_covid19/lcps_by_day.csv)
    assert sum(a["covid_occupied"] for a in regions) == 586
    assert any(a["code"] == "DE-ABROAD" for a in snapshot["areas"])
    solved = runner.invoke(
        app, ["spread", "--as-of", "2020-12-21", "--db", demo_db, "--method", "lp_round"]
    )
    assert solved.exit_code == 0, solved.output
    assert "plan" in json.loads(solved.stdout)


def test_spread_eval_on_a_store(demo_db: str) -> None:
    result = runner.invoke(
        app,
        ["spread-eval", "--db", demo_db, "--start", "2020-12-14", "--end", "2020-12-21",
         "--policies", "abc", "--method", "lp_round", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["policy"][0] for r in rows] == ["a", "b", "c"]
    assert rows[0]["transfers"] == 0
    assert rows[1]["max_load_deviation"] <= rows[0]["max_load_deviation"]


def test_spread_as_of_plans_against_kraans_forecast(demo) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: the live plan looks ahead by Kraan's own forecast, not flat occupancy."""
    url = demo.settings.database_url
    exported = runner.invoke(app, ["spread", "--as-of", "2020-12-21", "--db", url, "--export-only"])
    assert exported.exit_code == 0, exported.output
    snapshot = json.loads(exported.stdout)
    assert snapshot["forecast"]["quantile"] == 0.5
    regions = [a for a in snapshot["areas"] if not a.get("is_last_resort")]
    with_forecast = [a for a in regions if a.get("forecast")]
    assert len(with_forecast) == len(regions) == 11, snapshot["forecast"]["held_flat"]
    assert all(len(a["forecast"]) >= 6 for a in with_forecast)  # the 7-day horizon
    assert any(a["forecast"][5] != a["covid_occupied"] for a in with_forecast)  # not flat
    solved = runner.invoke(app, ["spread", "--as-of", "2020-12-21", "--db", url])
    assert solved.exit_code == 0, solved.output
    document = json.loads(solved.stdout)
    # held flat, every deviation would stay what it is today; the forecast moves them
    assert any(len(set(row["deviation_forecast"])) > 1 for row in document["areas"])
    national_end = sum(a["forecast"][5] for a in regions)
    assert national_end != pytest.approx(sum(a["covid_occupied"] for a in regions), abs=0.5)


def test_spread_eval_the_optimiser_is_at_least_as_good_as_greedy(demo_db: str) -> None:
    """Issue 13: on the demo replay the default optimiser's worst region-day and overflow
    are no worse than the greedy rule's (a short period keeps the test fast)."""
    result = runner.invoke(
        app,
        ["spread-eval", "--db", demo_db, "--start", "2020-12-14", "--end", "2020-12-21",
         "--policies", "bcd", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    greedy, flat, ahead = json.loads(result.stdout)
    for optimiser in (flat, ahead):
        assert optimiser["max_load_deviation"] <= greedy["max_load_deviation"] + 1e-9
        assert optimiser["overflow_bed_days"] <= greedy["overflow_bed_days"] + 1e-9
