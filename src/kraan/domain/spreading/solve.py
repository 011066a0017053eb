"""The one interface to the optimiser: ``solve_plan(areas, settings) -> Plan`` (HiGHS).

The model is assembled by the named builders of :mod:`.builders` into numpy arrays and
passed to HiGHS in one ``passModel`` call (CSR), which keeps the 5,000-hospital case
fast. "Do nothing" is always feasible and is handed to HiGHS as the starting solution,
so a time limit still returns a valid plan. The returned occupancy is recomputed from
the integer transfers, so conservation holds exactly, not to a solver tolerance.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace

import highspy
import numpy as np
import numpy.typing as npt

from kraan.domain.spreading.builders import BUILDERS, SPREAD_DEAD_BAND, Context, LinearModel
from kraan.domain.spreading.candidates import (
    PRIMARY_TOLERANCE,
    Candidate,
    best,
    greedy_candidate,
    occupancy_after,
    score,
)
from kraan.domain.spreading.fairshare import agreed_capacity, base_occupancy, domestic_mask
from kraan.domain.spreading.model import (
    Area,
    FloatArray,
    Plan,
    SpreadSettings,
    Transfer,
)
from kraan.domain.spreading.network import Arcs, build_arcs, candidate_arcs, keep_arcs
from kraan.domain.spreading.repair import plan_costs, repair

Int32Array = npt.NDArray[np.int32]

#: columns above which the LP relaxation uses HiGHS's interior point method (measured on
#: the 100-hospital case: 0.8 s against 2.2 s for dual simplex; docs/spreading.md).
LARGE_LP = 5000


class SpreadInputError(ValueError):
    """Bad areas or settings; ``problems`` lists (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))


def input_problems(areas: Sequence[Area], settings: SpreadSettings) -> list[tuple[str, str]]:
    """Everything wrong with the input, each with the field it concerns."""
    found = list(settings.problems())
    seen: set[str] = set()
    for i, area in enumerate(areas):
        where = f"areas[{i}]"
        if not area.code:
            found.append((f"{where}.code", "must not be empty"))
        elif area.code in seen:
            found.append((f"{where}.code", f"duplicate code {area.code!r}"))
        seen.add(area.code)
        for name in ("capacity", "covid_occupied", "non_covid_occupied"):
            if getattr(area, name) < 0:
                found.append((f"{where}.{name}", "must be >= 0"))
        values = [*area.forecast, *(v for vs in area.forecast_quantiles.values() for v in vs)]
        if any(not math.isfinite(v) or v < 0 for v in values):
            found.append((f"{where}.forecast", "values must be finite and >= 0"))
        if area.cost_weight < 0:
            found.append((f"{where}.cost_weight", "must be >= 0"))
        other_quantile = abs(settings.quantile - 0.5) > 1e-9
        known = any(abs(q - settings.quantile) < 1e-9 for q in area.forecast_quantiles)
        if other_quantile and area.forecast and not known:
            found.append((f"{where}.forecast_quantiles", f"has no quantile {settings.quantile}"))
    if not areas:
        found.append(("areas", "at least one area is needed"))
    return found


def _x_upper(ctx: Context) -> FloatArray:
    """Per [arc, class, day]: vehicle capacity, receiver's intake, sender's daily outflow."""
    arcs, s = ctx.arcs, ctx.settings
    intake = ctx.intake_bound()[arcs.target]  # [A, T]
    upper = np.minimum(intake, ctx.max_outflow()[arcs.source][:, None])
    caps = np.array(
        [
            s.transport_capacity(c.vehicle) if s.enforce_transport_capacity else math.inf
            for c in s.classes()
        ]
    )
    bounds: FloatArray = np.minimum(upper[:, None, :], caps[None, :, None])
    return bounds


