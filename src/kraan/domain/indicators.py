"""Indicator values that feed the regional status (names match phase_criteria.json).

Vectorised: every argument is an array of the same shape (regions x days, or a
single value), so a replay of two years costs one numpy pass.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: The one display rule for indicator values: a value of at most this (in absolute
#: terms) is a share (an occupancy of 0.92 reads "92%"); a larger one is a count or a
#: rate per 100,000 and is shown with one decimal.
SHARE_LIMIT = 2.0


def is_share(value: float) -> bool:
    """True when ``value`` reads as a share (see :data:`SHARE_LIMIT`)."""
    return abs(value) <= SHARE_LIMIT


def format_indicator(value: float | None, *, missing: str = "–") -> str:
    """Shares as %, other values with one decimal; None and NaN as ``missing``."""
    if value is None or value != value:
        return missing
    return f"{value:.0%}" if is_share(value) else f"{value:.1f}"


def _ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def indicator_arrays(
    *,
    ic_covid: npt.ArrayLike,
    ic_ontlabeld: npt.ArrayLike,
    ic_non_covid: npt.ArrayLike,
    ic_staffed: npt.ArrayLike,
    ward_covid: npt.ArrayLike,
    ward_ontlabeld: npt.ArrayLike,
    ward_non_covid: npt.ArrayLike,
    ward_staffed: npt.ArrayLike,
    ic_covid_week_before: npt.ArrayLike,
    staff_absence_pct: npt.ArrayLike,
    planned_at_risk: npt.ArrayLike,
    acute_at_risk: npt.ArrayLike,
    assessments: npt.ArrayLike,
    growth_min_level: float = 10.0,
) -> dict[str, FloatArray]:
    ic_covid_all = np.asarray(ic_covid, float) + np.asarray(ic_ontlabeld, float)
    ic_occupied = ic_covid_all + np.asarray(ic_non_covid, float)
    ward_occupied = (
        np.asarray(ward_covid, float)
        + np.asarray(ward_ontlabeld, float)
        + np.asarray(ward_non_covid, float)
    )
    before = np.asarray(ic_covid_week_before, float)
    growth = _ratio(ic_covid_all - before, before)
    growth = np.where(before >= growth_min_level, growth, np.nan)
    return {
        "ic_occupancy": _ratio(ic_occupied, ic_staffed),
        "ic_covid_share": _ratio(ic_covid_all, ic_staffed),
        "ward_occupancy": _ratio(ward_occupied, ward_staffed),
        "ic_covid_growth_7d": growth,
        "staff_absence_pct": np.asarray(staff_absence_pct, float),
        "critical_planned_at_risk_share": _ratio(planned_at_risk, assessments),
        "acute_at_risk_share": _ratio(acute_at_risk, assessments),
    }


def pick(arrays: dict[str, FloatArray], index: tuple[int, ...] | int) -> dict[str, float | None]:
    """One region-day out of the arrays, NaN as None."""
    out: dict[str, float | None] = {}
    for name, values in arrays.items():
        value = float(values[index])
        out[name] = None if np.isnan(value) else value
    return out
