"""Spreading around the store: snapshot JSON in and out, plans as documents, the replay.

The JSON contract (docs/spreading.md): ``{"areas": [...], "settings": {...}}`` in,
``{"plan": [...], "before": {...}, "after": {...}, "solve_seconds": ...}`` out. Every
problem of an input document is reported with the field it concerns, e.g.
``areas[2].capacity: must be a whole number >= 0``.
"""

from __future__ import annotations

import math
import tempfile
import typing
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, fields
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from kraan.domain.model import CareLevel, LocationKind
from kraan.domain.spreading.fairshare import fair_share, summarise
from kraan.domain.spreading.greedy import greedy_plan
from kraan.domain.spreading.model import Area, Plan, SpreadSettings
from kraan.domain.spreading.replay import RegionSeries, ReplayResult, run_policies
from kraan.domain.spreading.solve import SpreadInputError, solve_plan
from kraan.settings import Settings

#: Germany as the last resort when the store has no capacity for it: the demo's LCPS
#: series shows at most 11 Dutch IC patients in Germany in Oct 2020 - Jan 2021;
#: 20 beds offered is an assumption, configurable per request.
LAST_RESORT_BEDS = 20
LAST_RESORT_CODE = "DE-ABROAD"
#: Demo replay period of the issue: the second wave, Oct 2020 - Jan 2021.
REPLAY_START, REPLAY_END = date(2020, 10, 1), date(2021, 1, 31)

