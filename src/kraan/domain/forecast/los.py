"""Length of stay from the admissions and occupancy series alone (infinite-server queue).

Without patient-level data the census is the convolution of admissions with the
survival function of the stay:  O(t) = c * sum_k a(t - k) S(k)  (the M_t/G/inf view
of Baas et al. 2021 and Bekker, uit het Broek & Koole 2023, "Modeling COVID-19
hospital admissions and occupancy in the Netherlands", EJOR 304(1)). S is fitted by
least squares over a grid of discretised Weibull survival curves; ``c`` absorbs the
difference between what LCPS counts as an admission and as an occupied bed
(transfers abroad, patients found positive after admission), kept within bounds.

Two uses follow (the VU method): the *residual* stay of patients already present,
weighted by how long ago they were admitted, and the survival of new admissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import gamma as gamma_fn

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kraan.domain.forecast.params import ForecastParams
from kraan.domain.forecast.quantiles import FloatArray

_MEANS = np.geomspace(2.0, 40.0, 36)  # mean stay in days
_SHAPES = np.array([0.6, 0.75, 0.9, 1.0, 1.2, 1.5, 2.0, 2.6])  # Weibull shape


@dataclass(frozen=True, slots=True)
class StayFit:
    """Fitted survival S(k) (k = 0.. max_lag + horizon), its scale and summary."""

    survival: FloatArray
    scale: float
    mean_days: float
    shape: float
    rmse: float


@lru_cache(maxsize=8)
def _grid(length: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """All candidate survival curves ``(C, length)``, with their mean and shape."""
    means, shapes = np.meshgrid(_MEANS, _SHAPES, indexing="ij")
    means, shapes = means.ravel(), shapes.ravel()
    lam = means / np.array([gamma_fn(1.0 + 1.0 / s) for s in shapes])
    # A patient admitted in the 24 h before a count has stayed k + U(0, 1) days at
    # count k: S(k) is taken at k + 0.5.
    k = np.arange(length, dtype=np.float64) + 0.5
    curves = np.exp(-((k[None, :] / lam[:, None]) ** shapes[:, None]))
    return curves, means, shapes


def fill_admissions(admissions: FloatArray, occupancy: FloatArray) -> FloatArray:
    """Admissions with the unknown early days estimated from the census balance.

    LCPS published admissions only from 2020-10-17 (SOURCES.md). Before the first
    known day a(t) = max(0, O(t) - O(t-1) + O(t-1) / L), with L from Little's law
    on the first 14 known days (mean census / mean admissions): a queue in which
    1/L of the patients leaves each day.
    """
    a = np.asarray(admissions, dtype=np.float64).copy()
    o = np.nan_to_num(np.asarray(occupancy, dtype=np.float64))
    known = np.flatnonzero(np.isfinite(a))
    if known.size == 0:
        return a
    first = int(known[0])
    span = slice(first, first + 14)
    stay = float(np.nanmean(o[span]) / max(np.nanmean(a[span]), 1e-6))
    stay = min(max(stay, 2.0), 40.0)
    if first > 0:
        prev = np.concatenate([[o[0]], o[: first - 1]])
        a[:first] = np.clip(o[:first] - prev + prev / stay, 0.0, None)
    return bridge_gaps(a)


def bridge_gaps(values: FloatArray) -> FloatArray:
    """Unknown days between known ones interpolated linearly, trailing ones carried forward,
    leading ones 0. Every value used lies on or before the day it fills, or between two
    known days before the origin, so nothing is seen ahead (e.g. the weekends LCPS stopped
    publishing from April 2022, when they reach the model as missing days)."""
    a = np.asarray(values, dtype=np.float64).copy()
    known = np.flatnonzero(np.isfinite(a))
    if known.size == 0:
        return np.zeros_like(a)
    gaps = np.flatnonzero(~np.isfinite(a))
    if gaps.size:
        a[gaps] = np.interp(gaps, known, a[known], left=0.0, right=float(a[known[-1]]))
    return a


def fit_stay(admissions: FloatArray, occupancy: FloatArray, params: ForecastParams) -> StayFit:
    """Least-squares survival curve on the last ``stay_window`` days up to the origin."""
    k_max = params.stay_max_lag
    curves, means, shapes = _grid(k_max + params.horizon + 1)
    n = admissions.shape[0]
    window = min(params.stay_window, n)
    padded = np.concatenate([np.zeros(k_max - 1), admissions])
    # lags[i, k] = a(t_i - k) for the window's days t_i
    lags = sliding_window_view(padded, k_max)[n - window :, ::-1]
    target = occupancy[n - window :]
    keep = np.isfinite(target)
    lags, target = lags[keep], target[keep]
    # einsum, not BLAS: a product this small runs slower, not faster, when OpenBLAS
    # spreads it over threads on a busy 2-core machine.
    pred = np.einsum("wk,ck->wc", lags, curves[:, :k_max])  # (W, C)
    denom = np.einsum("ij,ij->j", pred, pred)
    scale = np.einsum("i,ij->j", target, pred) / np.maximum(denom, 1e-9)
    scale = np.clip(scale, *params.stay_scale_bounds)
    sse = np.sum((target[:, None] - pred * scale[None, :]) ** 2, axis=0)
    best = int(np.argmin(sse))
    return StayFit(
        survival=curves[best],
        scale=float(scale[best]),
        mean_days=float(means[best]),
        shape=float(shapes[best]),
        rmse=float(np.sqrt(sse[best] / max(target.size, 1))),
    )


def residual_fraction(admissions: FloatArray, stay: StayFit, horizon: int) -> FloatArray:
    """Share of the patients present at the origin still in bed after h = 1..horizon days.

    Patients admitted k days ago are present in proportion a(t0 - k) S(k); of them
    S(k + h) / S(k) remain after h more days.
    """
    k_max = stay.survival.shape[0] - horizon - 1
    recent = admissions[::-1][:k_max]
    k = np.arange(recent.shape[0])
    present = float(recent @ stay.survival[k])
    if present <= 0:
        return np.ones(horizon)
    later = np.array([recent @ stay.survival[k + h] for h in range(1, horizon + 1)])
    return np.clip(later / present, 0.0, 1.0)


def new_admission_matrix(stay: StayFit, horizon: int) -> FloatArray:
    """``M[j, h]`` = expected census on day h+1 per admission on day j+1 (scaled S(h - j))."""
    j = np.arange(horizon)[:, None]
    h = np.arange(horizon)[None, :]
    lag = np.clip(h - j, 0, None)
    return np.where(h >= j, stay.scale * stay.survival[lag], 0.0)
