"""The linear model the spreading builders fill, and the context they all see.

Columns, rows and COO entries collected as numpy blocks (turned into one CSR matrix for
HiGHS by ``solve``), the variables made so far, and the two indicator families that
several builders share: an area's role on a day (z) and an arc used on a day (y).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kraan.domain.spreading.model import Area, FloatArray, IntArray, SpreadSettings
from kraan.domain.spreading.network import Arcs

INF = math.inf
#: Deviations of up to half a patient are free: whole patients cannot do better.
SPREAD_DEAD_BAND = 0.5
#: The peak-load term ignores the last patient: whole patients can always come within
#: one of a fractional fair share (issue 13; see ``add_peak_load_penalty``).
PEAK_DEAD_BAND = 1.0


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
    #: (columns, costs) of the terms that rank first: overflow, last resort, peak load
    primary: list[tuple[IntArray, FloatArray]] = field(default_factory=list)

    def primary_cost(self) -> FloatArray:
        """The objective of the first lexicographic stage, as a cost vector."""
        cost = np.zeros(self.model.num_col)
        for cols, values in self.primary:
            np.add.at(cost, np.ravel(cols), np.broadcast_to(values, np.shape(cols)).ravel())
        return cost

    @property
    def days(self) -> int:
        return int(self.base.shape[1])

    def movable(self, dom: IntArray) -> npt.NDArray[np.bool_]:
        """Per domestic area in ``dom``: can the plan change its load at all?

        False for an area no arc touches while no arc leads abroad (the domestic total,
        and with it every fair share, is then fixed): its deviation is a constant, so the
        spread and peak terms leave it out of the model (the continental case's areas
        are mostly such). With an arc abroad every area's share can move: all True.
        """
        last = np.array([a.is_last_resort for a in self.areas], dtype=bool)
        if last[self.arcs.target].any():
            return np.ones(dom.size, dtype=bool)
        touched = np.zeros(len(self.areas), dtype=bool)
        touched[self.arcs.source] = True
        touched[self.arcs.target] = True
        return touched[dom]

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
        return self.intake_bound().max(axis=1)

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