_AREA_REQUIRED = ("code", "capacity", "covid_occupied", "lat", "lon")
_AREA_INTS = ("capacity", "covid_occupied", "non_covid_occupied", "population")
_AREA_OPTIONAL_INTS = ("scale_up_capacity", "covid_capacity")
_AREA_FLOATS = ("lat", "lon", "acute_inflow", "cost_weight")
_AREA_KNOWN = {
    *_AREA_REQUIRED, *_AREA_INTS, *_AREA_OPTIONAL_INTS, *_AREA_FLOATS,
    "forecast", "forecast_quantiles", "group", "is_last_resort", "name",
}  # fmt: skip


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        return None
    return int(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _series(value: Any, where: str, problems: list[tuple[str, str]]) -> tuple[float, ...]:
    if not isinstance(value, list):
        problems.append((where, "must be a list of numbers"))
        return ()
    numbers = [_number(v) for v in value]
    for n, v in enumerate(numbers):
        if v is None or v < 0:
            problems.append((f"{where}[{n}]", "must be a number >= 0"))
    return tuple(v for v in numbers if v is not None)


def parse_area(raw: Any, where: str, problems: list[tuple[str, str]]) -> Area | None:
    """One area of the input; appends (field, message) for everything wrong with it."""
    if not isinstance(raw, Mapping):
        problems.append((where, "must be an object"))
        return None
    before = len(problems)
    for name in sorted(set(raw) - _AREA_KNOWN):
        problems.append((f"{where}.{name}", "unknown field"))
    for name in _AREA_REQUIRED:
        if name not in raw:
            problems.append((f"{where}.{name}", "is required"))
    values: dict[str, Any] = {}
    code = raw.get("code")
    if "code" in raw and (not isinstance(code, str) or not code.strip()):
        problems.append((f"{where}.code", "must be a non-empty string"))
    values["code"] = code
    for name in (*_AREA_INTS, *_AREA_OPTIONAL_INTS):
        if name in raw and raw[name] is not None:
            whole = _whole(raw[name])
            if whole is None or whole < 0:
                problems.append((f"{where}.{name}", "must be a whole number >= 0"))
            values[name] = whole
    for name in _AREA_FLOATS:
        if name in raw:
            number = _number(raw[name])
            if number is None:
                problems.append((f"{where}.{name}", "must be a number"))
            values[name] = number
    for name, bound in (("lat", 90.0), ("lon", 180.0)):
        if values.get(name) is not None and abs(values[name]) > bound:
            problems.append((f"{where}.{name}", f"must lie between -{bound:g} and {bound:g}"))
    if "forecast" in raw and raw["forecast"] is not None:
        values["forecast"] = _series(raw["forecast"], f"{where}.forecast", problems)
    if "forecast_quantiles" in raw:
        values["forecast_quantiles"] = _quantiles(raw["forecast_quantiles"], where, problems)
    if "group" in raw:
        values["group"] = str(raw["group"])
    if "is_last_resort" in raw:
        if not isinstance(raw["is_last_resort"], bool):
            problems.append((f"{where}.is_last_resort", "must be true or false"))
        values["is_last_resort"] = raw["is_last_resort"] is True
    if len(problems) > before:
        return None
    return Area(**{k: v for k, v in values.items() if v is not None})


def _quantiles(raw: Any, where: str, problems: list[tuple[str, str]]) -> dict[float, tuple]:  # type: ignore[type-arg]
    if not isinstance(raw, Mapping):
        problems.append((f"{where}.forecast_quantiles", 'must be an object {"0.9": [...]}'))
        return {}
    out: dict[float, tuple] = {}  # type: ignore[type-arg]
    for key, series in raw.items():
        try:
            q = float(key)
        except ValueError:
            problems.append((f"{where}.forecast_quantiles.{key}", "key must be a quantile"))
            continue
        out[q] = _series(series, f"{where}.forecast_quantiles.{key}", problems)
    return out


def parse_settings(raw: Any, problems: list[tuple[str, str]]) -> SpreadSettings:
    """SpreadSettings from a JSON object; unknown or mistyped keys are problems."""
    if raw is None:
        return SpreadSettings()
    if not isinstance(raw, Mapping):
        problems.append(("settings", "must be an object"))
        return SpreadSettings()
    known = {f.name: f for f in fields(SpreadSettings)}
    hints = typing.get_type_hints(SpreadSettings)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append((f"settings.{key}", "unknown setting"))
            continue
        hint = str(hints[key])
        ok = True
        if value is None:
            ok = "None" in hint
        elif "bool" in hint and "int" not in hint:
            ok = isinstance(value, bool)
        elif hint.startswith("tuple"):
            ok = isinstance(value, list) and all(_number(v) is not None for v in value)
            value = tuple(float(v) for v in value) if ok else value
        elif hint.startswith("<class 'int'>") or hint == "int | None":
            ok = _whole(value) is not None
            value = _whole(value) if ok else value
        elif "float" in hint:
            ok = _number(value) is not None
        elif "Mapping" in hint:
            ok = isinstance(value, Mapping)
        else:
            ok = isinstance(value, str)
        if not ok:
            problems.append((f"settings.{key}", f"has the wrong type ({type(value).__name__})"))
            continue
        values[key] = value
    try:
        settings = SpreadSettings(**values)
    except ValueError as error:  # an enum value that does not exist
        problems.append(("settings", str(error)))
        return SpreadSettings()
    problems.extend((f"settings.{name}", message) for name, message in settings.problems())
    return settings


def parse_document(document: Any) -> tuple[list[Area], SpreadSettings]:
    """Areas and settings of an input document; raises SpreadInputError listing fields."""
    problems: list[tuple[str, str]] = []
    if not isinstance(document, Mapping):
        raise SpreadInputError([("(document)", "must be a JSON object with 'areas'")])
    for key in sorted(set(document) - {"areas", "settings", "as_of", "forecast"}):
        problems.append((key, "unknown field"))
    raw_areas = document.get("areas")
    areas: list[Area] = []
    if not isinstance(raw_areas, list) or not raw_areas:
        problems.append(("areas", "must be a non-empty list"))
    else:
        for n, raw in enumerate(raw_areas):
            area = parse_area(raw, f"areas[{n}]", problems)
            if area is not None:
                areas.append(area)
    settings = parse_settings(document.get("settings"), problems)
    if problems:
        raise SpreadInputError(problems)
    return areas, settings


def _summary(areas: Sequence[Area], occupancy: np.ndarray, settings: SpreadSettings) -> dict:  # type: ignore[type-arg]
    s = summarise(areas, occupancy, settings.basis)
    return {
        "max_load": round(s.max_load, 4),
        "min_load": round(s.min_load, 4),
        "overflow": round(s.overflow, 2),
        "max_deviation": round(s.max_deviation, 4),
    }


def plan_document(areas: Sequence[Area], settings: SpreadSettings, plan: Plan) -> dict:  # type: ignore[type-arg]
    """The output contract, plus each area's fair share now, as forecast and after."""
    before = fair_share(areas, plan.occupancy_before, settings.basis)
    after = fair_share(areas, plan.occupancy_after, settings.basis)
    rows = []
    for i, area in enumerate(areas):
        if area.is_last_resort:
            continue
        rows.append(
            {
                "code": area.code,
                "load_now": round(float(before.load[i, 0]), 4),
                "fair_share_now": round(float(before.target[i, 0]), 2),
                "deviation_now": round(float(before.deviation[i, 0]), 2),
                "deviation_forecast": [round(float(v), 2) for v in before.deviation[i]],
                "deviation_after": [round(float(v), 2) for v in after.deviation[i]],
            }
        )
    return {
        "plan": [
            {
                "day": t.day,
                "from": t.source,
                "to": t.target,
                "patients": t.patients,
                "patient_class": t.patient_class,
            }
            for t in plan.transfers
        ],  # fmt: skip
        "before": _summary(areas, plan.occupancy_before, settings),
        "after": _summary(areas, plan.occupancy_after, settings),
        "solve_seconds": round(plan.solve_seconds, 4),
        "status": plan.status,
        "method": settings.method_for(len(areas)),
        "objective": None if math.isnan(plan.objective) else round(plan.objective, 3),
        "patients_moved": plan.patients_moved,
        "patient_km": round(plan.patient_km, 1),
        "areas": rows,
    }


def solve_document(document: Any) -> dict:  # type: ignore[type-arg]
    """Parse, solve and render: the whole ``kraan spread --input`` in one call."""
    areas, settings = parse_document(document)
    plan = solve_plan(areas, settings)
    return plan_document(areas, settings, plan)


def area_document(area: Area) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": area.code, "capacity": area.capacity, "covid_occupied": area.covid_occupied,
        "non_covid_occupied": area.non_covid_occupied, "lat": area.lat, "lon": area.lon,
    }  # fmt: skip
    defaults = {f.name: f.default for f in fields(Area) if f.default is not MISSING}
    for name in ("population", "acute_inflow", "is_last_resort", "cost_weight", "group"):
        if getattr(area, name) != defaults.get(name):
            out[name] = getattr(area, name)
    if area.forecast:
        out["forecast"] = list(area.forecast)
    if area.forecast_quantiles:
        out["forecast_quantiles"] = {f"{q:g}": list(v) for q, v in area.forecast_quantiles.items()}
    return out


