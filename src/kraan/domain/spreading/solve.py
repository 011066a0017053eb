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

from kraan.domain.spreading.builders import BUILDERS, SPREAD_DEAD_BAND, Context, LinearModel
from kraan.domain.spreading.fairshare import agreed_capacity, base_occupancy, domestic_mask
from kraan.domain.spreading.model import (
    Area,
    FloatArray,
    IntArray,
    Plan,
    SpreadSettings,
    Transfer,
)
from kraan.domain.spreading.network import Arcs, build_arcs, candidate_arcs
from kraan.domain.spreading.repair import plan_cost, repair

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
    return np.minimum(upper[:, None, :], caps[None, :, None])


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
    excess = np.where(dom, excess, 0.0)
    short = np.where(dom, short, np.inf)  # a last resort takes whenever it has room
    senders = max(int(2 * ctx.day_transport() * ctx.days), 1)
    return candidate_arcs(ctx.arcs, excess, short, ctx.intake_bound().max(axis=1), senders)


def build_model(areas: Sequence[Area], settings: SpreadSettings) -> Context:
    """Arcs, variables and every builder that the settings switch on."""
    base = base_occupancy(areas, settings.horizon_days, settings.quantile)
    arcs = build_arcs(areas, settings)
    n, days, k = len(areas), settings.horizon_days, len(settings.classes())
    model = LinearModel()
    empty = np.zeros((0, k, days), dtype=np.int64)
    ctx = Context(list(areas), settings, arcs, base, model, empty, empty)
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


def _csr(model: LinearModel) -> tuple[IntArray, IntArray, FloatArray]:
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
        highs = highspy.Highs()
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
    for name, value in settings.highs_options.items():
        highs.setOptionValue(name, value)
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


def occupancy_after(base: FloatArray, arcs: Arcs, flows: FloatArray) -> FloatArray:
    """base + cumulative net transfers; ``flows`` is [arc, day] patients (all classes)."""
    net = np.zeros_like(base)
    np.add.at(net, arcs.target, flows)
    np.subtract.at(net, arcs.source, flows)
    return base + np.cumsum(net, axis=1)


def solve_plan(areas: Sequence[Area], settings: SpreadSettings | None = None) -> Plan:
    """The transfer plan that best meets the objectives within every enforced constraint."""
    settings = settings or SpreadSettings()
    problems = input_problems(areas, settings)
    if problems:
        raise SpreadInputError(problems)
    settings = replace(settings, method=settings.method_for(len(areas)))
    began = time.perf_counter()
    ctx = build_model(areas, settings)
    codes = tuple(a.code for a in areas)
    if len(ctx.arcs) == 0:
        return Plan(
            codes, (), ctx.base, ctx.base.copy(), "optimal", 0.0, time.perf_counter() - began
        )
    lp_status, values, _, _ = run_highs(ctx.model, settings, relax=True)
    if values is None:
        elapsed = time.perf_counter() - began
        return Plan(codes, (), ctx.base, ctx.base.copy(), lp_status, math.nan, elapsed, math.inf)
    candidates = [(_cost(ctx, np.zeros(ctx.x.shape)), np.zeros(ctx.x.shape), "optimal", 0.0)]
    rounded = _repair(ctx, values[ctx.x])
    candidates.append((_cost(ctx, rounded), rounded, lp_status, math.nan))
    if ctx.integer_days > 0:
        start = _start_values(ctx, rounded)
        left = settings.time_limit_seconds - (time.perf_counter() - began)
        status, mip_values, _, gap = run_highs(ctx.model, settings, start=start, time_limit=left)
        if mip_values is not None:
            x = mip_values[ctx.x]
            x[:, :, : ctx.integer_days] = np.round(x[:, :, : ctx.integer_days])
            x = _repair(ctx, np.maximum(x, 0.0))
            candidates.append((_cost(ctx, x), x, status, gap))
    objective, x, status, gap = min(candidates, key=lambda c: c[0])
    elapsed = time.perf_counter() - began
    return _plan(areas, settings, ctx, x, status, objective, gap, elapsed)


def _repair(ctx: Context, x: FloatArray) -> FloatArray:
    """Whole patients on every day, every enforced constraint kept (see ``repair``)."""
    return repair(ctx.areas, ctx.settings, ctx.base, ctx.arcs, x, ctx.free_beds())


def _cost(ctx: Context, x: FloatArray) -> float:
    after = occupancy_after(ctx.base, ctx.arcs, x.sum(axis=1))
    return plan_cost(ctx.areas, ctx.settings, after, ctx.arcs, x)


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
    areas: Sequence[Area], settings: SpreadSettings, ctx: Context, x: FloatArray,
    status: str, objective: float, gap: float, elapsed: float,
) -> Plan:  # fmt: skip
    flows = x.sum(axis=1)
    return Plan(
        codes=tuple(a.code for a in areas),
        transfers=_transfers(areas, ctx, x, settings),
        occupancy_before=ctx.base,
        occupancy_after=occupancy_after(ctx.base, ctx.arcs, flows),
        status=status,
        objective=objective,
        solve_seconds=elapsed,
        mip_gap=gap,
        patient_km=float((flows.sum(axis=1) * ctx.arcs.km).sum()),
    )


def _transfers(
    areas: Sequence[Area], ctx: Context, x: FloatArray, settings: SpreadSettings
) -> tuple[Transfer, ...]:
    """Non-zero x entries, ordered by day, sender, receiver, class."""
    classes = settings.classes()
    arc, klass, day = np.nonzero(x > 0.5)
    order = np.lexsort((klass, ctx.arcs.target[arc], ctx.arcs.source[arc], day))
    return tuple(
        Transfer(
            day=int(day[o]),
            source=areas[int(ctx.arcs.source[arc[o]])].code,
            target=areas[int(ctx.arcs.target[arc[o]])].code,
            patients=int(x[arc[o], klass[o], day[o]]),
            patient_class=classes[int(klass[o])].name,
        )
        for o in order
    )
