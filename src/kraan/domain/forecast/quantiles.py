"""Quantile levels shared by every forecaster, the scorer and the Hub export.

The nine levels are the ones the issue asks for; they hold four central intervals
(50, 80, 90, 95 %) and the median, which is what the weighted interval score of
Bracher et al. (2021) needs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

QUANTILE_LEVELS: FloatArray = np.array(
    [0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975], dtype=np.float64
)
MEDIAN: int = 4
#: Central intervals: coverage -> (index of lower quantile, index of upper quantile).
INTERVALS: dict[float, tuple[int, int]] = {0.5: (3, 5), 0.8: (2, 6), 0.9: (1, 7), 0.95: (0, 8)}


def sample_quantiles(samples: FloatArray) -> FloatArray:
    """Quantiles per horizon of Monte Carlo paths ``(n_samples, H)`` -> ``(H, Q)``.

    The same numbers, bit for bit, as ``np.quantile(samples, QUANTILE_LEVELS, axis=0).T``
    (its default "linear" method, Hyndman & Fan type 7, with numpy's own interpolation
    formula), from one sort instead of a partition per level: about 5 times faster, and
    it runs twice in each of the ~1,350 raw runs an outlook calibrates on.
    """
    n = samples.shape[0]
    if n == 0 or samples.ndim != 2 or np.isnan(samples).any():
        return np.quantile(samples, QUANTILE_LEVELS, axis=0).T.copy()
    ordered = np.sort(samples, axis=0)
    virtual = QUANTILE_LEVELS * (n - 1)
    below = np.floor(virtual)
    gamma = (virtual - below)[:, None]
    lo = below.astype(np.int64)
    a, b = ordered[lo], ordered[np.minimum(lo + 1, n - 1)]
    diff = b - a
    out = a + diff * gamma
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5)
    return out.T.copy()


def monotone(quantiles: FloatArray) -> FloatArray:
    """Sorted along the level axis and non-negative: counts of beds and admissions."""
    return np.maximum(np.maximum.accumulate(quantiles, axis=-1), 0.0)


def point_quantiles(values: FloatArray) -> FloatArray:
    """A deterministic forecast ``(H,)`` as degenerate quantiles ``(H, Q)``."""
    return np.repeat(np.asarray(values, dtype=np.float64)[:, None], QUANTILE_LEVELS.size, axis=1)
