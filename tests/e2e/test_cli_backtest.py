"""``kraan backtest`` / ``kraan forecast`` through Typer's CliRunner on both LCPS files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kraan.cli.forecast import forecast_app
from kraan.ingest.lcps import NEW_FEED, OLD_FEED
from kraan.services.forecast_output import HUB_COLUMNS
from kraan.settings import get_settings

RAW = get_settings().raw_data_dir
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")
runner = CliRunner()
METRICS = {"mae", "mape", "wis", "cov50", "cov90", "n"}

# Short periods keep the suite fast; the full period is bench/bench_backtest.py.
CASES = {
    "old": (OLD_FEED, "2020-12-01", "2021-01-20"),
    "new": (NEW_FEED, "2021-10-15", "2021-12-15"),
}


def invoke(*args: str) -> object:
    return runner.invoke(forecast_app, list(args))


@pytest.mark.parametrize("feed", sorted(CASES))
@pytest.mark.parametrize("target", ["ic", "ward"])
def test_backtest_json_contract_on_both_feeds(feed: str, target: str) -> None:
    path, start, end = CASES[feed]
    result = invoke(
        "backtest", "--input", str(RAW / path), "--target", target,
        "--start", start, "--end", end, "--horizons", "1,3,7,14", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    document = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert document["target"] == target
    assert set(document["methods"]) == {"kraan", "persistence", "linear_trend", "chime_sir"}
    for per_h in document["methods"].values():
        assert set(per_h) == {"1", "3", "7", "14"}
        for scores in per_h.values():
            assert set(scores) == METRICS
            assert scores["n"] > 0
            assert 0.0 <= scores["cov90"] <= 1.0
    assert document["methods"]["kraan"]["1"]["n"] == document["methods"]["persistence"]["1"]["n"]


def test_backtest_csv_table_plot_and_hub(tmp_path: Path) -> None:
    path, start, end = CASES["new"]
    common = ["--input", str(RAW / path), "--target", "ward", "--start", start, "--end", end]
    plot, hub = tmp_path / "bt.png", tmp_path / "hub.csv"
    result = invoke(
        "backtest", *common, "--format", "csv", "--horizons", "7", "--plot", str(plot),
        "--hub", str(hub),
    )  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # type: ignore[attr-defined]
    assert {r["method"] for r in rows} == {"kraan", "persistence", "linear_trend", "chime_sir"}
    assert {r["horizon"] for r in rows} == {"7"}
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with hub.open(encoding="utf-8") as handle:
        hub_rows = list(csv.DictReader(handle))
    assert tuple(hub_rows[0]) == HUB_COLUMNS
    assert hub_rows[0]["target"] == "1 day ahead occ hosp"
    assert {r["type"] for r in hub_rows} == {"point", "quantile"}
    table = invoke("backtest", *common, "--format", "table", "--horizons", "1,7")
    assert table.exit_code == 0 and "kraan" in table.stdout  # type: ignore[attr-defined]


def test_forecast_json_with_capacity_and_hub() -> None:
    args = ["forecast", "--input", str(RAW / OLD_FEED), "--target", "ic", "--as-of", "2020-12-21"]
    result = invoke(*args, "--capacity", "1350", "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    document = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert document["as_of"] == "2020-12-21"
    assert [row["horizon"] for row in document["occupancy"]] == list(range(1, 15))
    assert document["occupancy"][0]["date"] == "2020-12-22"
    assert len(document["capacity"]["exceed_probability"]) == 14
    assert document["admissions"] is not None
    hub = invoke(*args, "--format", "hub")
    assert hub.exit_code == 0  # type: ignore[attr-defined]
    targets = {r["target"] for r in csv.DictReader(io.StringIO(hub.stdout))}  # type: ignore[attr-defined]
    assert {"1 day ahead occ icu", "14 day ahead inc icu"} <= targets


@pytest.mark.parametrize("feed", sorted(CASES))
@pytest.mark.parametrize("command", ["backtest", "forecast"])
def test_a_bad_file_names_the_file_and_the_line(tmp_path: Path, feed: str, command: str) -> None:
    lines = (RAW / CASES[feed][0]).read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[3] = "lots"  # a count column of either feed
    lines[3] = ",".join(cells)
    bad = tmp_path / "broken.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke(command, "--input", str(bad), "--target", "ic", "--format", "json")
    assert result.exit_code == 1
    assert "broken.csv" in result.output  # type: ignore[attr-defined]
    assert "line 4" in result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args",
    [
        ["backtest", "--target", "icu", "--input", str(RAW / OLD_FEED)],
        ["backtest", "--horizons", "0,30", "--input", str(RAW / OLD_FEED)],
        ["backtest", "--start", "2021-13-01", "--input", str(RAW / OLD_FEED)],
        ["backtest", "--format", "xml", "--input", str(RAW / OLD_FEED)],
        ["backtest", "--target", "ic"],
        ["backtest", "--input", str(RAW / "missing.csv")],
        ["forecast", "--input", str(RAW / OLD_FEED), "--as-of", "2030-01-01"],
    ],
)
def test_bad_arguments_exit_2(args: list[str]) -> None:
    assert invoke(*args).exit_code == 2  # type: ignore[attr-defined]
