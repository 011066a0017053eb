"""Vaccination schedules: read the versioned data, solve greedy and LP, compare with 2021.

Files (``src/kraan/data/care_at_home/``, provenance in its ``PROVENANCE.md``):
``vaccination_priority.json`` (order, sizes, uptake), ``vaccines.json`` (doses, interval,
ages), ``cbs_population_age_2020.csv`` (CBS 03759ned), ``nl_vaccines_administered_ecdc.csv``
(real weekly doses 2020-W52..2022-W08, the 2021 delivery pattern) and
``vaccination_2021_reference.json`` (when the real programme reached each over-60 cohort).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from kraan.domain.care_at_home.vaccination import (
    Schedule,
    ScheduleInput,
    chart_rows,
    differences,
    milestones,
    order_violations,
    stock_violations,
)
from kraan.domain.care_at_home.vaccination_greedy import solve_greedy
from kraan.domain.care_at_home.vaccination_lp import solve_lp
from kraan.domain.care_at_home.vaccination_order import (
    VaccinationDataError,
    apply_what_ifs,
    build_items,
    build_vaccines,
)
from kraan.settings import PACKAGE_DATA

DATA = PACKAGE_DATA / "care_at_home"
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
#: No administration limit unless one is given (deliveries were the bottleneck in 2021).
UNLIMITED = 1e12


@lru_cache(maxsize=4)
def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def priority_data() -> dict[str, Any]:
    return _json(DATA / "vaccination_priority.json")


def vaccine_data() -> dict[str, Any]:
    return _json(DATA / "vaccines.json")


@lru_cache(maxsize=1)
def population_by_age() -> dict[int, float]:
    """CBS 1 Jan 2020, single years 0..104 and 105+ (the '95 jaar of ouder' total skipped)."""
    out: dict[int, float] = {}
    text = (DATA / "cbs_population_age_2020.csv").read_text(encoding="utf-8")
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if not row or not row[0].endswith("jaar") and "jaar of ouder" not in row[0]:
            continue
        label = row[0]
        if label == "95 jaar of ouder":
            continue
        match = re.match(r"^(\d+) jaar", label)
        if match and row[1].strip():
            out[int(match.group(1))] = float(row[1])
    return out


def week_label(year: int, week: int) -> str:
    return f"{year}-W{week:02d}"


def week_monday(label: str) -> date:
    match = _WEEK.match(label)
    if not match:
        raise ValueError(f"not an ISO week: {label!r}")
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def week_range(first: str, last: str) -> tuple[str, ...]:
    start, end = week_monday(first), week_monday(last)
    weeks = []
    day = start
    while day <= end:
        year, week, _ = day.isocalendar()
        weeks.append(week_label(year, week))
        day += timedelta(days=7)
    return tuple(weeks)


def real_2021_deliveries(
    first: str = "2020-W52", last: str = "2021-W26"
) -> tuple[tuple[str, ...], dict[str, tuple[float, ...]]]:
    """The real doses administered per vaccine and week (doses 1 and 2), as deliveries."""
    names = {v["ecdc_name"]: v["code"] for v in vaccine_data()["vaccines"]}
    weeks = week_range(first, last)
    index = {w: n for n, w in enumerate(weeks)}
    series = {code: [0.0] * len(weeks) for code in names.values()}
    path = DATA / "nl_vaccines_administered_ecdc.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label = week_label(int(row["year"]), int(row["week"]))
            code = names.get(row["vaccine"])
            if code is None or label not in index or row["dose_number"] not in ("1", "2"):
                continue
            series[code][index[label]] += float(row["total_administered"])
    return weeks, {code: tuple(values) for code, values in series.items()}


def parse_deliveries(text: str) -> tuple[tuple[str, ...], dict[str, tuple[float, ...]]]:
    """CSV ``week,vaccine,doses`` (ISO weeks like 2021-W05); one problem per bad line."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"week", "vaccine", "doses"} - set(reader.fieldnames or ())
    if missing:
        raise VaccinationDataError([("header", f"missing column(s) {', '.join(sorted(missing))}")])
    known = {v["code"] for v in vaccine_data()["vaccines"]}
    problems: list[tuple[str, str]] = []
    rows: list[tuple[str, str, float]] = []
    for n, row in enumerate(reader, start=2):
        week, vaccine, doses = (
            (row.get(k, "") or "").strip() for k in ("week", "vaccine", "doses")
        )
        if not _WEEK.match(week):
            problems.append((f"line {n}.week", "use an ISO week like 2021-W05"))
            continue
        try:
            week_monday(week)
        except ValueError:
            problems.append((f"line {n}.week", "no such ISO week"))
            continue
        if vaccine not in known:
            problems.append(
                (f"line {n}.vaccine", f"unknown; use one of {', '.join(sorted(known))}")
            )
            continue
        try:
            value = float(doses)
        except ValueError:
            problems.append((f"line {n}.doses", "must be a number"))
            continue
        if not math.isfinite(value) or value < 0:
            problems.append((f"line {n}.doses", "must be >= 0"))
            continue
        rows.append((week, vaccine, value))
    if not rows and not problems:
        problems.append(("deliveries", "no rows"))
    if problems:
        raise VaccinationDataError(problems)
    weeks = week_range(min(r[0] for r in rows), max(r[0] for r in rows))
    index = {w: n for n, w in enumerate(weeks)}
    series = {code: [0.0] * len(weeks) for code in known}
    for week, vaccine, value in rows:
        series[vaccine][index[week]] += value
    return weeks, {code: tuple(values) for code, values in series.items()}


