"""The evaluation replay (docs/spreading.md, part 5): a real period of the store under
no coordination, greedy spreading and the optimiser."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from kraan.domain.model import CareLevel, LocationKind
from kraan.domain.spreading.greedy import greedy_plan
from kraan.domain.spreading.model import Area, Plan, SpreadSettings
from kraan.domain.spreading.replay import RegionSeries, ReplayResult, run_policies
from kraan.domain.spreading.solve import solve_plan
from kraan.services.spreading import LAST_RESORT_BEDS
from kraan.settings import Settings

#: Demo replay period of the issue: the second wave, Oct 2020 - Jan 2021.
REPLAY_START, REPLAY_END = date(2020, 10, 1), date(2021, 1, 31)



def region_series(conn: Connection, *, start: date, end: date) -> RegionSeries:
    """IC arrays [region, day] from the store, with each region's centroid and population."""
    from kraan.store.reference import load_locations, load_regions
    from kraan.store.series import daily_totals

    if start > end:
        raise ValueError(f"the range is reversed: {start} lies after {end}")
    totals = daily_totals(conn, start=start, end=end)
    if not totals.reporting.any():
        raise ValueError(f"no reports between {start} and {end}: nothing to replay")
    ic = CareLevel.IC
    located = [loc for _, loc in load_locations(conn)]
    population = {r.code: r.population for r in load_regions(conn)}
    lat, lon = [], []
    for code in totals.region_codes:
        hospitals = [
            h for h in located if h.region_code == code and h.kind is LocationKind.HOSPITAL
        ]
        weights = [max(h.planned_beds.get(ic, 0), 1) for h in hospitals] or [1]
        lat.append(float(np.average([h.lat for h in hospitals] or [0.0], weights=weights)))
        lon.append(float(np.average([h.lon for h in hospitals] or [0.0], weights=weights)))
    return RegionSeries(
        codes=tuple(totals.region_codes),
        lat=np.array(lat),
        lon=np.array(lon),
        population=np.array([population.get(c, 0) for c in totals.region_codes], float),
        covid=(totals.get(ic, "covid") + totals.get(ic, "ontlabeld")).astype(np.float64),
        non_covid=totals.get(ic, "non_covid").astype(np.float64),
        staffed=totals.get(ic, "staffed").astype(np.float64),
        admissions=totals.get(ic, "admissions").astype(np.float64),
    )


def germany(conn: Connection) -> Area | None:
    """The last-resort area from the store's ABROAD location (Germany), if there is one."""
    from kraan.store.reference import load_locations

    for _, loc in load_locations(conn):
        if loc.kind is LocationKind.ABROAD:
            beds = max(loc.planned_beds.get(CareLevel.IC, 0), LAST_RESORT_BEDS)
            return Area(loc.code, beds, 0, lat=loc.lat, lon=loc.lon, is_last_resort=True)
    return None


def _optimiser(areas: list[Area], settings: SpreadSettings) -> Plan:
    return solve_plan(areas, settings)


def _greedy(areas: list[Area], settings: SpreadSettings) -> Plan:
    return greedy_plan(areas, settings)


POLICIES = (
    ("a. no coordination", None, False),
    ("b. greedy: most- to least-loaded", _greedy, False),
    ("c. optimiser (occupancy held flat)", _optimiser, False),
    ("d. optimiser (perfect forecast)", _optimiser, True),
)


def evaluate_store(
    engine: Engine, *, start: date, end: date, settings: SpreadSettings,
    policies: Sequence[str] = ("a", "b", "c", "d"),
) -> list[ReplayResult]:  # fmt: skip
    """Replay [start, end] of the store under the chosen policies (letters a-d)."""
    with engine.connect() as conn:
        series = region_series(conn, start=start, end=end)
        last_resort = germany(conn)
    chosen = [p for p in POLICIES if p[0][0] in policies]
    return run_policies(series, settings, chosen, last_resort=last_resort)


def evaluate_demo(
    settings: Settings, spread: SpreadSettings, *, start: date = REPLAY_START,
    end: date = REPLAY_END, policies: Sequence[str] = ("a", "b", "c", "d"),
    workdir: Path | None = None,
) -> list[ReplayResult]:  # fmt: skip
    """Load the demo period into a throw-away SQLite store and replay it."""
    from kraan.services.demo import load_demo
    from kraan.store.db import make_engine, migrate

    with tempfile.TemporaryDirectory(dir=workdir) as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'replay.db'}")
        migrate(engine)
        now = datetime.combine(end, time(23, 0))
        load_demo(engine, settings, start=start, end=end, now=now)
        try:
            return evaluate_store(engine, start=start, end=end, settings=spread,
                                  policies=policies)  # fmt: skip
        finally:
            engine.dispose()


def evaluation_rows(results: Sequence[ReplayResult]) -> list[dict[str, Any]]:
    return [
        {
            "policy": r.policy,
            "max_load_deviation": round(r.max_load_deviation, 3),
            "mean_abs_deviation_patients": round(r.mean_abs_deviation, 1),
            "overflow_bed_days": round(r.overflow_bed_days, 1),
            "transfers": r.transfers,
            "moves": r.moves,
            "patient_km": round(r.patient_km),
            "to_germany": r.last_resort_patients,
            "seconds": round(r.seconds, 1),
        }
        for r in results
    ]


def evaluation_markdown(results: Sequence[ReplayResult]) -> str:
    """The table for docs/spreading.md."""
    rows = evaluation_rows(results)
    head = list(rows[0]) if rows else []
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines)
