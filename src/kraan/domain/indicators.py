"""Indicator values that feed the regional status (names match phase_criteria.json).

Vectorised: every argument is an array of the same shape (regions x days, or a
single value), so a replay of two years costs one numpy pass.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from kraan.domain.model import CareLevel
from kraan.domain.monitor import AreaSnapshot
from kraan.domain.series import DailyTotals

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


def area_indicators(
    area: AreaSnapshot,
    *,
    growth_min_level: float,
    week_before_ic_covid: float | None,
    covid_load: tuple[float, float] | None = None,
) -> dict[str, float | None]:
    """The indicators of one area's snapshot: the one way a snapshot becomes indicators.

    ``covid_load`` (IC, ward COVID patients, ontlabeld included) replaces the reported
    COVID load, e.g. with a forecast (the phase outlook); everything else is held.
    """
    ic, ward = area.level(CareLevel.IC), area.level(CareLevel.WARD)
    if covid_load is None:
        ic_covid, ic_ontlabeld = float(ic.covid), float(ic.ontlabeld)
        ward_covid, ward_ontlabeld = float(ward.covid), float(ward.ontlabeld)
    else:
        (ic_covid, ward_covid), ic_ontlabeld, ward_ontlabeld = covid_load, 0.0, 0.0
    absence = area.staff_absence_pct
    arrays = indicator_arrays(
        ic_covid=ic_covid,
        ic_ontlabeld=ic_ontlabeld,
        ic_non_covid=ic.non_covid,
        ic_staffed=ic.staffed,
        ward_covid=ward_covid,
        ward_ontlabeld=ward_ontlabeld,
        ward_non_covid=ward.non_covid,
        ward_staffed=ward.staffed,
        ic_covid_week_before=np.nan if week_before_ic_covid is None else week_before_ic_covid,
        staff_absence_pct=np.nan if absence is None else absence,
        planned_at_risk=area.critical_planned_care_at_risk,
        acute_at_risk=area.acute_care_at_risk,
        assessments=area.assessments,
        growth_min_level=growth_min_level,
    )
    return pick(arrays, ())


def history_indicators(totals: DailyTotals, *, growth_min_level: float) -> dict[str, FloatArray]:
    """The same indicators for every [region, day] of daily totals (status history)."""
    ic, ward = CareLevel.IC, CareLevel.WARD
    covid = totals.get(ic, "covid") + totals.get(ic, "ontlabeld")
    week_before = np.full(covid.shape, np.nan)
    week_before[:, 7:] = covid[:, :-7]
    absence = np.full(covid.shape, np.nan)
    np.divide(
        totals.absence_weighted, totals.absence_weight, out=absence, where=totals.absence_weight > 0
    )
    return indicator_arrays(
        ic_covid=totals.get(ic, "covid"),
        ic_ontlabeld=totals.get(ic, "ontlabeld"),
        ic_non_covid=totals.get(ic, "non_covid"),
        ic_staffed=totals.get(ic, "staffed"),
        ward_covid=totals.get(ward, "covid"),
        ward_ontlabeld=totals.get(ward, "ontlabeld"),
        ward_non_covid=totals.get(ward, "non_covid"),
        ward_staffed=totals.get(ward, "staffed"),
        ic_covid_week_before=week_before,
        staff_absence_pct=absence,
        planned_at_risk=totals.planned_at_risk,
        acute_at_risk=totals.acute_at_risk,
        assessments=totals.assessments,
        growth_min_level=growth_min_level,
    )
