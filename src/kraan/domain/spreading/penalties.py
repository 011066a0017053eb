"""The objective's builders: overflow, peak load, spread, transport, last resort, count.

Each adds its own columns, rows and costs to the :class:`LinearModel` (style.md item 5);
:data:`kraan.domain.spreading.builders.BUILDERS` switches them on by option. The terms
that rank first (overflow, last resort, peak load) also register their costs in
``ctx.primary``, so that the MIP can be solved lexicographically (``solve``).
"""

from __future__ import annotations

import numpy as np

from kraan.domain.spreading.fairshare import agreed_capacity, domestic_mask
from kraan.domain.spreading.linear import (
    INF,
    PEAK_DEAD_BAND,
    SPREAD_DEAD_BAND,
    Context,
    transfer_indicator,
)
from kraan.domain.spreading.model import Area, FloatArray, IntArray, SpreadMeasure, SpreadSettings


def add_overflow_penalty(ctx: Context) -> None:
    """Objective 1: bed-days above staffed capacity, o >= occ + non-COVID - staffed."""
    domestic = np.flatnonzero(domestic_mask(ctx.areas))
    limit = np.array([a.capacity - a.non_covid_occupied for a in ctx.areas], dtype=np.float64)
    m, days = ctx.model, ctx.days
    start = np.maximum(ctx.base[domestic] - limit[domestic, None], 0.0)
    over = m.add_cols(domestic.size * days, cost=ctx.settings.weight_overflow, start=start.ravel())
    over = over.reshape(domestic.size, days)
    ctx.primary.append((over, np.full(over.shape, ctx.settings.weight_overflow)))
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
    if s.spread_measure is SpreadMeasure.CONVEX:
        _convex_deviation(ctx, dom, agreed, total)
        return
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


def convex_segments(agreed: FloatArray, settings: SpreadSettings) -> tuple[FloatArray, FloatArray]:
    """Per area: widths [n, S] (patients) and costs [S] of the convex penalty's segments.

    Segment 0 is the dead band (half a patient, free); then one segment per slope, its
    width the distance between two load breakpoints times the area's agreed capacity, so
    the cost of one more patient off the share depends on the area's load gap, not size.
    """
    points = np.array([0.0, *settings.convex_breakpoints, INF])
    widths = np.diff(points)[None, :] * agreed[:, None]
    widths = np.c_[np.full(agreed.size, SPREAD_DEAD_BAND), widths]
    costs = settings.weight_spread * np.r_[0.0, np.asarray(settings.convex_slopes, float)]
    return widths, costs


def fill_segments(gap: FloatArray, widths: FloatArray) -> FloatArray:
    """|gap| [n, T] poured into the segments [n, S] in order: [n, T, S] (cheapest first)."""
    start = np.c_[np.zeros(widths.shape[0]), np.cumsum(widths[:, :-1], axis=1)][:, None, :]
    return np.clip(np.abs(gap)[:, :, None] - start, 0.0, widths[:, None, :])


def _convex_deviation(ctx: Context, dom: IntArray, agreed: FloatArray, total: IntArray) -> None:
    """occ - share x total = sum_s (above_s - below_s); segment s costs more than s-1.

    Split variables with bounds, one equality row per area and day: because the costs
    rise from segment to segment, an LP fills the cheaper ones first, so the sum is the
    convex penalty without binaries (and with fewer rows than an epigraph).
    """
    m, days = ctx.model, ctx.days
    share = agreed / agreed.sum()
    gap0 = ctx.base[dom] - share[:, None] * ctx.base[dom].sum(axis=0)[None, :]
    keep = ctx.movable(dom)  # a fixed area's penalty is a constant: left out
    dom, agreed, share, gap0 = dom[keep], agreed[keep], share[keep], gap0[keep]
    widths, costs = convex_segments(agreed, ctx.settings)
    segments = widths.shape[1]
    fill0 = fill_segments(gap0, widths)  # [n, T, S]
    cost = np.broadcast_to(costs[None, None, :], fill0.shape)
    (a_lo, a_hi), (b_lo, b_hi) = _segment_bounds(ctx, dom, gap0, widths)
    above = m.add_cols(fill0.size, cost=cost.ravel(), lower=a_lo.ravel(), upper=a_hi.ravel(),
                       start=np.where(gap0[:, :, None] > 0, fill0, 0.0).ravel())  # fmt: skip
    below = m.add_cols(fill0.size, cost=cost.ravel(), lower=b_lo.ravel(), upper=b_hi.ravel(),
                       start=np.where(gap0[:, :, None] < 0, fill0, 0.0).ravel())  # fmt: skip
    above, below = above.reshape(fill0.shape), below.reshape(fill0.shape)
    last = np.array([a.is_last_resort for a in ctx.areas], dtype=bool)
    if last[ctx.arcs.target].any():  # the domestic total moves: a column in every row
        rows = m.add_rows(0.0, 0.0, dom.size * days).reshape(dom.size, days)
        m.add_entries(rows, np.broadcast_to(total[None, :], rows.shape),
                      np.broadcast_to(-share[:, None], rows.shape))  # fmt: skip
    else:  # a constant: no dense column (it slows the interior point method at scale)
        fair = share[:, None] * ctx.base[np.flatnonzero(domestic_mask(ctx.areas))].sum(axis=0)
        rows = m.add_rows(fair.ravel(), fair.ravel(), fair.size).reshape(fair.shape)
    m.add_entries(rows, ctx.occ[dom], 1.0)
    seg_rows = np.broadcast_to(rows[:, :, None], (dom.size, days, segments))
    m.add_entries(seg_rows, above, -1.0)
    m.add_entries(seg_rows, below, 1.0)


