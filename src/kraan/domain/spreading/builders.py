"""Named builders of the transfer-plan MIP, one per constraint or penalty (style.md item 5).

Like JHU's PatientAllocation.jl (``enforce_*!`` / ``add_*!``), each builder adds its own
variables and rows to a :class:`LinearModel`, and :data:`BUILDERS` says which option of
:class:`SpreadSettings` switches it on. Everything is vectorised over arcs x classes x
days with numpy, so 5,000 hospitals x 20 neighbours builds without Python loops.

Variables: ``x[a, k, t]`` patients of class k on arc a on day t (integer);
``occ[i, t]`` COVID occupancy at the end of day t; indicators ``z`` (area's role on day
t: sender or receiver) and ``y`` (arc used on day t) are created on first use. Only the
first ``integer_days`` days are integer; later days are an LP (see ``solve``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kraan.domain.spreading.fairshare import agreed_capacity, domestic_mask
from kraan.domain.spreading.model import (
    Area,
    FloatArray,
    IntArray,
    SpreadMeasure,
    SpreadSettings,
)
from kraan.domain.spreading.network import Arcs

INF = math.inf
#: Deviations of up to half a patient are free: whole patients cannot do better.
SPREAD_DEAD_BAND = 0.5


@dataclass(slots=True)
class LinearModel:
    """Columns, rows and COO entries; turned into CSR arrays for HiGHS by ``solve``."""

    cost: list[FloatArray] = field(default_factory=list)
    lower: list[FloatArray] = field(default_factory=list)
    upper: list[FloatArray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    start: list[FloatArray] = field(default_factory=list)
    row_lower: list[FloatArray] = field(default_factory=list)
    row_upper: list[FloatArray] = field(default_factory=list)
    entry_row: list[IntArray] = field(default_factory=list)
    entry_col: list[IntArray] = field(default_factory=list)
    entry_value: list[FloatArray] = field(default_factory=list)
    num_col: int = 0
    num_row: int = 0

    def add_cols(
        self,
        count: int,
        *,
        cost: float | FloatArray = 0.0,
        lower: float | FloatArray = 0.0,
        upper: float | FloatArray = INF,
        integer: bool = False,
        start: float | FloatArray = 0.0,
    ) -> IntArray:
        """Add ``count`` columns; returns their indices. ``start`` is a feasible value."""
        index = np.arange(self.num_col, self.num_col + count, dtype=np.int64)
        self.num_col += count
        self.cost.append(np.broadcast_to(np.asarray(cost, np.float64), (count,)).copy())
        self.lower.append(np.broadcast_to(np.asarray(lower, np.float64), (count,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, np.float64), (count,)).copy())
        self.integer.append(np.full(count, integer, dtype=bool))
        self.start.append(np.broadcast_to(np.asarray(start, np.float64), (count,)).copy())
        return index

    def add_rows(
        self, lower: float | FloatArray, upper: float | FloatArray, count: int
    ) -> IntArray:
        index = np.arange(self.num_row, self.num_row + count, dtype=np.int64)
        self.num_row += count
        self.row_lower.append(np.broadcast_to(np.asarray(lower, np.float64), (count,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, np.float64), (count,)).copy())
        return index

    def add_entries(self, rows: IntArray, cols: IntArray, values: float | FloatArray) -> None:
        rows, cols = np.asarray(rows), np.asarray(cols)
        if rows.shape != cols.shape:
            raise ValueError(f"entry shapes differ: rows {rows.shape}, cols {cols.shape}")
        values = np.broadcast_to(np.asarray(values, np.float64), rows.shape)
        self.entry_row.append(rows.ravel().astype(np.int64))
        self.entry_col.append(cols.ravel().astype(np.int64))
        self.entry_value.append(values.ravel().copy())

    def add_cost(self, cols: IntArray, values: float | FloatArray) -> None:
        """Add to the objective coefficients of existing columns."""
        flat = np.concatenate(self.cost) if len(self.cost) > 1 else self.cost[0]
        np.add.at(flat, np.asarray(cols).ravel(), np.broadcast_to(values, np.shape(cols)).ravel())
        self.cost = [flat]


@dataclass(slots=True)
class Context:
    """What every builder sees: data, arcs, the variables made so far."""

    areas: list[Area]
    settings: SpreadSettings
    arcs: Arcs
    base: FloatArray  # [n, T] occupancy without transfers
    model: LinearModel
    x: IntArray  # [A, K, T] column indices
    occ: IntArray  # [n, T] column indices
    role: IntArray | None = None  # [n, T]
    used: IntArray | None = None  # [A, T]
    x_upper: FloatArray = field(default_factory=lambda: np.zeros((0, 0, 0)))  # [A, K, T]
    integer_days: int = 0  # days < this are solved in whole patients

    @property
    def days(self) -> int:
        return int(self.base.shape[1])

    @property
    def vehicles(self) -> list[str]:
        return [c.vehicle.value for c in self.settings.classes()]

    def limit(self) -> FloatArray:
        """Beds an area may fill when receiving: staffed - non-COVID - reserve."""
        s = self.settings
        return np.array(
            [
                a.capacity
                - a.non_covid_occupied
                - max(
                    math.ceil(s.reserve_days * a.acute_inflow),
                    math.ceil(s.reserve_share * a.capacity),
                )
                for a in self.areas
            ],
            dtype=np.float64,
        )

    def day_transport(self) -> float:
        """Most patients that can travel on one day (all vehicles), or a bound from occupancy."""
        bound = float(np.ceil(self.base.max(axis=1).sum()))
        if not self.settings.enforce_transport_capacity:
            return bound
        caps = {
            c.vehicle: self.settings.transport_capacity(c.vehicle) for c in self.settings.classes()
        }
        return float(min(sum(caps.values()), bound))

    def free_beds(self) -> FloatArray:
        """[n, T] beds free for transfers in: max(0, limit - own occupancy without transfers)."""
        return np.maximum(self.limit()[:, None] - self.base, 0.0)

    def intake_bound(self) -> FloatArray:
        """[n, T] most patients an area can take on day t (free beds of every later day)."""
        bound = np.full(self.base.shape, self.day_transport())
        if self.settings.enforce_receiving_capacity:
            suffix_min = np.minimum.accumulate(self.free_beds()[:, ::-1], axis=1)[:, ::-1]
            bound = np.minimum(bound, np.floor(suffix_min + 1e-9))
        return bound

    def max_inflow(self) -> FloatArray:
        """Per area: most patients it can receive on one day."""
        most: FloatArray = self.intake_bound().max(axis=1)
        return most

    def max_outflow(self) -> FloatArray:
        cap = np.full(len(self.areas), self.day_transport())
        if self.settings.enforce_stable_share:
            peak = self.base.max(axis=1) + self.days * self.max_inflow()
            cap = np.minimum(cap, np.ceil(self.settings.stable_share * peak))
        return cap


def flow_rows(ctx: Context, sign: int) -> tuple[IntArray, IntArray]:
    """(area per x entry, x column) for arcs leaving (sign=+1) or entering (-1) an area."""
    node = ctx.arcs.source if sign > 0 else ctx.arcs.target
    k, t = ctx.x.shape[1], ctx.x.shape[2]
    return np.repeat(node, k * t), ctx.x.reshape(-1)


def _day_of_x(ctx: Context) -> IntArray:
    a, k, t = ctx.x.shape
    return np.tile(np.arange(t), a * k)


def add_flow_balance(ctx: Context) -> None:
    """occ[i,t] = occ[i,t-1] + base step + inflow - outflow: patients are conserved."""
    m, n, days = ctx.model, len(ctx.areas), ctx.days
    step = np.diff(ctx.base, axis=1, prepend=0.0)
    rows = m.add_rows(step.ravel(), step.ravel(), n * days).reshape(n, days)
    m.add_entries(rows, ctx.occ, 1.0)
    m.add_entries(rows[:, 1:], ctx.occ[:, :-1], -1.0)
    day = _day_of_x(ctx)
    out_node, cols = flow_rows(ctx, +1)
    in_node, _ = flow_rows(ctx, -1)
    m.add_entries(rows[out_node, day], cols, 1.0)
    m.add_entries(rows[in_node, day], cols, -1.0)


def role_indicator(ctx: Context) -> IntArray:
    """z[i,t] = 1: area i may send on day t, 0: it may receive (one binary, created once).

    out[i,t] <= M_out[i,t] * z[i,t] and in[i,t] <= M_in[i,t] * (1 - z[i,t]), with M the
    area's own bounds on that day (stable share, transport, free beds), not a global M.
    Binary on the integer days only; later days keep the (weaker) LP relaxation.
    """
    if ctx.role is None:
        m, n, days, k = ctx.model, len(ctx.areas), ctx.days, ctx.x.shape[1]
        whole = np.broadcast_to(np.arange(days) < ctx.integer_days, (n, days))
        ctx.role = m.add_cols(n * days, upper=1.0, integer=True).reshape(n, days)
        m.integer[-1] = whole.ravel().copy()
        big_out = np.broadcast_to(ctx.max_outflow()[:, None], (n, days))
        big_in = ctx.intake_bound()
        day = _day_of_x(ctx)
        # out - M_out z <= 0 ; in + M_in z <= M_in
        for node, coef, upper in (
            (ctx.arcs.source, -big_out, np.zeros((n, days))),
            (ctx.arcs.target, big_in, big_in),
        ):
            rows = m.add_rows(-INF, upper.ravel(), n * days).reshape(n, days)
            m.add_entries(rows[np.repeat(node, k * days), day], ctx.x.reshape(-1), 1.0)
            m.add_entries(rows, ctx.role, coef)
    return ctx.role


def transfer_indicator(ctx: Context) -> IntArray:
    """y[a,t] = 1 when arc a carries patients on day t: one transfer (created once).

    Big-M per arc and day: the arc's own bound (sender, receiver, vehicles). Binary on
    the integer days when the count is exact or a minimum batch applies; else relaxed.
    """
    if ctx.used is None:
        a, k, days = ctx.x.shape
        m = ctx.model
        binary = ctx.settings.exact_transfer_count or (
            ctx.settings.enforce_min_batch and ctx.settings.min_batch > 1
        )
        ctx.used = m.add_cols(a * days, upper=1.0, integer=True).reshape(a, days)
        whole = np.broadcast_to(np.arange(days) < ctx.integer_days, (a, days)) & binary
        m.integer[-1] = whole.ravel().copy()
        big = np.minimum(ctx.x_upper.sum(axis=1), ctx.day_transport())  # [A, T]
        big = np.maximum(big, 1.0)
        rows = m.add_rows(-INF, 0.0, a * days).reshape(a, days)
        m.add_entries(np.repeat(rows[:, None, :], k, axis=1), ctx.x, 1.0)
        m.add_entries(rows, ctx.used, -big)
    return ctx.used


# --- constraints ---------------------------------------------------------------------


def enforce_receiving_capacity(ctx: Context) -> None:
    """Patients received up to day t never exceed the beds the receiver has free on day t.

    Free beds = staffed - non-COVID - reserve for its own acute inflow - its own (forecast)
    COVID occupancy, so a plan never fills a region that its own forecast will fill.
    Cumulative intake ``cin`` carries the limit as a column bound: no binaries needed.
    """
    m, n, days = ctx.model, len(ctx.areas), ctx.days
    cumulative = m.add_cols(n * days, upper=ctx.free_beds().ravel()).reshape(n, days)
    rows = m.add_rows(0.0, 0.0, n * days).reshape(n, days)
    m.add_entries(rows, cumulative, 1.0)
    m.add_entries(rows[:, 1:], cumulative[:, :-1], -1.0)
    in_node, cols = flow_rows(ctx, -1)
    m.add_entries(rows[in_node, _day_of_x(ctx)], cols, -1.0)


def enforce_transport_capacity(ctx: Context) -> None:
    """Per vehicle and day: patients carried <= its daily capacity (MICU, ambulance+, ...)."""
    m, classes = ctx.model, ctx.settings.classes()
    vehicles = sorted({c.vehicle for c in classes})
    caps = np.array([ctx.settings.transport_capacity(v) for v in vehicles], dtype=np.float64)
    rows = m.add_rows(-INF, np.repeat(caps, ctx.days), len(vehicles) * ctx.days)
    rows = rows.reshape(len(vehicles), ctx.days)
    vehicle_of = np.array([vehicles.index(c.vehicle) for c in classes])
    a, k, days = ctx.x.shape
    v = np.broadcast_to(vehicle_of[None, :, None], ctx.x.shape)
    t = np.broadcast_to(np.arange(days)[None, None, :], ctx.x.shape)
    m.add_entries(rows[v, t], ctx.x, 1.0)


def enforce_stable_share(ctx: Context) -> None:
    """Patients of class k sent by i on day t <= stable share x class share x occupancy."""
    m, n, days = ctx.model, len(ctx.areas), ctx.days
    classes = ctx.settings.classes()
    a, k, _ = ctx.x.shape
    fraction = ctx.settings.stable_share * np.array([c.share for c in classes])  # [K]
    step = np.diff(ctx.base, axis=1, prepend=0.0)  # occ_before = occ[t-1] + step[t]
    upper = fraction[None, :, None] * step[:, None, :]  # [n, K, T]
    rows = m.add_rows(-INF, upper.ravel(), n * k * days).reshape(n, k, days)
    src = np.broadcast_to(ctx.arcs.source[:, None, None], ctx.x.shape)
    kk = np.broadcast_to(np.arange(k)[None, :, None], ctx.x.shape)
    tt = np.broadcast_to(np.arange(days)[None, None, :], ctx.x.shape)
    m.add_entries(rows[src, kk, tt], ctx.x, 1.0)
    prev = np.broadcast_to(ctx.occ[:, None, :-1], (n, k, days - 1))
    coef = np.broadcast_to(-fraction[None, :, None], (n, k, days - 1))
    m.add_entries(rows[:, :, 1:], prev, coef)


def enforce_min_batch(ctx: Context) -> None:
    """A transfer carries at least ``min_batch`` patients: sum_k x >= min_batch * y."""
    if ctx.settings.min_batch <= 1:
        return
    y = transfer_indicator(ctx)
    a, k, days = ctx.x.shape
    m = ctx.model
    rows = m.add_rows(0.0, INF, a * days).reshape(a, days)
    m.add_entries(np.repeat(rows[:, None, :], k, axis=1), ctx.x, 1.0)
    m.add_entries(rows, y, -float(ctx.settings.min_batch))


def enforce_no_send_and_receive(ctx: Context) -> None:
    """No area sends and receives on the same day: one role binary per area and day."""
    role_indicator(ctx)


# --- penalties -----------------------------------------------------------------------


def add_overflow_penalty(ctx: Context) -> None:
    """Objective 1: bed-days above staffed capacity, o >= occ + non-COVID - staffed."""
    domestic = np.flatnonzero(domestic_mask(ctx.areas))
    limit = np.array([a.capacity - a.non_covid_occupied for a in ctx.areas], dtype=np.float64)
    m, days = ctx.model, ctx.days
    start = np.maximum(ctx.base[domestic] - limit[domestic, None], 0.0)
    over = m.add_cols(domestic.size * days, cost=ctx.settings.weight_overflow, start=start.ravel())
    over = over.reshape(domestic.size, days)
    rows = m.add_rows(-INF, np.repeat(limit[domestic], days), over.size).reshape(over.shape)
    m.add_entries(rows, ctx.occ[domestic], 1.0)
    m.add_entries(rows, over, -1.0)


def add_spread_penalty(ctx: Context) -> None:
    """Objective 2: spread of load, max-min or sum of |occupancy - fair share| (patients).

    Both ignore the last half patient (``SPREAD_DEAD_BAND``): whole patients cannot meet a
    fractional fair share, and without the band HiGHS spends its time proving roundings.
    """
    s, m, days = ctx.settings, ctx.model, ctx.days
    dom = np.flatnonzero(domestic_mask(ctx.areas))
    if dom.size < 2:
        return
    agreed = agreed_capacity(ctx.areas, s.basis)[dom]
    band = SPREAD_DEAD_BAND
    if s.spread_measure is SpreadMeasure.MAXMIN:
        scale = s.weight_spread * agreed.mean()
        upper = (ctx.base[dom] - band) / agreed[:, None]
        lower = (ctx.base[dom] + band) / agreed[:, None]
        top = m.add_cols(days, cost=scale, lower=-INF, start=upper.max(axis=0))
        bottom = m.add_cols(days, cost=-scale, lower=-INF, start=lower.min(axis=0))
        inverse = np.broadcast_to(1.0 / agreed[:, None], (dom.size, days))
        shift = np.broadcast_to((band / agreed)[:, None], (dom.size, days))
        # (occ - band)/c <= top and (occ + band)/c >= bottom, per area and day
        for col, lo, hi in ((top, -INF, shift), (bottom, -shift, INF)):
            rows = m.add_rows(np.ravel(lo), np.ravel(hi), dom.size * days).reshape(dom.size, days)
            m.add_entries(rows, ctx.occ[dom], inverse)
            m.add_entries(rows, np.broadcast_to(col[None, :], rows.shape), -1.0)
        return
    share = agreed / agreed.sum()
    total0 = ctx.base[dom].sum(axis=0)
    total = m.add_cols(days, lower=-INF, start=total0)
    rows = m.add_rows(0.0, 0.0, days)
    m.add_entries(rows, total, 1.0)
    m.add_entries(np.broadcast_to(rows[None, :], (dom.size, days)), ctx.occ[dom], -1.0)
    gap0 = np.maximum(np.abs(ctx.base[dom] - share[:, None] * total0[None, :]) - band, 0.0)
    dev = m.add_cols(dom.size * days, cost=s.weight_spread, start=gap0.ravel())
    dev = dev.reshape(dom.size, days)
    tot = np.broadcast_to(total[None, :], dev.shape)
    coef = np.broadcast_to(share[:, None], dev.shape)
    for sign in (1.0, -1.0):  # +-(occ - share * total) - dev <= band
        rows = m.add_rows(-INF, band, dev.size).reshape(dev.shape)
        m.add_entries(rows, ctx.occ[dom], sign)
        m.add_entries(rows, tot, -sign * coef)
        m.add_entries(rows, dev, -1.0)


def add_transport_penalty(ctx: Context) -> None:
    """Objective 3: patient-km, times the receiver's cost weight (Germany can cost more)."""
    weight = np.array([a.cost_weight for a in ctx.areas], dtype=np.float64)[ctx.arcs.target]
    per_patient = ctx.settings.weight_distance * ctx.arcs.km * weight
    ctx.model.add_cost(ctx.x, np.broadcast_to(per_patient[:, None, None], ctx.x.shape))