def _candidates(ctx: Context) -> Arcs:
    """Arcs from areas above their fair share (or overflowing) to areas below it."""
    areas, s, base = ctx.areas, ctx.settings, ctx.base
    dom = domestic_mask(areas)
    agreed = agreed_capacity(areas, s.basis)
    target = agreed[:, None] / max(agreed.sum(), 1e-9) * base[dom].sum(axis=0)[None, :]
    dev = base - target
    limit = np.array([a.capacity - a.non_covid_occupied for a in areas], dtype=np.float64)
    over = (base - limit[:, None]).max(axis=1)
    band = SPREAD_DEAD_BAND
    spread = s.weight_spread > 0
    excess = np.maximum((dev - band).max(axis=1) if spread else -np.inf, over)
    short = (-dev - band).max(axis=1) if spread else np.full(len(areas), -np.inf)
    if s.weight_overflow > 0 and (over[dom] > 0).any():
        short = np.maximum(short, -over)
    relative = np.full(len(areas), -np.inf)
    if s.weight_peak_load > 0:
        # the worst area first: every area above the national load may send, and every
        # area below the highest load may take (levelling the top pair, as greedy does)
        ratio = np.where(dom[:, None], dev / np.maximum(agreed, 1e-9)[:, None], -np.inf)
        excess = np.maximum(excess, np.where(ratio.max(axis=1) > 1e-9, dev.max(axis=1), 0.0))
        below_top = ratio.min(axis=1) < ratio.max() - 1e-9
        short = np.maximum(short, np.where(below_top, np.maximum(-dev.min(axis=1), 1.0), 0.0))
        relative = ratio.max(axis=1)
    excess = np.where(dom, excess, 0.0)
    short = np.where(dom, short, np.inf)  # a last resort takes whenever it has room
    senders = max(int(2 * ctx.day_transport() * ctx.days), 1)
    room = ctx.intake_bound().max(axis=1)
    return candidate_arcs(ctx.arcs, excess, short, room, senders, relative=relative)


def _last_resort_only_for_overflow(ctx: Context) -> Arcs:
    """Germany is a last resort: its arcs exist only while a domestic area overflows.

    Seed 000 item 2a-c: patients went abroad only when Dutch beds ran out. A fixed cost
    alone cannot say this once the spread and peak terms value a patient-week above it.
    """
    areas, arcs = ctx.areas, ctx.arcs
    dom = domestic_mask(areas)
    limit = np.array([a.capacity - a.non_covid_occupied for a in areas], dtype=np.float64)
    if ctx.settings.weight_overflow > 0 and (ctx.base[dom] > limit[dom, None]).any():
        return arcs
    return keep_arcs(arcs, dom[arcs.target])


def build_model(areas: Sequence[Area], settings: SpreadSettings) -> Context:
    """Arcs, variables and every builder that the settings switch on."""
    base = base_occupancy(areas, settings.horizon_days, settings.quantile)
    arcs = build_arcs(areas, settings)
    n, days, k = len(areas), settings.horizon_days, len(settings.classes())
    model = LinearModel()
    empty = np.zeros((0, k, days), dtype=np.int64)
    ctx = Context(list(areas), settings, arcs, base, model, empty, empty)
    ctx.arcs = _last_resort_only_for_overflow(ctx)
    if settings.prune_arcs:
        ctx.arcs = _candidates(ctx)
    upper = _x_upper(ctx)
    ctx.x_upper = upper
    whole = settings.integer and settings.method == "mip"
    ctx.integer_days = min(settings.integer_days or days, days) if whole else 0
    integer = np.broadcast_to(np.arange(days) < ctx.integer_days, upper.shape)
    ctx.x = model.add_cols(upper.size, upper=upper.ravel(), integer=True).reshape(
        len(ctx.arcs), k, days
    )
    model.integer[-1] = integer.ravel().copy()
    ctx.occ = model.add_cols(n * days, start=base.ravel()).reshape(n, days)
    for builder, switched_on in BUILDERS:
        if switched_on(settings):
            builder(ctx)
    return ctx


def _csr(model: LinearModel) -> tuple[Int32Array, Int32Array, FloatArray]:
    rows = np.concatenate(model.entry_row)
    cols = np.concatenate(model.entry_col)
    values = np.concatenate(model.entry_value)
    keep = values != 0.0
    rows, cols, values = rows[keep], cols[keep], values[keep]
    order = np.lexsort((cols, rows))
    starts = np.searchsorted(rows[order], np.arange(model.num_row + 1)).astype(np.int32)
    return starts, cols[order].astype(np.int32), values[order]


