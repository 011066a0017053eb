"""Golden baselines: backtest scores and the demo's phase replay stay what they were.

A change of method, default or criterion that moves these figures fails here with the
list of differences; if the change is intended, refresh the file with
``.venv/bin/python tests/update_baselines.py`` and commit it with the change.
"""

from __future__ import annotations

import json

import pytest

from kraan.settings import get_settings
from tests.baselines.compute import (
    BASELINE_FILE,
    REFRESH,
    backtest_scores,
    differences,
    phase_replay,
)

pytestmark = pytest.mark.skipif(
    not (get_settings().raw_data_dir / "geo").is_dir(), reason="bundled public data not found"
)


@pytest.fixture(scope="module")
def expected() -> dict:  # type: ignore[type-arg]
    assert BASELINE_FILE.is_file(), f"{BASELINE_FILE} is missing; {REFRESH}"
    return json.loads(BASELINE_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def phases() -> dict:  # type: ignore[type-arg]
    return phase_replay()


def test_backtest_scores_match_the_baseline(expected: dict) -> None:  # type: ignore[type-arg]
    found = differences(expected["backtest"], backtest_scores(), "backtest")
    assert not found, "backtest scores moved:\n" + "\n".join(found) + f"\n{REFRESH}"


def test_phase_replay_matches_the_baseline(expected: dict, phases: dict) -> None:  # type: ignore[type-arg]
    found = differences(expected["phases"], phases, "phases")
    assert not found, "the phase replay changed:\n" + "\n".join(found) + f"\n{REFRESH}"


def test_the_calibration_day_gives_2b(phases: dict) -> None:  # type: ignore[type-arg]
    """phase_criteria.json: 'chosen so that the replay of 1 Oct 2020 gives 2B'."""
    assert phases["2020-10-01"]["national"] == "2B"
