"""The vaccination schedule as one linear programme, solved by HiGHS.

Columns (people in thousands, so the coefficients stay near 1):

- ``x[i, v, w]`` first doses of vaccine v to item i in week w (eligible pairs only);
- ``F[i, w]`` item i's cumulative first doses by the end of week w (0 <= F <= uptake);
- ``G[i, v, w]`` the same for vaccine v alone.

Rows: the cumulative definitions; per vaccine and week, first plus second doses given so
far <= delivered so far; every course started completable from the horizon's deliveries;
per week, doses <= administration capacity; and the **order rule** of
:mod:`.vaccination` for every vaccine v and pair i above j that may both receive v:
``G[j, v, w] / D_j - F[i, w] / D_i <= 0``.

The objective rewards every first dose, more for higher-ranked items and for earlier weeks:
``max sum (2 - pos_i / n) * (n_w - w) * x``. Unlike the greedy rule, the LP knows the
future deliveries, so it holds back no second doses it can count on, and it matches
vaccines to the items that need them (e.g. leaves mRNA to the oldest and gives a vector
vaccine to the cohorts that may have it).
"""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np

from kraan.domain.care_at_home.vaccination import FloatArray, Schedule, ScheduleInput

UNIT = 1000.0  # people per LP unit


def _quiet_highs(time_limit: float) -> highspy.Highs:
    """A Highs instance without its banner (printed on construction, before
    ``output_flag`` can switch it off): stdout points at the null device meanwhile, not
    at stderr, so no command prints the banner anywhere."""
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
    highs.setOptionValue("time_limit", float(time_limit))
    return highs


class _Rows:
    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, cols: list[int], vals: list[float], lower: float, upper: float) -> None:
        n = len(self.lower)
        self.rows.append(np.full(len(cols), n, dtype=np.int64))
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.vals.append(np.asarray(vals, dtype=np.float64))
        self.lower.append(lower)
        self.upper.append(upper)