def _quiet_highs() -> highspy.Highs:
    """A Highs instance without its banner (printed on construction, before
    ``output_flag`` can switch it off): stdout is pointed at the null device meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    return highs


def run_highs(
    model: LinearModel,
    settings: SpreadSettings,
    *,
    relax: bool = False,
    start: FloatArray | None = None,
    time_limit: float | None = None,
) -> tuple[str, FloatArray | None, float, float]:
    """Solve with HiGHS; returns (status, column values or None, objective, MIP gap)."""
    highs = _quiet_highs()
    highs.setOptionValue("mip_rel_gap", float(settings.mip_rel_gap))
    highs.setOptionValue("time_limit", max(float(time_limit or settings.time_limit_seconds), 0.01))
    highs.setOptionValue("mip_abs_gap", float(settings.mip_abs_gap))
    if relax and model.num_col > LARGE_LP:  # measured: IPM 3-4x faster on these LPs
        highs.setOptionValue("solver", "ipm")
    for name, option in settings.highs_options.items():
        highs.setOptionValue(name, option)
    starts, index, value = _csr(model)
    integer = np.concatenate(model.integer) & (not relax)
    integrality = np.where(integer, 1, 0).astype(np.int32)
    highs.passModel(
        model.num_col, model.num_row, int(value.size), int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize), 0.0,
        np.concatenate(model.cost), np.concatenate(model.lower), np.concatenate(model.upper),
        np.concatenate(model.row_lower), np.concatenate(model.row_upper),
        starts, index, value, integrality,
    )  # fmt: skip
    if integer.any():
        if start is None:
            full = highspy.HighsSolution()
            full.col_value = np.concatenate(model.start).tolist()
            full.value_valid = True
            highs.setSolution(full)
        else:  # integer columns only; HiGHS completes the rest by an LP
            cols = np.flatnonzero(integer).astype(np.int32)
            highs.setSolution(int(cols.size), cols, start[cols].astype(np.float64))
    highs.run()
    status = highs.getModelStatus()
    name = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
    }.get(status, highs.modelStatusToString(status).lower().replace(" ", "_"))
    info = highs.getInfo()
    if info.primal_solution_status != 2:  # 2 = feasible
        return name, None, math.nan, math.inf
    gap = float(info.mip_gap) if integer.any() else 0.0
    values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    return name, values, float(info.objective_function_value), gap


def solve_plan(areas: Sequence[Area], settings: SpreadSettings | None = None) -> Plan:
    """The transfer plan that best meets the objectives within every enforced constraint."""
    settings = settings or SpreadSettings()
    problems = input_problems(areas, settings)
    if problems:
        raise SpreadInputError(problems)
    settings = replace(settings, method=settings.method_for(len(areas)))
    began = time.perf_counter()
    ctx = build_model(areas, settings)
    nothing = np.zeros(ctx.x.shape)
    candidates: list[Candidate | None] = [score(ctx, nothing, ctx.arcs, "optimal", 0.0)]
    if len(ctx.arcs) > 0:
        lp_status, values, _, _ = run_highs(ctx.model, settings, relax=True)
        if values is None:
            elapsed = time.perf_counter() - began
            codes = tuple(a.code for a in areas)
            return Plan(codes, (), ctx.base, ctx.base.copy(), lp_status, math.nan, elapsed,
                        math.inf)  # fmt: skip
        rounded = _repair(ctx, values[ctx.x])
        candidates.append(score(ctx, rounded, ctx.arcs, lp_status, math.nan))
        candidates.append(_mip(ctx, rounded, began) if ctx.integer_days > 0 else None)
    if settings.weight_peak_load > 0:  # the rule of thumb: never a higher peak than it
        candidates.append(greedy_candidate(ctx))
    chosen = best([c for c in candidates if c is not None])
    elapsed = time.perf_counter() - began
    return _plan(areas, settings, ctx, chosen, elapsed)


def _mip(ctx: Context, rounded: FloatArray, began: float) -> Candidate | None:
    """The MIP from the rounded LP's start (after the first stage if lexicographic)."""
    settings = ctx.settings
    start = _start_values(ctx, rounded)
    if settings.lexicographic and ctx.primary:
        start = _first_stage(ctx, start, began)
    left = settings.time_limit_seconds - (time.perf_counter() - began)
    status, values, _, gap = run_highs(ctx.model, settings, start=start, time_limit=left)
    if values is None:
        return None
    return score(ctx, _whole_days(ctx, values[ctx.x]), ctx.arcs, status, gap)


def integer_plan_cost(ctx: Context, x: FloatArray) -> tuple[float, FloatArray]:
    """(true objective, whole-patient plan) of any solver's x [arc, class, day] on ``ctx``.

    The integer days are rounded (solver tolerance), later days repaired as ``solve_plan``
    does, and the plan is scored by ``plan_costs``: one yardstick for HiGHS and CBC.
    """
    plan = _whole_days(ctx, np.asarray(x, dtype=np.float64).copy())
    return _cost(ctx, plan)[1], plan


