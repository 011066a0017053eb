"""Stacking with persistence: lean on "no change" when recent forecasts did no better.

A queue model driven by a growth curve wins in a wave and loses in a calm, low-count
period, where the census barely moves and every fitted trend is noise (LCPS spring 2022,
and the BA.5 summer of 2022, when persistence beat the model on 7-day MAE). The
COVID-19 Forecast Hub ensembles (Cramer et al. 2022, Ray et al. 2023) gained their
robustness from combining; here the combination is per horizon, on the log1p scale:

    m_h = w_h log1p(model median_h) + (1 - w_h) log1p(last observed value)

and the whole raw distribution is shifted to that median (its shape is the model's;
its width is set afterwards by the conformal calibration of the *combined* forecast).
The weight ``w_h`` is chosen at each origin from the grid 0, 0.1, .., 1 by the smallest
mean absolute log error over the last ``blend_window`` origins whose outcome was known
by then, shrunk towards the model (``w = 1``) when few are known. Nothing is learnt from
outcomes after the origin, so a backtest stays honest.
"""

from __future__ import annotations

import numpy as np

from kraan.domain.forecast.quantiles import MEDIAN, FloatArray

GRID = np.linspace(0.0, 1.0, 11)


def blend_weights(
    past_medians: FloatArray,
    past_last: FloatArray,
    past_truth: FloatArray,
    minimum: int,
    floor: float = 0.0,
) -> FloatArray:
    """Model weight per horizon ``(H,)`` from past medians ``(M, H)``, last values ``(M,)``
    and the outcomes known at the new origin ``(M, H)`` (NaN where unknown)."""
    horizon = past_medians.shape[1] if past_medians.ndim == 2 else 0
    weights = np.ones(horizon)
    if past_medians.shape[0] == 0:
        return weights
    model = np.log1p(np.clip(past_medians, 0.0, None))
    last = np.log1p(np.clip(past_last, 0.0, None))[:, None]
    truth = np.log1p(np.clip(past_truth, 0.0, None))
    known = np.isfinite(model) & np.isfinite(last) & np.isfinite(truth)
    counts = known.sum(axis=0)
    # (G, M, H) combined medians for every weight on the grid
    combined = GRID[:, None, None] * model[None] + (1.0 - GRID[:, None, None]) * last[None]
    error = np.where(known[None], np.abs(truth[None] - combined), 0.0).sum(axis=1)
    allowed = floor - 1e-9 <= GRID
    best = GRID[allowed][np.argmin(error[allowed], axis=0)]
    enough = counts >= minimum
    return np.where(enough, best, weights)


def blend_shift(quantiles: FloatArray, last: float, weights: FloatArray) -> FloatArray:
    """Per-horizon log1p shift ``(H,)`` that moves the model median to the combined one."""
    if not np.isfinite(last):
        return np.zeros(quantiles.shape[0])
    model = np.log1p(np.clip(quantiles[:, MEDIAN], 0.0, None))
    return (1.0 - weights) * (np.log1p(max(last, 0.0)) - model)


def shift_quantiles(quantiles: FloatArray, shift: FloatArray) -> FloatArray:
    """Quantiles ``(..., H, Q)`` moved by ``shift`` ``(..., H)`` on the log1p scale."""
    return np.expm1(np.log1p(np.clip(quantiles, 0.0, None)) + shift[..., :, None])


def shift_samples(samples: FloatArray, shift: FloatArray) -> FloatArray:
    """Paths ``(N, H)`` moved by ``shift`` ``(H,)`` on the log1p scale."""
    return np.expm1(np.log1p(np.clip(samples, 0.0, None)) + shift[None, :])