def _segment_bounds(
    ctx: Context, dom: IntArray, gap0: FloatArray, widths: FloatArray
) -> tuple[tuple[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]:
    """Bounds [n, T, S] of the above and below segments from the reachable deviations.

    An area's deviation on day t can move at most by what it can send (or take) up to
    then, so segments it cannot reach are fixed: empty ones at 0, ones it always fills
    at their width. HiGHS's presolve then drops them (most of the continental model's
    segment columns). With an arc abroad the fair shares move too: no trimming.
    """
    shape = (*gap0.shape, widths.shape[1])
    full = np.broadcast_to(widths[:, None, :], shape)
    zero = np.zeros(shape)
    last = np.array([a.is_last_resort for a in ctx.areas], dtype=bool)
    if last[ctx.arcs.target].any():
        return (zero, full), (zero, full)
    sends = np.isin(dom, ctx.arcs.source)[:, None]
    takes = np.isin(dom, ctx.arcs.target)[:, None]
    out = np.where(
        sends, np.cumsum(np.broadcast_to(ctx.max_outflow()[dom, None], gap0.shape), axis=1), 0.0
    )
    into = np.where(takes, np.cumsum(ctx.intake_bound()[dom], axis=1), 0.0)
    top, bottom = gap0 + into + 1.0, gap0 - out - 1.0  # a patient of slack: roundings
    start = np.c_[np.zeros(widths.shape[0]), np.cumsum(widths[:, :-1], axis=1)][:, None, :]

    def bounds(most: FloatArray, least: FloatArray) -> tuple[FloatArray, FloatArray]:
        hi = np.clip(np.maximum(most, 0.0)[:, :, None] - start, 0.0, full)
        lo = np.clip(np.maximum(least, 0.0)[:, :, None] - start, 0.0, full)
        return np.minimum(lo, hi), hi

    return bounds(top, bottom), bounds(-bottom, -top)


def peak_reference(areas: list[Area] | tuple[Area, ...], settings: SpreadSettings,
                   base: FloatArray) -> tuple[IntArray, FloatArray, FloatArray, float]:  # fmt: skip
    """(domestic indices, agreed capacity, national load per day without transfers, scale)."""
    dom = np.flatnonzero(domestic_mask(areas))
    agreed = agreed_capacity(areas, settings.basis)[dom]
    national = base[dom].sum(axis=0) / max(agreed.sum(), 1e-9)
    return dom, agreed, national, settings.weight_peak_load * float(agreed.mean())


#: Above this many areas that a plan can change, the peak and low terms are left out of
#: the LP: ``top`` and ``bottom`` appear in a row of every area, dense columns that made
#: HiGHS's interior point method crawl at 5,000 hospitals (measured: no plan in 300 s;
#: docs/spreading.md). Hospital-scale plans then rank by the convex penalty alone; the
#: reported objective still counts the peak.
PEAK_MAX_AREAS = 500


def add_peak_load_penalty(ctx: Context) -> None:
    """The highest load first: per day, top >= load of every domestic area, cost on top.

    ``top[t] >= (occ[i,t] - band) / c_i - L[t]`` and ``top >= 0``, with L the national
    load without transfers (a constant) and a dead band of one patient
    (``PEAK_DEAD_BAND``): whole patients can always come within one of a fractional fair
    share, so a balanced plan costs 0 here, the LP bound stays tight and the MIP is not
    left proving roundings. Costs ``weight_peak_load x mean c`` per unit of load and
    day: one patient out of the most loaded area of mean size is worth
    ``weight_peak_load`` a day, far more than its spread and transport terms, so the
    worst area is relieved first. No plan may raise the top above doing nothing.
    """
    m, days = ctx.model, ctx.days
    dom, agreed, national, scale = peak_reference(ctx.areas, ctx.settings, ctx.base)
    if dom.size < 2:
        return
    agreed_all = agreed
    band = PEAK_DEAD_BAND / agreed
    high = ctx.base[dom] / agreed[:, None] - band[:, None] - national  # [n, T] banded gaps
    low = national - ctx.base[dom] / agreed[:, None] - band[:, None]
    keep = ctx.movable(dom)  # fixed areas only bound top and bottom from below
    if keep.sum() > PEAK_MAX_AREAS:
        return  # top and bottom would be dense columns: see PEAK_MAX_AREAS
    fixed_high = np.maximum(high[~keep].max(axis=0, initial=0.0), 0.0)
    fixed_low = np.maximum(low[~keep].max(axis=0, initial=0.0), 0.0)
    dom, agreed, band = dom[keep], agreed[keep], band[keep]
    peak0 = np.maximum(high.max(axis=0), 0.0)
    top = m.add_cols(days, cost=scale, lower=fixed_high, upper=peak0 + 1e-9, start=peak0)
    ctx.primary.append((top, np.full(days, scale)))
    limit = national[None, :] + band[:, None]  # occ / c - top <= L + band / c
    rows = m.add_rows(-INF, limit.ravel(), limit.size).reshape(limit.shape)
    m.add_entries(rows, ctx.occ[dom], np.broadcast_to(1.0 / agreed[:, None], rows.shape))
    m.add_entries(rows, np.broadcast_to(top[None, :], rows.shape), -1.0)
    low_scale = ctx.settings.weight_low_load * float(agreed_all.mean())
    if low_scale > 0:  # the emptiest area next: occ / c + bottom >= L - band / c
        low0 = np.maximum(low.max(axis=0), 0.0)
        bottom = m.add_cols(days, cost=low_scale, lower=fixed_low, start=low0)
        ctx.primary.append((bottom, np.full(days, low_scale)))
        floor = national[None, :] - band[:, None]
        rows = m.add_rows(floor.ravel(), INF, floor.size).reshape(floor.shape)
        m.add_entries(rows, ctx.occ[dom], np.broadcast_to(1.0 / agreed[:, None], rows.shape))
        m.add_entries(rows, np.broadcast_to(bottom[None, :], rows.shape), 1.0)


def peak_cost(
    occ: FloatArray, agreed: FloatArray, national: FloatArray, scale: float, low: float = 0.0
) -> float:
    """The peak (and low) load terms of a plan: occupancy [domestic, day] -> objective."""
    band = (PEAK_DEAD_BAND / agreed)[:, None]
    over = (occ / agreed[:, None] - band).max(axis=0) - national
    under = national - (occ / agreed[:, None] + band).min(axis=0)
    return scale * float(np.maximum(over, 0.0).sum()) + low * float(np.maximum(under, 0).sum())


def add_transport_penalty(ctx: Context) -> None:
    """Objective 3: patient-km, times the receiver's cost weight (Germany can cost more)."""
    weight = np.array([a.cost_weight for a in ctx.areas], dtype=np.float64)[ctx.arcs.target]
    per_patient = ctx.settings.weight_distance * ctx.arcs.km * weight
    ctx.model.add_cost(ctx.x, np.broadcast_to(per_patient[:, None, None], ctx.x.shape))


def add_last_resort_cost(ctx: Context) -> None:
    """A fixed cost per patient sent to a last-resort area: used only when overflow looms."""
    last = np.array([a.is_last_resort for a in ctx.areas], dtype=bool)[ctx.arcs.target]
    per_patient = np.where(last, ctx.settings.last_resort_cost, 0.0)
    cost = np.broadcast_to(per_patient[:, None, None], ctx.x.shape)
    ctx.model.add_cost(ctx.x, cost)
    ctx.primary.append((ctx.x, cost))


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