def export_snapshot(
    conn: Connection, *, as_of: datetime, settings: Settings, care_level: str = "ic"
) -> dict[str, Any]:
    """The input document for the live system at ``as_of``: regions, plus Germany.

    Each region looks ahead by Kraan's own forecast (``settings.spread_forecast_quantile``,
    the median by default; a region without a forecast is held flat and named in
    ``forecast.held_flat``); a region's place is the bed-weighted centroid of its
    hospitals; its own acute inflow is the last 24 h of COVID admissions reported.
    """
    from kraan.services.overview import take_snapshot
    from kraan.services.spread_forecast import forecast_note, region_forecasts
    from kraan.store.reference import load_locations, load_regions

    level = CareLevel.IC if care_level == "ic" else CareLevel.WARD
    snapshot = take_snapshot(conn, as_of=as_of, settings=settings)
    quantile = settings.spread_forecast_quantile
    paths, missing = region_forecasts(
        conn, as_of=as_of, regions=[r.code for r in snapshot.regions], target=care_level,
        quantile=quantile,
    )  # fmt: skip
    population = {r.code: r.population for r in load_regions(conn)}
    located = [loc for _, loc in load_locations(conn)]
    areas: list[Area] = []
    for region in snapshot.regions:
        totals = region.level(level)
        hospitals = [
            loc for loc in located
            if loc.region_code == region.code and loc.kind is LocationKind.HOSPITAL
        ]  # fmt: skip
        weights = np.array([max(loc.planned_beds.get(level, 0), 1) for loc in hospitals], float)
        lat = float(np.average([h.lat for h in hospitals], weights=weights)) if hospitals else 0.0
        lon = float(np.average([h.lon for h in hospitals], weights=weights)) if hospitals else 0.0
        areas.append(
            Area(
                code=region.code,
                capacity=totals.staffed,
                covid_occupied=totals.covid + totals.ontlabeld,
                non_covid_occupied=totals.non_covid,
                lat=round(lat, 5),
                lon=round(lon, 5),
                population=population.get(region.code, 0),
                acute_inflow=float(totals.admissions_24h),
                forecast=paths.get(region.code, {}).get(0.5, ()),
                forecast_quantiles=(
                    {quantile: paths[region.code][quantile]}
                    if region.code in paths and quantile != 0.5
                    else {}
                ),
            )
        )
    abroad = next((loc for loc in located if loc.kind is LocationKind.ABROAD), None)
    if abroad is not None and level is CareLevel.IC:
        beds = max(abroad.planned_beds.get(level, 0), LAST_RESORT_BEDS, snapshot.abroad_ic)
        areas.append(
            Area(abroad.code, beds, snapshot.abroad_ic, lat=abroad.lat, lon=abroad.lon,
                 is_last_resort=True, cost_weight=1.0)
        )  # fmt: skip
    spread: dict[str, Any] = {"care_level": care_level}
    if quantile != 0.5:
        spread["quantile"] = quantile
    return {
        "as_of": as_of.isoformat(),
        "areas": [area_document(a) for a in areas],
        "settings": spread,
        "forecast": forecast_note(quantile, len(paths), missing),
    }


# --- evaluation replay (issue part 5) ------------------------------------------------


def region_series(conn: Connection, *, start: date, end: date) -> RegionSeries:
    """IC arrays [region, day] from the store, with each region's centroid and population."""
    from kraan.store.reference import load_locations, load_regions
    from kraan.store.series import daily_totals

    totals = daily_totals(conn, start=start, end=end)
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
