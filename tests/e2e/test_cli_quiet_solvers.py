"""Every command that solves with HiGHS prints its result and nothing else: stdout of a
real process (the banner would come from C++, which CliRunner cannot see) parses as
JSON, and neither stdout nor stderr carries the HiGHS banner (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Demo
from tests.e2e.test_cli_spread import SNAPSHOT

KRAAN = Path(sys.executable).with_name("kraan")


def _run(*args: str) -> object:
    done = subprocess.run(
        [str(KRAAN), *args], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    for stream in (done.stdout, done.stderr):  # the banner: "Running HiGHS 1.x ... licence"
        assert "Running HiGHS" not in stream and "THIRD_PARTY_NOTICES" not in stream
    return json.loads(done.stdout)  # nothing but the JSON document on stdout


def test_vaccination_schedule_prints_json_only() -> None:
    out = _run("vaccination", "schedule", "--real-2021", "--format", "json")
    assert isinstance(out, dict) and out


def test_spread_prints_json_only(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(SNAPSHOT), encoding="utf-8")
    out = _run("spread", "--input", str(path), "--format", "json")
    assert isinstance(out, dict) and "plan" in out


@pytest.mark.parametrize("policies", ["cd"])
def test_spread_eval_prints_json_only(demo: Demo, policies: str) -> None:
    out = _run("spread-eval", "--db", demo.settings.database_url, "--start", "2020-12-01",
               "--end", "2020-12-07", "--policies", policies, "--format", "json")  # fmt: skip
    assert isinstance(out, list) and len(out) == len(policies)
