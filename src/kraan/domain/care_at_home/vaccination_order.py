"""From the versioned priority data and population by age to ordered items; what-ifs.

The data (``data/care_at_home/vaccination_priority.json``) is a plain dict here: the
service layer reads the file. Three kinds of group:

- ``count``: a stated size (care workers, residents), with a source or "assumption".
  ``drawn_from: [a, b]`` says which ages they belong to: they are taken out of the
  population groups of those ages (proportionally), so nobody is counted twice.
- ``population``: people of an age range, from CBS single-year ages, split into
  ``cohorts`` (oldest first); ``share`` gives the fraction of each age band that belongs
  to the group (e.g. with a medical indication), ``complement_of`` the rest of another.
- ``interleave`` lists groups whose cohorts alternate: cohort 1 of each, then cohort 2...
  (the briefing note: over-60s with, then without, an indication, "starting with the
  oldest age cohorts").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from kraan.domain.care_at_home.vaccination import Item, ScheduleInput, Vaccine

TOP_AGE = 105  # CBS: "105 jaar of ouder"


class VaccinationDataError(ValueError):
    """Bad priority or vaccine data; ``problems`` lists (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))


def population_between(population: Mapping[int, float], low: int, high: int) -> float:
    return float(sum(n for age, n in population.items() if low <= age <= high))


def _share(group: Mapping[str, Any], low: int) -> float:
    for band in group.get("share", []):
        a, b = band["ages"]
        if a <= low <= b:
            return float(band["value"])
    return 1.0


def build_items(data: Mapping[str, Any], population: Mapping[int, float]) -> tuple[Item, ...]:
    """Ordered items (group x cohort) with sizes; ranks are 1..n in priority order."""
    groups = list(data["groups"])
    by_code = {g["code"]: g for g in groups}
    problems: list[tuple[str, str]] = []
    cohorts: dict[str, list[tuple[str, int, int, float]]] = {}
    for n, g in enumerate(groups):
        where = f"groups[{n}]"
        low, high = g["ages"]
        if g["kind"] == "count":
            cohorts[g["code"]] = [(f"{low}-{high}", low, high, float(g["size"]))]
            continue
        if g["kind"] != "population":
            problems.append((f"{where}.kind", "must be 'count' or 'population'"))
            continue
        rows = []
        for a, b in g.get("cohorts", [[low, high]]):
            size = 0.0
            for age in range(a, min(b, TOP_AGE) + 1):
                share = _share(g, age)
                if "complement_of" in g:
                    other = by_code.get(g["complement_of"])
                    if other is None:
                        problems.append((f"{where}.complement_of", "unknown group"))
                        break
                    share = 1.0 - _share(other, age)
                size += share * population.get(age, 0.0)
            label = f"{a}+" if b >= TOP_AGE else f"{a}-{b}"
            rows.append((label, a, b, size))
        cohorts[g["code"]] = rows
    if problems:
        raise VaccinationDataError(problems)

    # take the counted groups out of the population cohorts they are drawn from
    for g in groups:
        if g["kind"] != "count" or "drawn_from" not in g:
            continue
        a, b = g["drawn_from"]
        pool = [
            (code, k)
            for code, rows in cohorts.items()
            if by_code[code]["kind"] == "population"
            for k, (_, low, high, _) in enumerate(rows)
            if a <= low and high <= b
        ]
        total = sum(cohorts[code][k][3] for code, k in pool)
        if total <= 0:
            continue
        for code, k in pool:
            label, low, high, size = cohorts[code][k]
            cohorts[code][k] = (label, low, high, max(0.0, size - float(g["size"]) * size / total))

    order: list[tuple[str, int]] = []
    interleaved = {code for block in data.get("interleave", []) for code in block}
    placed: set[str] = set()
    for g in groups:
        code = g["code"]
        if code in placed:
            continue
        block = next((blk for blk in data.get("interleave", []) if code in blk), None)
        if block is not None and code in interleaved:
            longest = max(len(cohorts[c]) for c in block)
            for k in range(longest):
                order.extend((c, k) for c in block if k < len(cohorts[c]))
            placed.update(block)
        else:
            order.extend((code, k) for k in range(len(cohorts[code])))
            placed.add(code)

    items = []
    for rank, (code, k) in enumerate(order, start=1):
        g = by_code[code]
        label, low, high, size = cohorts[code][k]
        name = g["label"] if len(cohorts[code]) == 1 else f"{g['label']}, {label}"
        items.append(
            Item(
                code=f"{code}:{label}",
                group=code,
                label=name,
                rank=rank,
                min_age=low,
                max_age=high,
                size=size,
                uptake=float(g["uptake"]),
            )
        )
    return tuple(items)


