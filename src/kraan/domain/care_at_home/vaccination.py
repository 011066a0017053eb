"""Vaccination order and delivery-driven schedule: the plain data and the rules.

The priority order is versioned data (``data/care_at_home/vaccination_priority.json``):
ordered *groups*, each split into age *cohorts*; one group x cohort is an :class:`Item`,
the unit the solvers schedule. Items are strictly ordered by ``rank``.

**The order rule** (what "never violates the order" means here, checked by
:func:`order_violations`): a vaccine ``v`` may go to an item only as far as every
higher-ranked item that may also receive ``v`` has come. At the end of every week,

    share of item j's uptake that got a first dose of v  <=  share of item i's uptake
    that got a first dose of any vaccine,            for all i ranked above j.

So no item starts, or completes, before a higher item it shares a vaccine with; and a
vaccine that a higher item may not receive (e.g. AstraZeneca for the over-65s in 2021)
may go to lower items meanwhile, as the real programme did.

**The delivery rule** (:func:`stock_violations`): per vaccine, the doses given up to the
end of every week (first and second) never exceed the doses delivered up to then, and
every course started can be completed from the deliveries in the horizon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Vaccine:
    code: str
    label: str
    doses: int  # doses per course: 1 or 2
    interval_weeks: int  # weeks between dose 1 and dose 2 (0 for one-dose vaccines)
    min_age: int
    max_age: int

    def suits(self, item: Item) -> bool:
        """An item may receive the vaccine when its whole age range is suitable."""
        return self.min_age <= item.min_age and item.max_age <= self.max_age


@dataclass(frozen=True, slots=True)
class Item:
    """One group x age cohort: the unit of the schedule."""

    code: str
    group: str
    label: str
    rank: int
    min_age: int
    max_age: int
    size: float
    uptake: float

    @property
    def demand(self) -> float:
        return self.size * self.uptake


@dataclass(frozen=True, slots=True)
class ScheduleInput:
    weeks: tuple[str, ...]
    vaccines: tuple[Vaccine, ...]
    deliveries: Mapping[str, tuple[float, ...]]  # vaccine code -> doses per week
    capacity: tuple[float, ...]  # doses that can be administered per week (all vaccines)
    items: tuple[Item, ...]
    invitation_lead_weeks: int = 1

    def problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        n = len(self.weeks)
        if n == 0:
            found.append(("weeks", "at least one week is needed"))
        codes = {v.code for v in self.vaccines}
        for i, v in enumerate(self.vaccines):
            if v.doses not in (1, 2):
                found.append((f"vaccines[{i}].doses", "must be 1 or 2"))
            if v.doses == 2 and v.interval_weeks < 1:
                found.append((f"vaccines[{i}].interval_weeks", "must be >= 1 for two doses"))
            if v.min_age > v.max_age:
                found.append((f"vaccines[{i}].min_age", "must not exceed max_age"))
        for code, series in self.deliveries.items():
            if code not in codes:
                found.append((f"deliveries.{code}", "unknown vaccine"))
            elif len(series) != n:
                found.append((f"deliveries.{code}", f"needs {n} weekly values"))
            elif any(not np.isfinite(x) or x < 0 for x in series):
                found.append((f"deliveries.{code}", "values must be finite and >= 0"))
        if len(self.capacity) != n:
            found.append(("capacity", f"needs {n} weekly values"))
        elif any(x < 0 for x in self.capacity):
            found.append(("capacity", "values must be >= 0"))
        ranks = [it.rank for it in self.items]
        if len(set(ranks)) != len(ranks):
            found.append(("items", "ranks must be distinct"))
        for i, it in enumerate(self.items):
            if it.size < 0:
                found.append((f"items[{i}].size", "must be >= 0"))
            if not 0 <= it.uptake <= 1:
                found.append((f"items[{i}].uptake", "must be between 0 and 1"))
        return found

    def delivery_matrix(self) -> FloatArray:
        """[vaccine, week] doses delivered (0 where a vaccine has no series)."""
        out = np.zeros((len(self.vaccines), len(self.weeks)))
        for k, v in enumerate(self.vaccines):
            if v.code in self.deliveries:
                out[k] = np.asarray(self.deliveries[v.code], dtype=np.float64)
        return out

    def eligible(self) -> npt.NDArray[np.bool_]:
        """[item, vaccine] may the item receive the vaccine."""
        return np.array([[v.suits(it) for v in self.vaccines] for it in self.items], dtype=bool)

    def ordered(self) -> ScheduleInput:
        return replace(self, items=tuple(sorted(self.items, key=lambda it: it.rank)))


@dataclass(frozen=True, slots=True)
class Schedule:
    """First doses per [item, vaccine, week]; second doses follow from the intervals."""

    method: str
    status: str
    inp: ScheduleInput
    first: FloatArray  # [item, vaccine, week]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def second(self) -> FloatArray:
        """[vaccine, week] second doses due (inside the horizon)."""
        n_w = len(self.inp.weeks)
        out = np.zeros((len(self.inp.vaccines), n_w))
        for k, v in enumerate(self.inp.vaccines):
            if v.doses == 2 and v.interval_weeks < n_w:
                out[k, v.interval_weeks :] = self.first[:, k, : n_w - v.interval_weeks].sum(axis=0)
        return out

    def full(self) -> FloatArray:
        """[item, week] people fully vaccinated that week."""
        n_w = len(self.inp.weeks)
        out = np.zeros((len(self.inp.items), n_w))
        for k, v in enumerate(self.inp.vaccines):
            lag = v.interval_weeks if v.doses == 2 else 0
            if lag < n_w:
                out[:, lag:] += self.first[:, k, : n_w - lag]
        return out

    def doses_used(self) -> FloatArray:
        """[vaccine, week] doses administered (first + second)."""
        return self.first.sum(axis=0) + self.second()


# ---- milestones ------------------------------------------------------------------------


def _first_week(cumulative: FloatArray, threshold: float) -> int | None:
    hits = np.flatnonzero(cumulative >= threshold - EPS)
    return int(hits[0]) if hits.size else None


def milestones(
    schedule: Schedule, *, start_share: float = 0.02, done_share: float = 0.99
) -> list[dict[str, object]]:
    """Per item: week of invitation, first doses (start, half, done) and full vaccination.

    ``None`` where the milestone falls after the horizon. A cohort *starts* in the week its
    first doses reach ``start_share`` of its uptake (2 %: a few people ahead of the rest are
    not the cohort's turn), is *done* at ``done_share``. Invitation is the start minus the
    invitation lead time (data file; an assumption).
    """
    inp = schedule.inp
    weeks = inp.weeks
    first = schedule.first.sum(axis=1)  # [item, week]
    full = schedule.full()
    rows: list[dict[str, object]] = []
    for i, it in enumerate(inp.items):
        demand = it.demand
        cum_first = np.cumsum(first[i])
        cum_full = np.cumsum(full[i])
        start = _first_week(cum_first, max(1.0, start_share * demand)) if demand >= 1.0 else None
        half = _first_week(cum_first, 0.5 * demand) if demand >= 1.0 else None
        done = _first_week(cum_first, done_share * demand) if demand >= 1.0 else None
        full_done = _first_week(cum_full, done_share * demand) if demand >= 1.0 else None
        invite = None if start is None else max(0, start - inp.invitation_lead_weeks)

        def label(week: int | None) -> str | None:
            return None if week is None else weeks[week]

        by_vaccine = schedule.first[i].sum(axis=1)
        rows.append(
            {
                "item": it.code,
                "group": it.group,
                "label": it.label,
                "rank": it.rank,
                "ages": f"{it.min_age}-{it.max_age}",
                "size": round(it.size),
                "uptake": it.uptake,
                "demand": round(demand),
                "invitation_week": label(invite),
                "first_dose_start": label(start),
                "first_dose_half": label(half),
                "first_dose_done": label(done),
                "fully_vaccinated": label(full_done),
                "first_doses": round(float(cum_first[-1])) if len(cum_first) else 0,
                "fully_vaccinated_people": round(float(cum_full[-1])) if len(cum_full) else 0,
                "by_vaccine": {
                    v.code: round(float(by_vaccine[k]))
                    for k, v in enumerate(inp.vaccines)
                    if by_vaccine[k] >= 0.5
                },
            }
        )
    return rows


# ---- the two rules, as checks --------------------------------------------------------------


def order_violations(schedule: Schedule, *, tol: float = 1e-6) -> list[str]:
    """Every (week, vaccine, higher item, lower item) where the order rule is broken."""
    inp = schedule.inp
    elig = inp.eligible()
    cum_total = np.cumsum(schedule.first.sum(axis=1), axis=1)  # [item, week]
    cum_by_v = np.cumsum(schedule.first, axis=2)  # [item, vaccine, week]
    order = sorted(range(len(inp.items)), key=lambda i: inp.items[i].rank)
    found: list[str] = []
    for a, i in enumerate(order):
        d_i = inp.items[i].demand
        if d_i <= tol:
            continue
        share_i = cum_total[i] / d_i
        for j in order[a + 1 :]:
            d_j = inp.items[j].demand
            if d_j <= tol:
                continue
            for k, v in enumerate(inp.vaccines):
                if not (elig[i, k] and elig[j, k]):
                    continue
                excess = cum_by_v[j, k] / d_j - share_i
                # one person of slack: the greedy rule gives whole people
                bad = np.flatnonzero(excess > tol + 1.0 / d_i + 1.0 / d_j)
                if bad.size:
                    w = int(bad[0])
                    found.append(
                        f"{inp.weeks[w]}: {inp.items[j].code} got {v.code} ahead of "
                        f"{inp.items[i].code} ({excess[w]:.4f} of its uptake)"
                    )
    return found


def stock_violations(schedule: Schedule, *, tol: float = 1e-6) -> list[str]:
    """Weeks where a vaccine was given beyond its cumulative deliveries, or capacity."""
    inp = schedule.inp
    delivered = np.cumsum(inp.delivery_matrix(), axis=1)
    used = np.cumsum(schedule.doses_used(), axis=1)
    found: list[str] = []
    for k, v in enumerate(inp.vaccines):
        scale = max(1.0, float(delivered[k, -1])) if delivered.size else 1.0
        bad = np.flatnonzero(used[k] - delivered[k] > tol * scale)
        if bad.size:
            found.append(f"{inp.weeks[int(bad[0])]}: {v.code} used beyond deliveries")
        courses = float(schedule.first[:, k, :].sum()) * v.doses
        if delivered.size and courses - delivered[k, -1] > tol * scale:
            found.append(f"{v.code}: courses started need more doses than delivered")
    per_week = schedule.doses_used().sum(axis=0)
    cap = np.asarray(inp.capacity, dtype=np.float64)
    bad = np.flatnonzero(per_week - cap > tol * np.maximum(1.0, cap))
    if bad.size:
        found.append(f"{inp.weeks[int(bad[0])]}: administration capacity exceeded")
    demand = np.array([it.demand for it in inp.items])
    over = np.flatnonzero(schedule.first.sum(axis=(1, 2)) - demand > tol * np.maximum(1, demand))
    if over.size:
        found.append(f"{inp.items[int(over[0])].code}: more first doses than its uptake")
    return found


def differences(a: Schedule, b: Schedule, *, min_weeks: int = 1) -> list[dict[str, object]]:
    """Items whose milestones differ by at least ``min_weeks`` between two schedules."""
    index = {w: n for n, w in enumerate(a.inp.weeks)}
    rows = []
    for ra, rb in zip(milestones(a), milestones(b), strict=True):
        changed = {}
        for key in ("first_dose_start", "first_dose_half", "first_dose_done", "fully_vaccinated"):
            wa, wb = ra[key], rb[key]
            if wa == wb:
                continue
            if wa is None or wb is None:
                changed[key] = {a.method: wa, b.method: wb, "weeks": None}
                continue
            delta = index[str(wb)] - index[str(wa)]
            if abs(delta) >= min_weeks:
                changed[key] = {a.method: wa, b.method: wb, "weeks": delta}
        if changed:
            rows.append({"item": ra["item"], "label": ra["label"], "changes": changed})
    return rows


def chart_rows(schedule: Schedule) -> list[tuple[str, list[float]]]:
    """(item label, share of uptake with a first dose by the end of each week)."""
    cum = np.cumsum(schedule.first.sum(axis=1), axis=1)
    rows = []
    for i, it in enumerate(schedule.inp.items):
        share = cum[i] / it.demand if it.demand > 0 else np.zeros_like(cum[i])
        rows.append((it.label, [float(min(1.0, x)) for x in share]))
    return rows


def ensure_sorted(items: Sequence[Item]) -> tuple[Item, ...]:
    return tuple(sorted(items, key=lambda it: it.rank))