def _whole_days(ctx: Context, x: FloatArray) -> FloatArray:
    """A MIP's x: integer days rounded (solver tolerance), later days repaired."""
    x[:, :, : ctx.integer_days] = np.round(x[:, :, : ctx.integer_days])
    return _repair(ctx, np.maximum(x, 0.0))


def _first_stage(ctx: Context, start: FloatArray, began: float) -> FloatArray:
    """Lexicographic stage 1: overflow, last resort and peak load alone, to the optimum.

    Its optimum is then held (one row: first-stage cost <= optimum + tolerance) while
    the MIP minimises the whole objective; its solution is that MIP's start. On a time
    limit or failure the model is left as it was (one weighted MIP, as before).
    """
    model, settings = ctx.model, ctx.settings
    primary = ctx.primary_cost()
    stage = replace(model, cost=[primary])
    # optimal to within half a patient of peak load in the largest area (an integer
    # plan cannot do better than a whole patient): proving more costs seconds
    dom = domestic_mask(ctx.areas)
    agreed = agreed_capacity(ctx.areas, settings.basis)[dom]
    step = settings.weight_peak_load * float(agreed.mean() / agreed.max()) if dom.any() else 0.0
    exact = replace(settings, mip_rel_gap=0.0, mip_abs_gap=max(0.5 * step, PRIMARY_TOLERANCE))
    left = settings.time_limit_seconds - (time.perf_counter() - began)
    _, values, _, _ = run_highs(stage, exact, start=start, time_limit=left / 2)
    if values is None:
        return start
    bound = float(primary @ values) + PRIMARY_TOLERANCE
    cols = np.flatnonzero(primary)
    row = model.add_rows(-math.inf, bound, 1)
    model.add_entries(np.full(cols.size, row[0]), cols, primary[cols])
    return values


def _repair(ctx: Context, x: FloatArray) -> FloatArray:
    """Whole patients on every day, every enforced constraint kept (see ``repair``)."""
    return repair(ctx.areas, ctx.settings, ctx.base, ctx.arcs, x, ctx.free_beds())


def _cost(ctx: Context, x: FloatArray) -> tuple[float, float]:
    """(first-rank cost, whole objective) of a whole-patient plan."""
    after = occupancy_after(ctx.base, ctx.arcs, x.sum(axis=1))
    return plan_costs(ctx.areas, ctx.settings, after, ctx.arcs, x)


def _start_values(ctx: Context, x: FloatArray) -> FloatArray:
    """A MIP start from a whole-patient plan: x, the role and arc-used binaries."""
    values = np.zeros(ctx.model.num_col)
    values[ctx.x] = x
    flows = x.sum(axis=1)  # [A, T]
    if ctx.role is not None:
        n = len(ctx.areas)
        out = np.zeros((n, ctx.days))
        np.add.at(out, ctx.arcs.source, flows)
        values[ctx.role] = (out > 0.5).astype(np.float64)
    if ctx.used is not None:
        values[ctx.used] = (flows > 0.5).astype(np.float64)
    return values


def _plan(
    areas: Sequence[Area], settings: SpreadSettings, ctx: Context, chosen: Candidate,
    elapsed: float,
) -> Plan:  # fmt: skip
    flows = chosen.x.sum(axis=1)
    return Plan(
        codes=tuple(a.code for a in areas),
        transfers=_transfers(areas, chosen.arcs, chosen.x, settings),
        occupancy_before=ctx.base,
        occupancy_after=occupancy_after(ctx.base, chosen.arcs, flows),
        status=chosen.status,
        objective=chosen.objective,
        solve_seconds=elapsed,
        mip_gap=chosen.gap,
        patient_km=float((flows.sum(axis=1) * chosen.arcs.km).sum()),
    )


def _transfers(
    areas: Sequence[Area], arcs: Arcs, x: FloatArray, settings: SpreadSettings
) -> tuple[Transfer, ...]:
    """Non-zero x entries, ordered by day, sender, receiver, class."""
    classes = settings.classes()
    arc, klass, day = np.nonzero(x > 0.5)
    order = np.lexsort((klass, arcs.target[arc], arcs.source[arc], day))
    return tuple(
        Transfer(
            day=int(day[o]),
            source=areas[int(arcs.source[arc[o]])].code,
            target=areas[int(arcs.target[arc[o]])].code,
            patients=int(x[arc[o], klass[o], day[o]]),
            patient_class=classes[int(klass[o])].name,
        )
        for o in order
    )