def schedule_input(
    weeks: Sequence[str],
    deliveries: Mapping[str, Sequence[float]],
    *,
    capacity: float | Sequence[float] | None = None,
    uptake: Mapping[str, float] | None = None,
    priority: Mapping[str, Any] | None = None,
) -> ScheduleInput:
    data = dict(priority or priority_data())
    if uptake:
        unknown = set(uptake) - {g["code"] for g in data["groups"]}
        if unknown:
            raise VaccinationDataError([(f"uptake.{c}", "unknown group") for c in sorted(unknown)])
        data["groups"] = [
            {**g, "uptake": uptake.get(g["code"], g["uptake"])} for g in data["groups"]
        ]
    if capacity is None:
        caps = (UNLIMITED,) * len(weeks)
    elif isinstance(capacity, int | float):
        caps = (float(capacity),) * len(weeks)
    else:
        caps = tuple(float(c) for c in capacity)
    inp = ScheduleInput(
        weeks=tuple(weeks),
        vaccines=build_vaccines(vaccine_data()["vaccines"]),
        deliveries={k: tuple(float(x) for x in v) for k, v in deliveries.items()},
        capacity=caps,
        items=build_items(data, population_by_age()),
        invitation_lead_weeks=int(data.get("invitation_lead_weeks", {}).get("value", 1)),
    )
    problems = inp.problems()
    if problems:
        raise VaccinationDataError(problems)
    return inp


def solve_both(inp: ScheduleInput) -> tuple[Schedule, Schedule]:
    return solve_greedy(inp), solve_lp(inp)


