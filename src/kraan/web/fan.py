"""Fan charts: reported history, then a forecast's median and its shaded intervals.

Built on :func:`kraan.web.svg.line_chart` (bands are drawn under the lines), so a fan
chart has the same axes, capacity lines and as-of marker as the trend charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from kraan.web.i18n import gettext as _
from kraan.web.svg import Band, HLine, Series, line_chart


def fan_chart(
    *,
    history_dates: Sequence[date],
    history: Sequence[float | None],
    forecast_dates: Sequence[date],
    median: Sequence[float],
    intervals: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    title: str,
    hlines: Sequence[HLine] = (),
    colour: str = "#d55e00",
    width: int = 600,
    height: int = 270,
) -> str:
    """Reported history, then the forecast median and its intervals (widest first).

    The forecast starts at the last reported value, so the fan opens from the as-of day.
    Without forecast dates only the history is drawn.
    """
    n_hist, n_fc = len(history_dates), len(forecast_dates)
    pad: list[float | None] = [None] * max(n_hist - 1, 0)
    start = history[-1] if n_hist else None
    joined = [start] if n_hist else []

    def ahead(values: Sequence[float]) -> list[float | None]:
        return pad + joined + [float(v) for v in values]

    opacities = np.linspace(0.14, 0.3, len(intervals)) if intervals else []
    bands = [
        Band(name, ahead(lo), ahead(hi), colour=colour, opacity=round(float(op), 2))
        for (name, lo, hi), op in zip(intervals, opacities, strict=True)
    ]
    series = [Series(_("Reported"), [*history, *([None] * n_fc)], colour="#1f2933")]
    if n_fc:  # no forecast days (an unreliable forecast): the history alone
        series.append(Series(_("Forecast median"), ahead(median), colour=colour, dashed=True))

    # Keep the history readable: the axis stops a little above the history, the median,
    # the narrowest interval and the capacity lines; the widest interval is cut there.
    def top(values: Sequence[float | None]) -> float:
        finite = [float(v) for v in values if v is not None and np.isfinite(v)]
        return max(finite, default=0.0)

    narrow = top(intervals[-1][2]) if intervals else 0.0
    cap = max(top(history) * 1.5, top(median) * 1.2, narrow, *(h.value for h in hlines), 1.0)
    return line_chart(
        series,
        width=width,
        height=height,
        title=title,
        y_label=_("patients"),
        x_dates=[*history_dates, *forecast_dates],
        marker_date=history_dates[-1] if n_hist else None,
        hlines=hlines,
        bands=bands,
        css_class="line-chart fan-chart",
        y_cap=cap,
        clip_note=_("↑ the 90 %% interval goes on above"),
    )
