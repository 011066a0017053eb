"""What a forecaster may see at an origin: the series up to that day, nothing later.

LCPS stopped weekend reporting after 2022-04-15 and the ingest fills those days by
interpolating between Friday and Monday (flagged ``imputed``). At a Saturday origin
that interpolation already used Monday, so here trailing imputed days are replaced
by the last reported value (carried forward), as a forecaster on that Saturday would.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from kraan.domain.forecast.quantiles import FloatArray

BoolArray = npt.NDArray[np.bool_]


def visible_at(values: FloatArray, imputed: BoolArray, origin: int) -> FloatArray:
    """``values[: origin + 1]`` with imputed days after the last real one carried forward."""
    seen = values[: origin + 1]
    flags = imputed[: origin + 1]
    if not flags.size or not flags[-1]:
        return seen
    real = np.flatnonzero(~flags)
    if real.size == 0:
        return seen
    last = int(real[-1])
    out = seen.copy()
    out[last + 1 :] = seen[last]
    return out


def scoreable_truth(values: FloatArray, imputed: BoolArray) -> FloatArray:
    """Truth for scoring: NaN on imputed days (never score against an interpolation)."""
    return np.where(imputed, np.nan, values)