def schedule_document(
    inp: ScheduleInput, what_ifs: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Greedy and LP schedules, their checks and differences, as one JSON document."""
    if what_ifs:
        inp = apply_what_ifs(inp, what_ifs)
    greedy, lp = solve_both(inp)
    return {
        "priority_version": priority_data()["version"],
        "vaccines_version": vaccine_data()["version"],
        "weeks": list(inp.weeks),
        "what_ifs": [dict(w) for w in what_ifs],
        "vaccines": [
            {
                "code": v.code,
                "doses": v.doses,
                "interval_weeks": v.interval_weeks,
                "ages": [v.min_age, v.max_age],
                "delivered": round(sum(inp.deliveries.get(v.code, ()))),
            }
            for v in inp.vaccines
        ],  # fmt: skip
        "schedules": {
            s.method: {
                "status": s.status,
                "notes": list(s.notes),
                "items": milestones(s),
                "order_violations": order_violations(s),
                "delivery_violations": stock_violations(s),
                "first_doses_per_week": [round(float(x)) for x in s.first.sum(axis=(0, 1))],
                "doses_per_week": [round(float(x)) for x in s.doses_used().sum(axis=0)],
            }
            for s in (greedy, lp)
        },
        "differences": differences(greedy, lp),
        "item_series": {
            s.method: {
                it.code: (
                    [float(x) for x in np.cumsum(s.first[i].sum(axis=0))],
                    [float(x) for x in np.cumsum(s.full()[i])],
                )
                for i, it in enumerate(s.inp.items)
            }
            for s in (greedy, lp)
        },
        "chart": {s.method: chart_rows(s) for s in (greedy, lp)},
    }


@lru_cache(maxsize=1)
def default_document() -> dict[str, Any]:
    """The schedule on the real 2021 delivery pattern (computed once per process)."""
    weeks, deliveries = real_2021_deliveries()
    return schedule_document(schedule_input(weeks, deliveries))


def progress_by_group(document: Mapping[str, Any], week: str, method: str = "lp") -> dict[str, Any]:
    """Per group: uptake, first doses and fully vaccinated by the end of ``week`` (aggregates)."""
    weeks = list(document["weeks"])
    upto = -1 if week < weeks[0] else max(n for n, w in enumerate(weeks) if w <= week)
    groups: dict[str, dict[str, Any]] = {}
    for row in document["schedules"][method]["items"]:
        g = groups.setdefault(row["group"], {"uptake": 0, "first_dose": 0, "fully_vaccinated": 0})
        g["uptake"] += row["demand"]
    series = document.get("item_series", {}).get(method, {})
    for code, (first, full) in series.items():
        group = code.split(":", 1)[0]
        if upto >= 0:
            groups[group]["first_dose"] += round(first[upto])
            groups[group]["fully_vaccinated"] += round(full[upto])
    for g in groups.values():
        g["first_dose_share"] = round(g["first_dose"] / g["uptake"], 3) if g["uptake"] else 0.0
    return {"week": week, "method": method, "groups": groups}


def export_csv(document: Mapping[str, Any], method: str = "lp") -> str:
    """One row per item: the milestones of one schedule."""
    out = io.StringIO()
    columns = [
        "rank", "item", "label", "ages", "size", "uptake", "demand", "invitation_week",
        "first_dose_start", "first_dose_half", "first_dose_done", "fully_vaccinated",
        "first_doses", "fully_vaccinated_people",
    ]  # fmt: skip
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in document["schedules"][method]["items"]:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return out.getvalue()


def compare_2021(document: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Model first-dose start per over-60 cohort against the real 2021 programme."""
    if document is None:
        weeks, deliveries = real_2021_deliveries()
        document = schedule_document(schedule_input(weeks, deliveries))
    weeks = list(document["weeks"])
    reference = _json(DATA / "vaccination_2021_reference.json")["cohorts"]
    rows = []
    for ref in reference:
        cohort = ref["cohort"]
        entry: dict[str, Any] = {"cohort": cohort, "real": ref["first_dose_week"]}
        for method, sched in document["schedules"].items():
            starts = [
                r["first_dose_start"]
                for r in sched["items"]
                if r["group"] in ("over60_indication", "over60_other")
                and r["item"].endswith(":" + cohort)
                and r["first_dose_start"]
            ]
            start = min(starts, key=weeks.index) if starts else None
            entry[method] = start
            entry[f"{method}_delta_weeks"] = (
                weeks.index(start) - weeks.index(ref["first_dose_week"]) if start else None
            )
        rows.append(entry)
    return {"cohorts": rows, "weeks": [weeks[0], weeks[-1]]}