def add_last_resort_cost(ctx: Context) -> None:
    """A fixed cost per patient sent to a last-resort area: used only when overflow looms."""
    last = np.array([a.is_last_resort for a in ctx.areas], dtype=bool)[ctx.arcs.target]
    per_patient = np.where(last, ctx.settings.last_resort_cost, 0.0)
    ctx.model.add_cost(ctx.x, np.broadcast_to(per_patient[:, None, None], ctx.x.shape))


def add_transfer_count_penalty(ctx: Context) -> None:
    """Objective 4: number of transfers (an arc used on a day, whatever the batch).

    Without binaries (``exact_transfer_count`` off, no minimum batch) y = x / M exactly
    in the LP, so the count becomes a cost per patient of weight / M on each arc-day and
    needs neither columns nor rows.
    """
    s = ctx.settings
    if s.exact_transfer_count or (s.enforce_min_batch and s.min_batch > 1):
        ctx.model.add_cost(transfer_indicator(ctx), s.weight_transfer)
        return
    big = np.maximum(np.minimum(ctx.x_upper.sum(axis=1), ctx.day_transport()), 1.0)  # [A, T]
    per_patient = np.broadcast_to((s.weight_transfer / big)[:, None, :], ctx.x.shape)
    ctx.model.add_cost(ctx.x, per_patient)


#: (builder, is it on for these settings?) in build order.
BUILDERS: tuple[tuple[Callable[[Context], None], Callable[[SpreadSettings], bool]], ...] = (
    (add_flow_balance, lambda s: True),
    (enforce_receiving_capacity, lambda s: s.enforce_receiving_capacity),
    (enforce_transport_capacity, lambda s: s.enforce_transport_capacity),
    (enforce_stable_share, lambda s: s.enforce_stable_share),
    (enforce_min_batch, lambda s: s.enforce_min_batch),
    (enforce_no_send_and_receive, lambda s: s.enforce_no_send_and_receive),
    (add_overflow_penalty, lambda s: s.weight_overflow > 0),
    (add_spread_penalty, lambda s: s.weight_spread > 0),
    (add_transport_penalty, lambda s: s.weight_distance > 0),
    (add_last_resort_cost, lambda s: s.last_resort_cost > 0),
    (add_transfer_count_penalty, lambda s: s.weight_transfer > 0),
)
