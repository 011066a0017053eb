"""``kraan simulate``: the JSON contract on both LCPS formats, scenario files, bad input."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kraan.cli import app

runner = CliRunner()
FIRST = date(2021, 2, 1)
DAYS = 40


def _series() -> dict[str, np.ndarray]:
    t = np.arange(DAYS)
    ic_adm = np.round(30 + 8 * np.sin(t / 6)).astype(int)
    ward_adm = np.round(200 + 40 * np.sin(t / 6)).astype(int)
    return {"ic_adm": ic_adm, "ward_adm": ward_adm,
            "ic": np.round(520 + 20 * np.sin(t / 9)).astype(int),
            "ward": np.round(1500 + 90 * np.sin(t / 9)).astype(int)}


def write_new_feed(path: Path, skip: int = 20) -> Path:
    """New LCPS feed: dd-mm-yyyy, newest first; the row of day ``skip`` is missing."""
    s = _series()
    header = ("datum,IC_capaciteit_totaal,kliniek_capaciteit_totaal,IC_bezetting_covid,"
              "IC_bezetting_covid_internationaal,IC_bezetting_ontlabeld,IC_bezetting_noncovid,"
              "kliniek_bezetting_covid,kliniek_bezetting_ontlabeld,kliniek_bezetting_noncovid,"
              "IC_opnames_covid,kliniek_opnames_covid")
    rows = []
    for i in reversed(range(DAYS)):
        if i == skip:
            continue
        day = (FIRST + timedelta(i)).strftime("%d-%m-%Y")
        rows.append(f"{day},1300,15000,{s['ic'][i]},0,0,500,{s['ward'][i]},0,12000,"
                    f"{s['ic_adm'][i]},{s['ward_adm'][i]}")
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def write_old_feed(path: Path, na_days: int = 10) -> Path:
    """Old feed as re-shaped by mzelst: ISO dates, NA admissions on the first days."""
    s = _series()
    header = ('"date","IC_Bedden_COVID","IC_Bedden_Non_COVID","Kliniek_Bedden",'
              '"IC_Nieuwe_Opnames_COVID","Kliniek_Nieuwe_Opnames_COVID"')
    rows = []
    for i in reversed(range(DAYS)):
        ic_adm = "NA" if i < na_days else str(s["ic_adm"][i])
        ward_adm = "NA" if i < na_days else str(s["ward_adm"][i])
        rows.append(f"{(FIRST + timedelta(i)).isoformat()},{s['ic'][i]},500,{s['ward'][i]},"
                    f"{ic_adm},{ward_adm}")
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def simulate_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["simulate", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("writer", [write_new_feed, write_old_feed])
def test_replay_contract_on_both_lcps_formats(writer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = writer(tmp_path / "lcps.csv")
    doc = simulate_json("--input", str(path), "--start", "2021-02-03", "--end", "2021-03-01",
                        "--members", "12", "--seed", "3", "--modules", "1,ELV")
    assert set(doc) == {"days", "ic", "ward", "summary"}
    assert doc["days"][0] == "2021-02-03" and doc["days"][-1] == "2021-03-01"
    n = len(doc["days"])
    for level in ("ic", "ward"):
        assert set(doc[level]) == {"q05", "q50", "q95"}
        assert all(len(doc[level][q]) == n for q in ("q05", "q50", "q95"))
        assert all(a <= b <= c for a, b, c in zip(*(doc[level][q] for q in ("q05", "q50", "q95")),
                                                  strict=True))
    summary = doc["summary"]
    assert set(summary) == {"peak_ic", "peak_ward", "ic_days_over_capacity",
                            "blocked_bed_days", "postponed"}
    assert set(summary["postponed"]) == {"U3", "U4", "U5"}
    # the replay starts from the occupancy in the file on --start
    s = _series()
    assert doc["ic"]["q50"][0] == s["ic"][2]
    assert doc["ward"]["q50"][0] == s["ward"][2]
    # and stays near it: admissions and census in the file are in balance
    assert abs(np.mean(doc["ic"]["q50"]) / np.mean(s["ic"]) - 1) < 0.35


def test_replay_over_a_missing_day_and_missing_admissions(tmp_path: Path) -> None:
    doc = simulate_json("--input", str(write_old_feed(tmp_path / "old.csv", na_days=15)),
                        "--start", "2021-02-01", "--end", "2021-02-25", "--members", "8")
    assert len(doc["days"]) == 25
    doc = simulate_json("--input", str(write_new_feed(tmp_path / "new.csv", skip=5)),
                        "--start", "2021-02-06", "--end", "2021-02-20", "--members", "8")
    assert doc["days"][0] == "2021-02-06"


def test_same_seed_same_document(tmp_path: Path) -> None:
    path = str(write_new_feed(tmp_path / "lcps.csv"))
    args = ("--input", path, "--start", "2021-02-02", "--end", "2021-02-20", "--members", "10")
    assert simulate_json(*args, "--seed", "9") == simulate_json(*args, "--seed", "9")


def test_scenario_file(tmp_path: Path) -> None:
    scenario = {"name": "quadrant", "quadrant": "slow_severe", "start": "2021-10-01",
                "days": 40, "members": 6, "seed": 2,
                "modules": ["1", {"key": "ELV", "phase": "1A"}, {"key": "5",
                                                               "start": "2021-10-10"}],
                "capacities": {"elv_beds": 300}}
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    doc = simulate_json("--scenario", str(path))
    assert len(doc["days"]) == 40
    assert doc == simulate_json("--scenario", str(path))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "nope.csv", "--start", "2021-02-01", "--end", "2021-02-03"], "nope.csv"),
        (["--start", "2021-02-01"], "--input"),
        (["--modules", "9Z"], "unknown module"),
        (["--start", "2020-01-01"], "not inside"),
    ],
)
def test_bad_input_says_what_to_fix(args: list[str], message: str, tmp_path: Path) -> None:
    path = str(write_new_feed(tmp_path / "lcps.csv"))
    full = list(args)
    if "--input" not in full and message != "--input":
        full = ["--input", path, "--end", "2021-02-10", *full]
        if "--start" not in full:
            full += ["--start", "2021-02-02"]
    result = runner.invoke(app, ["simulate", *full, "--format", "json"])
    assert result.exit_code == 2
    assert message in result.output


def test_sweep_on_a_local_dask_cluster_stores_parquet(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    sweep = {"base": {"days": 30, "members": 6, "seed": 4},
             "quadrants": ["contagious_mild"], "combinations": [[], ["ELV"], "1+FS"]}
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(sweep), encoding="utf-8")
    out = tmp_path / "results"
    result = runner.invoke(app, ["simulate", "--sweep", str(path), "--format", "json",
                                 "--threads", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert [r["modules"] for r in table["rows"]] == ["none", "ELV", "1+FS"]
    assert table["rows"][0]["d_peak_ic"] == 0.0
    files = list(out.glob("*.parquet"))
    assert len(files) == 1
    stored = pq.read_table(files[0])
    assert stored.num_rows == 3 * 6
    meta = stored.schema.metadata
    assert json.loads(meta[b"kraan.sweep"])["base"]["seed"] == 4
    assert meta[b"kraan.code_version"].decode() == table["code_version"]
