"""The whole-patient plans ``solve_plan`` chooses from, and the order they rank in.

Every method ends with a few plans that keep every enforced constraint: doing nothing,
the LP rounded and repaired, the MIP's (when it runs), and the greedy rule's (up to
``GREEDY_MAX_AREAS`` areas). They rank as issue 13 asks: overflow (and the last resort)
first, then the highest load over the domestic areas and plan days, then the whole
objective. The model's peak term ignores the last patient (``PEAK_DEAD_BAND``, which
keeps its LP bound tight) and weighs load, so in a small area it could trade a patient
at the top for a patient at the bottom; ranking the finished plans on the exact highest
load closes that gap, and with the greedy rule among them no plan's highest load is
above the rule of thumb's (the property test of issue 13).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kraan.domain.spreading.fairshare import agreed_capacity, domestic_mask
from kraan.domain.spreading.greedy import greedy_plan
from kraan.domain.spreading.linear import Context
from kraan.domain.spreading.model import Area, FloatArray, SpreadSettings
from kraan.domain.spreading.network import Arcs, haversine_km
from kraan.domain.spreading.repair import plan_scores, repair

#: objective units: first-rank costs within this of the best count as equal (a tenth of
#: a bed-day of overflow at the default weight)
PRIMARY_TOLERANCE = 0.5
#: loads within this count as equal (rounding only: a patient in 10,000 beds is 1e-4)
LOAD_TOLERANCE = 1e-9
#: the greedy rule is a candidate up to this many areas: it costs O(n^2) per step
#: (measured 0.03 s CPU at 100 hospitals, 0.5 s at 500; docs/spreading.md)
GREEDY_MAX_AREAS = 500


@dataclass(frozen=True, slots=True)
class Candidate:
    """A whole-patient plan x [arc, class, day] on its own arcs, with its ranks."""

    hard: float  # overflow bed-days and last-resort patients, weighted
    peak: float  # highest load over domestic areas and plan days (0 if not ranked)
    objective: float  # the whole objective (``plan_costs``)
    x: FloatArray
    arcs: Arcs
    status: str
    gap: float


def occupancy_after(base: FloatArray, arcs: Arcs, flows: FloatArray) -> FloatArray:
    """base + cumulative net transfers; ``flows`` is [arc, day] patients (all classes)."""
    net = np.zeros_like(base)
    np.add.at(net, arcs.target, flows)
    np.subtract.at(net, arcs.source, flows)
    return base + np.cumsum(net, axis=1)


def highest_load(areas: Sequence[Area], settings: SpreadSettings, after: FloatArray) -> float:
    """The highest COVID load (occupancy / agreed capacity) of a domestic area on any day."""
    dom = domestic_mask(areas)
    if dom.sum() < 2:
        return 0.0
    agreed = agreed_capacity(areas, settings.basis)[dom]
    return float((after[dom] / agreed[:, None]).max())


def score(ctx: Context, x: FloatArray, arcs: Arcs, status: str, gap: float) -> Candidate:
    """Rank a whole-patient plan on ``arcs`` (not necessarily the model's)."""
    after = occupancy_after(ctx.base, arcs, x.sum(axis=1))
    hard, _, objective = plan_scores(ctx.areas, ctx.settings, after, arcs, x)
    ranked = ctx.settings.weight_peak_load > 0
    peak = highest_load(ctx.areas, ctx.settings, after) if ranked else 0.0
    return Candidate(hard, peak, objective, x, arcs, status, gap)


def best(candidates: list[Candidate]) -> Candidate:
    """Least overflow (within tolerance), then the lowest highest load, then objective."""
    floor = min(c.hard for c in candidates)
    level = [c for c in candidates if c.hard <= floor + PRIMARY_TOLERANCE]
    lowest = min(c.peak for c in level)
    level = [c for c in level if c.peak <= lowest + LOAD_TOLERANCE]
    return min(level, key=lambda c: c.objective)


def greedy_candidate(ctx: Context) -> Candidate | None:
    """The greedy rule's transfers today, kept feasible over the horizon by ``repair``.

    The rule plans day 0 from today's occupancy; the repair trims what a forecast
    rise on a later day would no longer leave room for. None above ``GREEDY_MAX_AREAS``.
    """
    areas, settings = ctx.areas, ctx.settings
    if len(areas) > GREEDY_MAX_AREAS:
        return None
    plan = greedy_plan(areas, settings)
    if not plan.transfers:
        return None
    index = {a.code: i for i, a in enumerate(areas)}
    pairs = sorted({(index[t.source], index[t.target]) for t in plan.transfers})
    source = np.array([p[0] for p in pairs], dtype=np.int64)
    target = np.array([p[1] for p in pairs], dtype=np.int64)
    lat = np.array([a.lat for a in areas])
    lon = np.array([a.lon for a in areas])
    arcs = Arcs(source, target, haversine_km(lat[source], lon[source], lat[target], lon[target]))
    classes = [c.name for c in settings.classes()]
    x = np.zeros((len(pairs), len(classes), ctx.days))
    arc_of = {p: a for a, p in enumerate(pairs)}
    for t in plan.transfers:
        arc = arc_of[(index[t.source], index[t.target])]
        x[arc, classes.index(t.patient_class), 0] += t.patients
    x = repair(areas, settings, ctx.base, arcs, x, ctx.free_beds())
    return score(ctx, x, arcs, "optimal", 0.0)
