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

from collections.abc import Callable

import numpy as np

from kraan.domain.spreading.linear import (
    INF,
    SPREAD_DEAD_BAND,
    Context,
    LinearModel,
    _day_of_x,
    flow_rows,
    role_indicator,
    transfer_indicator,
)
from kraan.domain.spreading.model import SpreadSettings
from kraan.domain.spreading.penalties import (
    add_last_resort_cost,
    add_overflow_penalty,
    add_peak_load_penalty,
    add_spread_penalty,
    add_transfer_count_penalty,
    add_transport_penalty,
    convex_segments,
    fill_segments,
    peak_reference,
)

__all__ = [
    "BUILDERS",
    "INF",
    "SPREAD_DEAD_BAND",
    "Context",
    "LinearModel",
    "convex_segments",
    "fill_segments",
    "peak_reference",
]


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


#: (builder, is it on for these settings?) in build order.
BUILDERS: tuple[tuple[Callable[[Context], None], Callable[[SpreadSettings], bool]], ...] = (
    (add_flow_balance, lambda s: True),
    (enforce_receiving_capacity, lambda s: s.enforce_receiving_capacity),
    (enforce_transport_capacity, lambda s: s.enforce_transport_capacity),
    (enforce_stable_share, lambda s: s.enforce_stable_share),
    (enforce_min_batch, lambda s: s.enforce_min_batch),
    (enforce_no_send_and_receive, lambda s: s.enforce_no_send_and_receive),
    (add_overflow_penalty, lambda s: s.weight_overflow > 0),
    (add_peak_load_penalty, lambda s: s.weight_peak_load > 0),
    (add_spread_penalty, lambda s: s.weight_spread > 0),
    (add_transport_penalty, lambda s: s.weight_distance > 0),
    (add_last_resort_cost, lambda s: s.last_resort_cost > 0),
    (add_transfer_count_penalty, lambda s: s.weight_transfer > 0),
)
