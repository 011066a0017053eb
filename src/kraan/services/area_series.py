"""One area's daily series for the forecasts, from the stored daily totals.

:func:`kraan.store.series.daily_totals` does not carry a silent location forward, so a day
on which only some locations reported undercounts: a day counts as known only when at
least half the usual number of locations reported, and unknown days are NaN, never 0.
A day whose reports are mostly flagged ``imputed`` (the LCPS weekend interpolation) is
flagged imputed, and admissions count only where most locations gave them (a null is
unknown, not 0: LCPS published admissions only from 2020-10-17).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from kraan.domain.model import CareLevel
from kraan.store.series import DailyTotals

KNOWN_SHARE = 0.5  # a day is known when this share of the usual locations reported


def known_days(reporting: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    positive = reporting[reporting > 0]
    if positive.size == 0:
        return np.zeros(reporting.shape, dtype=bool)
    return reporting >= max(1.0, KNOWN_SHARE * float(np.median(positive)))  # type: ignore[no-any-return]


class AreaColumns:
    """The known days, imputed flags and value series of one area (None = national)."""

    def __init__(self, totals: DailyTotals, region: str | None) -> None:
        self.totals = totals
        self.rows: slice | int = (
            slice(None) if region is None else totals.region_codes.index(region)
        )
        self.reporting = self.pick(totals.reporting)
        self.known = known_days(self.reporting)
        self.imputed = np.zeros(self.reporting.shape, dtype=bool)
        if totals.imputed is not None:
            self.imputed = self.known & (2 * self.pick(totals.imputed) >= self.reporting)

    def pick(self, array: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        out = array[self.rows]
        return out.sum(axis=0) if out.ndim == 2 else out  # type: ignore[no-any-return]

    def series(self, level: CareLevel, *fields: str) -> npt.NDArray[np.float64]:
        """The sum of ``fields`` of ``level`` per day, NaN where not known."""
        values = sum(self.pick(self.totals.get(level, f)).astype(np.float64) for f in fields)
        ok = self.known
        if "admissions" in fields and level in self.totals.admissions_reporting:
            reported = self.pick(self.totals.admissions_reporting[level])
            ok = self.known & (2 * reported >= self.reporting)
        return np.where(ok, values, np.nan)