def solve_lp(inp: ScheduleInput, *, time_limit: float = 30.0) -> Schedule:
    inp = inp.ordered()
    n_i, n_v, n_w = len(inp.items), len(inp.vaccines), len(inp.weeks)
    eligible = inp.eligible()
    pairs = [(i, k) for i in range(n_i) for k in range(n_v) if eligible[i, k]]
    demand = np.array([it.demand for it in inp.items]) / UNIT
    delivered = np.cumsum(inp.delivery_matrix(), axis=1) / UNIT
    capacity = np.asarray(inp.capacity, dtype=np.float64) / UNIT
    n_p = len(pairs)
    x0, f0, g0 = 0, n_p * n_w, n_p * n_w + n_i * n_w

    def x(p: int, w: int) -> int:
        return x0 + p * n_w + w

    def f(i: int, w: int) -> int:
        return f0 + i * n_w + w

    def g(p: int, w: int) -> int:
        return g0 + p * n_w + w

    n_col = g0 + n_p * n_w
    lower = np.zeros(n_col)
    upper = np.full(n_col, np.inf)
    cost = np.zeros(n_col)
    for p, (i, _k) in enumerate(pairs):
        weight = 2.0 - i / max(n_i, 1)
        for w in range(n_w):
            cost[x(p, w)] = -weight * (n_w - w)
            upper[g(p, w)] = demand[i]
    for i in range(n_i):
        for w in range(n_w):
            upper[f(i, w)] = demand[i]

    rows = _Rows()
    by_item: dict[int, list[int]] = {}
    by_vaccine: dict[int, list[int]] = {}
    for p, (i, k) in enumerate(pairs):
        by_item.setdefault(i, []).append(p)
        by_vaccine.setdefault(k, []).append(p)
        for w in range(n_w):  # G[p, w] = G[p, w-1] + x[p, w]
            cols, vals = [g(p, w), x(p, w)], [1.0, -1.0]
            if w:
                cols.append(g(p, w - 1))
                vals.append(-1.0)
            rows.add(cols, vals, 0.0, 0.0)
    for i in range(n_i):
        for w in range(n_w):  # F[i, w] = F[i, w-1] + sum_v x[i, v, w]
            cols, vals = [f(i, w)], [1.0]
            if w:
                cols.append(f(i, w - 1))
                vals.append(-1.0)
            for p in by_item.get(i, []):
                cols.append(x(p, w))
                vals.append(-1.0)
            rows.add(cols, vals, 0.0, 0.0)
    for k, v in enumerate(inp.vaccines):
        ps = by_vaccine.get(k, [])
        if not ps:
            continue
        lag = v.interval_weeks if v.doses == 2 else None
        for w in range(n_w):  # doses given so far <= delivered so far
            cols = [g(p, w) for p in ps]
            vals = [1.0] * len(ps)
            if lag is not None and w - lag >= 0:
                cols += [g(p, w - lag) for p in ps]
                vals += [1.0] * len(ps)
            rows.add(cols, vals, -np.inf, float(delivered[k, w]))
        rows.add(  # every course started can be completed from the deliveries
            [g(p, n_w - 1) for p in ps], [float(v.doses)] * len(ps), -np.inf,
            float(delivered[k, -1]),
        )  # fmt: skip
    for w in range(n_w):  # administration capacity
        cols, vals = [], []
        for p, (_i, k) in enumerate(pairs):
            cols.append(x(p, w))
            vals.append(1.0)
            v = inp.vaccines[k]
            if v.doses == 2 and w - v.interval_weeks >= 0:
                cols.append(x(p, w - v.interval_weeks))
                vals.append(1.0)
        if np.isfinite(capacity[w]):
            rows.add(cols, vals, -np.inf, float(capacity[w]))
    for p_j, (j, k) in enumerate(pairs):  # the order rule
        if demand[j] <= 0:
            continue
        for i in range(j):
            if not eligible[i, k] or demand[i] <= 0:
                continue
            for w in range(n_w):
                rows.add([g(p_j, w), f(i, w)], [1.0 / demand[j], -1.0 / demand[i]], -np.inf, 0.0)

    first, status = _run(inp, rows, n_col, cost, lower, upper, pairs, x, time_limit)  # type: ignore[no-untyped-call]
    return Schedule(
        method="lp",
        status=status,
        inp=inp,
        first=first,
        notes=("HiGHS LP; counts on the stated future deliveries for second doses",),
    )


def _run(inp, rows, n_col, cost, lower, upper, pairs, x, time_limit):  # type: ignore[no-untyped-def]
    n_i, n_v, n_w = len(inp.items), len(inp.vaccines), len(inp.weeks)
    r = np.concatenate(rows.rows) if rows.rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(rows.cols) if rows.cols else np.zeros(0, dtype=np.int64)
    val = np.concatenate(rows.vals) if rows.vals else np.zeros(0)
    n_row = len(rows.lower)
    order = np.lexsort((c, r))
    starts = np.searchsorted(r[order], np.arange(n_row + 1)).astype(np.int32)
    highs = _quiet_highs(time_limit)
    highs.passModel(
        n_col, n_row, int(val.size), int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize), 0.0, cost, lower, upper,
        np.asarray(rows.lower, dtype=np.float64), np.asarray(rows.upper, dtype=np.float64),
        starts, c[order].astype(np.int32), val[order], np.zeros(n_col, dtype=np.int32),
    )  # fmt: skip
    highs.run()
    model_status = highs.getModelStatus()
    status = highs.modelStatusToString(model_status).lower().replace(" ", "_")
    first: FloatArray = np.zeros((n_i, n_v, n_w))
    if highs.getInfo().primal_solution_status != 2:
        return first, status
    values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    for p, (i, k) in enumerate(pairs):
        first[i, k, :] = np.maximum(values[[x(p, w) for w in range(n_w)]], 0.0) * UNIT
    return first, status
