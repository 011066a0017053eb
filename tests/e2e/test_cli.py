"""The CLI through main(argv): the status contract on the demo, imports, errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kraan.cli import app
from kraan.services.demo import load_demo
from kraan.settings import get_settings
from kraan.store.db import make_engine, migrate
from tests.conftest import _PG_PROBLEM, PG_URL, drop_pg_schema, pg_engine

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.db'}"
    engine = make_engine(url)
    migrate(engine)
    load_demo(engine, get_settings(), start=date(2020, 12, 1), end=date(2020, 12, 22))
    engine.dispose()
    return url


def status_json(url: str, as_of: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["status", "--db", url, "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_status_on_the_briefing_day_shows_the_lcps_figure(demo_db: str) -> None:
    document = status_json(demo_db, "2020-12-21")
    # LCPS (mzelst_covid19/lcps_by_day.csv) 2020-12-21: IC_Bedden_COVID 586, Kliniek_Bedden 1576
    assert document["national"]["ic"]["covid"] == 586
    assert document["national"]["ward"]["covid"] == 1576
    # The demo's replay gives 2C on the briefing day (phase 2C: all regions under pressure
    # or worse; tests/baselines holds the weekly replay of the second wave).
    assert document["national"]["phase"] == "2C"
    assert len(document["regions"]) == 11
    for region in document["regions"]:
        assert set(region) >= {"code", "name", "status", "ic", "ward", "coverage", "stale"}
        assert set(region["ic"]) >= {"covid", "ontlabeld", "non_covid", "staffed"}
    assert sum(r["ic"]["covid"] for r in document["regions"]) == 586
    earlier = status_json(demo_db, "2020-12-20")
    assert earlier["national"]["ic"]["covid"] == 580  # LCPS 2020-12-20


def test_status_table_and_bad_dates(demo_db: str) -> None:
    table = runner.invoke(app, ["status", "--db", demo_db, "--as-of", "2020-12-21"])
    assert table.exit_code == 0 and "LNAZ phase" in table.stdout
    # the chain outside the hospital, cited next to the phase (table) and in the contract
    assert "Outside the hospital (context): VVT/ELV occupancy" in " ".join(table.stdout.split())
    document = status_json(demo_db, "2020-12-21")
    assert document["national"]["chain"]["gp_post"]["reporters"] > 0
    assert document["national"]["phase_context"][0]["kind"] == "elv_vvt"
    bad = runner.invoke(app, ["status", "--db", demo_db, "--as-of", "21-12-2020"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_csv_import_twice_changes_nothing(demo_db: str, tmp_path: Path) -> None:
    csv = tmp_path / "reports.csv"
    csv.write_text(
        "location_code,reported_at,care_level,staffed_beds,covid_occupied,non_covid_occupied\n"
        "H-AZNN-01,2020-12-22T12:00:00,ic,30,10,12\n"
        "H-AZNN-01,2020-12-22T12:00:00,ward,200,40,100\n"
    )
    first = runner.invoke(app, ["import", str(csv), "--db", demo_db])
    assert first.exit_code == 0, first.output
    assert "created" in first.stdout
    second = runner.invoke(app, ["import", str(csv), "--db", demo_db])
    assert second.exit_code == 0 and "unchanged" in second.stdout and "created" not in second.stdout


def test_csv_import_reports_bad_rows(demo_db: str, tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "location_code,reported_at,care_level,staffed_beds,covid_occupied\n"
        "NOWHERE,2020-12-22T12:00:00,ic,30,10\n"
    )
    result = runner.invoke(app, ["import", str(csv), "--db", demo_db])
    assert result.exit_code == 1
    assert "unknown location" in result.stdout


def test_lcps_import_of_a_broken_file_names_file_and_line(demo_db: str, tmp_path: Path) -> None:
    feed = tmp_path / "covid-19-datafeed.csv"
    feed.write_text(
        '"date","IC_Bedden_COVID","IC_Bedden_Non_COVID","Kliniek_Bedden",'
        '"IC_Nieuwe_Opnames_COVID","Kliniek_Nieuwe_Opnames_COVID"\n'
        "2020-12-21,586,429,1576,37,205\n"
        "2020-12-22,lots,469,1703,33,359\n"
    )
    result = runner.invoke(app, ["import", str(feed), "--db", demo_db])
    assert result.exit_code == 1
    assert "covid-19-datafeed.csv" in result.output and "3" in result.output


@pytest.mark.skipif(bool(_PG_PROBLEM), reason=_PG_PROBLEM or "")
def test_status_works_against_postgresql() -> None:
    engine, schema = pg_engine()
    try:
        migrate(engine)
        load_demo(engine, get_settings(), start=date(2020, 12, 14), end=date(2020, 12, 21))
        url = engine.url.render_as_string(hide_password=False)
        assert PG_URL.split("?")[0] in url
        document = status_json(url, "2020-12-21")
        assert document["national"]["ic"]["covid"] == 586
    finally:
        engine.dispose()
        drop_pg_schema(schema)
