"""Honest interval widths: widen (or narrow) the model's intervals by its own past errors.

A structural model knows only the uncertainty it models (growth rate, Poisson and
gamma noise, discharges); at the national level the unmodelled part (policy,
variants, reporting) dominates, so raw intervals are too narrow. This is
conformalized quantile regression (Romano, Patterson & Candes 2019, NeurIPS) done
on a rolling window, as for time series (Stankeviciute et al. 2021): each origin
looks back at its own raw forecasts whose outcome was already known *at that
origin* and, per horizon and per central interval, computes the conformity score

    E = max(lower - y, y - upper)      (on the log1p scale; negative inside the interval)

and moves both ends outwards by d = the ceil((n + 1) coverage)-th smallest E (inwards
when d < 0). On the log scale the correction is relative (a few percent of the
census), so it carries over between a wave's peak and its trough. The map is
monotone, so exceedance probabilities follow from the same map of the paths.

The multiplicative variant (stretch log half-widths by a factor) was tried and
dropped: no better on IC, worse on the ward at 14 days, and fragile, because a factor
learnt in a quiet month multiplies the wide raw intervals of a sudden rise
(docs/forecasting.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kraan.domain.forecast.quantiles import INTERVALS, MEDIAN, FloatArray, monotone


@dataclass(frozen=True, slots=True)
class Calibration:
    """Per-horizon log1p shift of the median and widening per central interval."""

    shift: FloatArray  # (H,)
    widen: FloatArray  # (H, len(INTERVALS)), order of INTERVALS; log1p units
    n: FloatArray  # (H,) number of past errors behind each horizon

    @staticmethod
    def identity(horizon: int) -> Calibration:
        return Calibration(
            np.zeros(horizon), np.zeros((horizon, len(INTERVALS))), np.zeros(horizon)
        )


def conformal_quantile(scores: FloatArray, coverage: float) -> FloatArray:
    """Per column of ``(M, H)``, the ceil((n + 1) coverage)-th smallest finite score."""
    ordered = np.sort(np.where(np.isfinite(scores), scores, np.inf), axis=0)
    n = np.isfinite(scores).sum(axis=0)
    rank = np.minimum(np.ceil((n + 1) * coverage).astype(np.int64), n) - 1
    cols = np.arange(scores.shape[1])
    out = ordered[np.clip(rank, 0, None), cols] if scores.shape[0] else np.zeros(cols.size)
    return np.where(n > 0, out, np.nan)


def weighted_conformal_quantile(
    scores: FloatArray, weights: FloatArray, coverage: float
) -> FloatArray:
    """Per column of ``(M, H)``, the weighted conformal quantile of the finite scores.

    Non-exchangeable split conformal prediction (Barber, Candès, Ramdas & Tibshirani
    2023, "Conformal prediction beyond exchangeability", Ann. Statist. 51(2)): score i
    weighs ``weights[i]`` and the new point weighs 1; the result is the smallest score at
    which the weighted share of scores at or below it reaches ``coverage`` (the largest
    score when it never does). With all weights 1 this is :func:`conformal_quantile`.
    """
    h = scores.shape[1]
    out = np.full(h, np.nan)
    for col in range(h):
        ok = np.isfinite(scores[:, col])
        if not ok.any():
            continue
        order = np.argsort(scores[ok, col], kind="stable")
        values, w = scores[ok, col][order], weights[ok][order]
        share = np.cumsum(w) / (w.sum() + 1.0)
        at = int(np.searchsorted(share, coverage - 1e-12))
        out[col] = values[min(at, values.size - 1)]
    return out


def fit_calibration(
    past_quantiles: FloatArray,
    past_truth: FloatArray,
    *,
    minimum: int,
    bias: bool,
    ages: FloatArray | None = None,
    half_life: float | None = None,
) -> Calibration:
    """Corrections from past raw quantiles ``(M, H, Q)`` and their outcomes ``(M, H)``.

    The caller passes only outcomes known at the new origin (NaN elsewhere): that is
    what keeps the backtest free of look-ahead. Horizons with fewer than ``minimum``
    known outcomes keep the raw intervals. With ``half_life`` (days) and the ``ages``
    ``(M,)`` of the past forecasts (days before the new origin), an error weighs
    ``0.5 ** (age / half_life)`` (:func:`weighted_conformal_quantile`), so the band
    follows a change of regime sooner than with equal weights.
    """
    horizon = past_quantiles.shape[1]
    if past_quantiles.shape[0] == 0:
        return Calibration.identity(horizon)
    log_q = np.log1p(np.clip(past_quantiles, 0.0, None))
    log_y = np.log1p(np.clip(past_truth, 0.0, None))
    med = log_q[..., MEDIAN]
    known = np.isfinite(log_y) & np.all(np.isfinite(log_q), axis=-1)
    counts = known.sum(axis=0)
    enough = counts >= minimum
    shift = np.zeros(horizon)
    if bias:
        err = np.where(known, log_y - med, np.nan)
        with np.errstate(all="ignore"):
            shift = np.where(enough, np.nan_to_num(np.nanmedian(err, axis=0)), 0.0)
    widen = np.zeros((horizon, len(INTERVALS)))
    for col, (coverage, (lo, hi)) in enumerate(INTERVALS.items()):
        score = np.maximum(log_q[..., lo] + shift - log_y, log_y - log_q[..., hi] - shift)
        masked = np.where(known, score, np.nan)
        if half_life is None or ages is None:
            d = conformal_quantile(masked, coverage)
        else:
            weights = 0.5 ** (np.asarray(ages, dtype=np.float64) / half_life)
            d = weighted_conformal_quantile(masked, weights, coverage)
        widen[:, col] = np.where(enough, np.nan_to_num(d), 0.0)
    return Calibration(shift=shift, widen=widen, n=counts.astype(np.float64))


def _knots(quantiles: FloatArray, cal: Calibration) -> tuple[FloatArray, FloatArray]:
    """Raw and calibrated log1p knots ``(H, Q)`` of the monotone map."""
    raw = np.log1p(np.clip(quantiles, 0.0, None))
    new = raw + cal.shift[:, None]
    centre = new[:, MEDIAN]
    for col, (lo, hi) in enumerate(INTERVALS.values()):
        d = cal.widen[:, col]
        new[:, lo] = np.minimum(new[:, lo] - d, centre)
        new[:, hi] = np.maximum(new[:, hi] + d, centre)
    return raw, np.maximum.accumulate(new, axis=1)


def apply_calibration(quantiles: FloatArray, cal: Calibration) -> FloatArray:
    """Calibrated quantiles ``(H, Q)`` from raw ones."""
    _, new = _knots(quantiles, cal)
    return monotone(np.expm1(new))


def apply_to_samples(samples: FloatArray, quantiles: FloatArray, cal: Calibration) -> FloatArray:
    """The same monotone map applied to raw paths ``(N, H)``: piecewise linear in log1p,
    continued beyond the outer knots by the outermost shift."""
    raw, new = _knots(quantiles, cal)
    log_s = np.log1p(np.clip(samples, 0.0, None))
    out = np.empty_like(log_s)
    for h in range(raw.shape[0]):
        x, y, v = raw[h], new[h], log_s[:, h]
        if np.ptp(x) <= 0:  # degenerate raw forecast: only a shift is defined
            out[:, h] = v + (y[MEDIAN] - x[MEDIAN])
            continue
        mapped = np.interp(v, x, y)
        mapped = np.where(v < x[0], v + (y[0] - x[0]), mapped)
        out[:, h] = np.where(v > x[-1], v + (y[-1] - x[-1]), mapped)
    return np.clip(np.expm1(out), 0.0, None)
