"""Arrivals for the engine: a replayed national series split over regions, or a synthetic wave.

Replay: LCPS counts every new IC admission, including the moves from the ward, so the
direct IC admissions are the IC admissions less the expected moves (ward admissions x
ward-to-IC share, delayed by the pre-IC stay). Missing days (NaN) are filled from the
census balance with the fitted stays before anything else happens (:func:`fill_missing`).

Synthetic: national ward admissions follow a logistic-derivative wave with the
quadrant's early growth rate and peak; direct IC admissions are the quadrant's IC share
of them. Members draw the wave height (log-normal, ``peak_cv``) and Poisson arrivals.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from kraan.domain.forecast.quantiles import FloatArray
from kraan.domain.simulation.engine import FlowInputs
from kraan.domain.simulation.params import Quadrant, SimParams
from kraan.domain.simulation.stays import residual_pmf, stay_pmf, weibull_survival


def split_integer(total: float, weights: FloatArray) -> FloatArray:
    """Largest-remainder split of a whole number over weights (sums to ``round(total)``)."""
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum() if w.sum() > 0 else np.full(w.shape, 1.0 / w.size)
    raw = round(total) * w
    base = np.floor(raw)
    rest = int(round(total) - base.sum())
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base


def fill_missing(admissions: FloatArray, occupancy: FloatArray, survival: FloatArray,
                 scale: float) -> FloatArray:
    """Admissions with NaN days filled from the census balance (a deconvolution).

    a(t) = max(0, (O(t) / c - sum_{k>=1} a(t-k) S(k)) / S(0)); before the first day the
    admissions are taken as steady, O(0) / (c * sum S). Occupancy NaN: 0 admissions.
    """
    a = np.asarray(admissions, dtype=np.float64).copy()
    o = np.asarray(occupancy, dtype=np.float64)
    if np.isfinite(a).all():
        return a
    n, k = a.shape[0], survival.shape[0]
    o0 = o[np.isfinite(o)][0] if np.isfinite(o).any() else 0.0
    steady = o0 / max(scale * survival.sum(), 1e-9)
    hist = np.concatenate([np.full(k, steady), np.zeros(n)])
    for t in range(n):
        if np.isfinite(a[t]):
            hist[k + t] = a[t]
            continue
        if not np.isfinite(o[t]):
            hist[k + t] = 0.0
            continue
        past = hist[t + 1 : k + t][::-1]  # a(t-1), a(t-2), ... a(t-k+1)
        rest = float(past @ survival[1:k]) if past.size == k - 1 else 0.0
        hist[k + t] = max(0.0, (o[t] / scale - rest) / max(survival[0], 1e-9))
    filled = hist[k:]
    return np.where(np.isfinite(a), a, filled)


def direct_ic(ic_admissions: FloatArray, ward_admissions: FloatArray, params: SimParams,
              los_factor: float = 1.0) -> FloatArray:
    """IC admissions less the expected moves from the ward (replay; see module doc)."""
    k = params.max_stay + 1
    pre = stay_pmf(weibull_survival(params.stays["pre_ic"], k, los_factor))
    moves = params.ward_to_ic * params.stays["ward"].scale * np.convolve(
        ward_admissions, pre)[: ward_admissions.shape[0]]
    return np.clip(ic_admissions - moves / max(params.stays["ic"].scale, 1e-9), 0.0, None)


def replay_inputs(
    *,
    first_day: date,
    regions: tuple[str, ...],
    shares: FloatArray,
    ic_admissions: FloatArray,
    ward_admissions: FloatArray,
    history_ic: FloatArray,
    history_ward: FloatArray,
    ic0: float,
    ward0: float,
    ic_beds: FloatArray,
    ward_beds: FloatArray,
    ward_covid_beds: FloatArray,
    elv_beds: FloatArray,
    params: SimParams,
    scale_up: bool = False,
) -> FlowInputs:
    """Replay of national admissions (T,) split by ``shares`` (T, R) from the census at day 0.

    ``history_*`` are the admissions before day 0, most recent first (may be empty): they
    weight the residual stays of the patients present (:func:`residual_pmf`).
    """
    k = params.max_stay + 1
    direct = direct_ic(ic_admissions, ward_admissions, params)
    # the census of day 0 already holds that day's admissions: arrivals start on day 1
    ward_admissions = np.concatenate([[0.0], ward_admissions[1:]])
    direct = np.concatenate([[0.0], direct[1:]])
    s_ic = weibull_survival(params.stays["ic"], k)
    s_ward = weibull_survival(params.stays["ward"], k)
    return FlowInputs(
        first_day=first_day,
        regions=regions,
        ward_rate=ward_admissions[:, None] * shares,
        ic_rate=direct[:, None] * shares,
        ic0=split_integer(ic0, shares[0]),
        ward0=split_integer(ward0, shares[0]),
        ic0_residual=residual_pmf(history_ic, s_ic),
        ward0_residual=residual_pmf(history_ward, s_ward),
        ic_beds=ic_beds,
        ward_beds=ward_beds,
        ward_covid_beds=ward_covid_beds,
        elv_beds=elv_beds,
        scale_up=scale_up,
    )


def wave_curve(days: int, quadrant: Quadrant, peak_day: int) -> FloatArray:
    """Expected national ward admissions per day: peak * 4 e^{-g(t-p)} / (1 + e^{-g(t-p)})^2."""
    t = np.arange(days, dtype=np.float64)
    z = np.exp(-quadrant.growth * (t - peak_day))
    return quadrant.peak_ward_admissions * 4 * z / (1 + z) ** 2


def wave_inputs(
    *,
    first_day: date,
    days: int,
    regions: tuple[str, ...],
    shares: FloatArray,
    quadrant: Quadrant,
    ic_beds: FloatArray,
    ward_beds: FloatArray,
    ward_covid_beds: FloatArray,
    elv_beds: FloatArray,
    params: SimParams,
    scale: float = 1.0,
    scale_up: bool = False,
) -> FlowInputs:
    """A synthetic wave from an (almost) empty hospital; ``scale`` is one member's wave height."""
    ward = wave_curve(days, quadrant, params.peak_day) * scale
    k = params.max_stay + 1
    s = weibull_survival(params.stays["ic"], k)
    shares = np.broadcast_to(np.asarray(shares, dtype=np.float64), (days, len(regions)))
    ic0 = ward[0] * quadrant.ic_share * float(s.sum())
    ward0 = ward[0] * float(weibull_survival(params.stays["ward"], k).sum())
    return FlowInputs(
        first_day=first_day,
        regions=regions,
        ward_rate=ward[:, None] * shares,
        ic_rate=(ward * quadrant.ic_share)[:, None] * shares,
        ic0=split_integer(ic0, shares[0]),
        ward0=split_integer(ward0, shares[0]),
        ic0_residual=residual_pmf(np.array([]), s),
        ward0_residual=residual_pmf(np.array([]), weibull_survival(params.stays["ward"], k)),
        ic_beds=ic_beds,
        ward_beds=ward_beds,
        ward_covid_beds=ward_covid_beds,
        elv_beds=elv_beds,
        los_factor=quadrant.los_factor,
        scale_up=scale_up,
    )
