"""The figures kept as golden baselines (covasim style), computed from the bundled data.

- ``backtest``: rolling-origin scores (MAE, MAPE, WIS, coverage) of every method, IC and
  ward, origins in the second wave (2020-10-01..2020-12-31), horizons 1, 7 and 14: about
  two seconds;
- ``phases``: the demo replay's national LNAZ phase and each region's status, weekly
  from 2020-09-24 to 2021-01-28. ``data/phase_criteria.json`` says it is calibrated so
  that 2020-10-01 gives 2B (the phase announced that day).

``tests/baselines/test_baselines.py`` compares these with ``baselines.json``;
``tests/update_baselines.py`` recomputes the file and shows the differences.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

BASELINE_FILE = Path(__file__).resolve().parent / "baselines.json"
REFRESH = "refresh with: .venv/bin/python tests/update_baselines.py (it shows the diff)"

BACKTEST_START, BACKTEST_END = date(2020, 10, 1), date(2020, 12, 31)
HORIZONS = (1, 7, 14)
PHASE_LOAD_START = date(2020, 9, 10)  # two weeks of history before the first day
PHASE_DAYS = tuple(date(2020, 9, 24) + timedelta(days=7 * n) for n in range(19))

#: Relative and absolute tolerance of the scores (a seeded Monte Carlo; the slack is for
#: floating-point differences between machines, not for changed methods).
REL_TOL, ABS_TOL = 1e-4, 1e-3


def backtest_scores() -> dict[str, Any]:
    from kraan.services.forecasting import backtest, backtest_document, load_national
    from kraan.settings import get_settings

    national = load_national(None, raw_dir=get_settings().raw_data_dir)
    out: dict[str, Any] = {
        "origins": f"{BACKTEST_START}..{BACKTEST_END}",
        "horizons": list(HORIZONS),
    }
    for target in ("ic", "ward"):
        report = backtest(
            national, target=target, start=BACKTEST_START, end=BACKTEST_END, horizons=HORIZONS
        )
        out[target] = backtest_document(report)["methods"]
    return out


def phase_replay() -> dict[str, Any]:
    from kraan.domain.moments import parse_moment
    from kraan.services.contract import status_document
    from kraan.services.demo import load_demo
    from kraan.services.overview import build_overview
    from kraan.settings import get_settings
    from kraan.store.db import make_engine, migrate

    settings = get_settings()
    days: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'replay.db'}")
        try:
            migrate(engine)
            load_demo(engine, settings, start=PHASE_LOAD_START, end=PHASE_DAYS[-1])
            with engine.connect() as conn:
                for day in PHASE_DAYS:
                    overview = build_overview(
                        conn, as_of=parse_moment(day.isoformat()), settings=settings
                    )
                    document = status_document(overview)
                    days[day.isoformat()] = {
                        "national": document["national"]["phase"],
                        "regions": {r["code"]: r["status"] for r in document["regions"]},
                    }
        finally:
            engine.dispose()
    return days


def compute_all() -> dict[str, Any]:
    return {"backtest": backtest_scores(), "phases": phase_replay()}


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Every leaf that differs beyond the tolerances, as 'path: expected -> actual'."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                found.append(f"{where}: {expected[key]!r} -> (missing)")
            elif key not in expected:
                found.append(f"{where}: (new) -> {actual[key]!r}")
            else:
                found += differences(expected[key], actual[key], where)
        return found
    numbers = (int, float)
    if (
        isinstance(expected, numbers)
        and isinstance(actual, numbers)
        and not isinstance(expected, bool)
        and not isinstance(actual, bool)
    ):
        if abs(expected - actual) <= max(ABS_TOL, REL_TOL * abs(expected)):
            return []
    elif expected == actual:
        return []
    return [f"{path}: {expected!r} -> {actual!r}"]