def build_vaccines(data: Sequence[Mapping[str, Any]]) -> tuple[Vaccine, ...]:
    return tuple(
        Vaccine(
            code=str(v["code"]),
            label=str(v.get("label", v["code"])),
            doses=int(v["doses"]),
            interval_weeks=int(v.get("interval_weeks", 0)),
            min_age=int(v.get("min_age", 0)),
            max_age=int(v.get("max_age", 120)),
        )
        for v in data
    )


# ---- what-ifs -------------------------------------------------------------------------------


def _week_index(inp: ScheduleInput, week: str | None) -> int:
    if week is None:
        return 0
    if week not in inp.weeks:
        raise VaccinationDataError([("from_week", f"{week} is not in the horizon")])
    return inp.weeks.index(week)


def _known(inp: ScheduleInput, vaccine: str) -> None:
    if vaccine not in {v.code for v in inp.vaccines}:
        raise VaccinationDataError([("vaccine", f"unknown vaccine {vaccine!r}")])


def delay_deliveries(
    inp: ScheduleInput, *, vaccine: str, weeks: int, from_week: str | None = None
) -> ScheduleInput:
    """Every delivery of ``vaccine`` from ``from_week`` on arrives ``weeks`` later."""
    _known(inp, vaccine)
    if weeks < 0:
        raise VaccinationDataError([("weeks", "must be >= 0")])
    start = _week_index(inp, from_week)
    series = list(inp.deliveries.get(vaccine, (0.0,) * len(inp.weeks)))
    shifted = series[:start] + [0.0] * len(series[start:])
    for w in range(start, len(series)):
        if w + weeks < len(series):
            shifted[w + weeks] += series[w]
    return replace(inp, deliveries={**inp.deliveries, vaccine: tuple(shifted)})


def cut_deliveries(
    inp: ScheduleInput, *, vaccine: str, percent: float, from_week: str | None = None
) -> ScheduleInput:
    """Deliveries of ``vaccine`` from ``from_week`` on are cut by ``percent`` %."""
    _known(inp, vaccine)
    if not 0 <= percent <= 100:
        raise VaccinationDataError([("percent", "must be between 0 and 100")])
    start = _week_index(inp, from_week)
    series = inp.deliveries.get(vaccine, (0.0,) * len(inp.weeks))
    factor = 1.0 - percent / 100.0
    cut = tuple(x if w < start else x * factor for w, x in enumerate(series))
    return replace(inp, deliveries={**inp.deliveries, vaccine: cut})


def restrict_ages(inp: ScheduleInput, *, vaccine: str, min_age: int, max_age: int) -> ScheduleInput:
    """The vaccine may only go to items whose ages lie within [min_age, max_age]."""
    _known(inp, vaccine)
    if min_age > max_age:
        raise VaccinationDataError([("min_age", "must not exceed max_age")])
    vaccines = tuple(
        replace(v, min_age=min_age, max_age=max_age) if v.code == vaccine else v
        for v in inp.vaccines
    )
    return replace(inp, vaccines=vaccines)


def apply_what_ifs(inp: ScheduleInput, what_ifs: Sequence[Mapping[str, Any]]) -> ScheduleInput:
    """Apply ``[{"kind": "delay"|"cut"|"restrict", ...}, ...]`` in order."""
    for n, what in enumerate(what_ifs):
        kind = what.get("kind")
        try:
            if kind == "delay":
                inp = delay_deliveries(
                    inp, vaccine=str(what["vaccine"]), weeks=int(what["weeks"]),
                    from_week=what.get("from_week"),
                )  # fmt: skip
            elif kind == "cut":
                inp = cut_deliveries(
                    inp, vaccine=str(what["vaccine"]), percent=float(what["percent"]),
                    from_week=what.get("from_week"),
                )  # fmt: skip
            elif kind == "restrict":
                inp = restrict_ages(
                    inp, vaccine=str(what["vaccine"]), min_age=int(what["min_age"]),
                    max_age=int(what["max_age"]),
                )  # fmt: skip
            else:
                raise VaccinationDataError([("kind", "use delay, cut or restrict")])
        except VaccinationDataError as error:
            raise VaccinationDataError(
                [(f"what_ifs[{n}].{name}", message) for name, message in error.problems]
            ) from error
        except (KeyError, TypeError, ValueError) as error:
            raise VaccinationDataError([(f"what_ifs[{n}]", f"missing or bad {error}")]) from error
    return inp
