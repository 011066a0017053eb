"""Forecast files: COVID-19 Forecast Hub quantile CSV, and a PNG of forecasts vs truth.

Hub format (reichlab/covid19-forecast-hub, ``data-processed/README.md``): one row
per ``forecast_date, target, target_end_date, location, type, quantile, value``;
``type`` is ``point`` (``quantile`` = NA) or ``quantile``; targets are named
``"<h> day ahead <quantity>"``. The Hub defines ``inc hosp`` (daily admissions);
for the other quantities Kraan uses the same pattern (docs/forecasting.md):

=============  =================================  ============================
care level     admissions (incident)              occupancy (census)
=============  =================================  ============================
ward           ``<h> day ahead inc hosp``          ``<h> day ahead occ hosp``
ic             ``<h> day ahead inc icu``           ``<h> day ahead occ icu``
=============  =================================  ============================

The point forecast is the median.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kraan.domain.forecast import KRAAN, QUANTILE_LEVELS
from kraan.domain.forecast.quantiles import INTERVALS, MEDIAN
from kraan.services.forecasting import LOCATION, AreaForecast, BacktestReport

HUB_COLUMNS = (
    "forecast_date",
    "target",
    "target_end_date",
    "location",
    "type",
    "quantile",
    "value",
)
_QUANTITY = {("ward", "inc"): "inc hosp", ("ic", "inc"): "inc icu",
             ("ward", "occ"): "occ hosp", ("ic", "occ"): "occ icu"}  # fmt: skip


def hub_rows(
    forecast_date: date,
    level: str,
    kind: str,
    quantiles: npt.NDArray[np.float64],
    location: str = LOCATION,
) -> Iterable[dict[str, Any]]:
    """Hub rows of one forecast ``(H, Q)``; ``kind`` is ``inc`` (admissions) or ``occ``."""
    quantity = _QUANTITY[(level, kind)]
    base = np.datetime64(forecast_date, "D")
    for i in range(quantiles.shape[0]):
        h = i + 1
        common = {
            "forecast_date": forecast_date.isoformat(),
            "target": f"{h} day ahead {quantity}",
            "target_end_date": str(base + h),
            "location": location,
        }
        yield {**common, "type": "point", "quantile": "NA", "value": _num(quantiles[i, MEDIAN])}
        for level_q, value in zip(QUANTILE_LEVELS, quantiles[i], strict=True):
            yield {**common, "type": "quantile", "quantile": f"{level_q:.3f}", "value": _num(value)}


def _num(value: float) -> str:
    return f"{float(value):.2f}"


def write_hub_csv(rows: Iterable[dict[str, Any]], out: io.TextIOBase | Any) -> int:
    """Write Hub rows with the header; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=HUB_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def forecast_hub_rows(forecast: AreaForecast) -> Iterable[dict[str, Any]]:
    """Occupancy and (when known) admissions of one live forecast."""
    res = forecast.result
    yield from hub_rows(forecast.as_of, forecast.target, "occ", res.occupancy, forecast.location)
    if np.isfinite(res.admissions).all():
        yield from hub_rows(
            forecast.as_of, forecast.target, "inc", res.admissions, forecast.location
        )


def backtest_hub_rows(report: BacktestReport, method: str = KRAAN) -> Iterable[dict[str, Any]]:
    """Every origin's occupancy forecast of ``method`` in a backtest."""
    quantiles = report.run.forecasts[method]
    for m, origin in enumerate(report.run.origins):
        day = report.dates[int(origin)].astype(object)
        yield from hub_rows(day, report.target, "occ", quantiles[m])


def plot_backtest(
    report: BacktestReport, path: Path, horizons: Sequence[int] | None = None
) -> Path:
    """PNG: truth and each method's median per target date; ``kraan``'s 50/90 % bands."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen = list(horizons or report.horizons)[:4]
    fig, axes = plt.subplots(
        len(chosen), 1, figsize=(11, 2.8 * len(chosen)), sharex=True, squeeze=False
    )
    run, dates = report.run, report.dates
    next_days = dates[run.origins] + np.timedelta64(1, "D")
    truth = run.truth  # (M, H), NaN on imputed days; column 0 = the day after each origin
    styles = {"persistence": ("0.45", "--"), "linear_trend": ("tab:green", ":"),
              "chime_sir": ("tab:red", "-.")}  # fmt: skip
    for ax, h in zip(axes[:, 0], chosen, strict=True):
        target_days = dates[run.origins] + np.timedelta64(h, "D")
        if KRAAN in run.forecasts:
            q = run.forecasts[KRAAN][:, h - 1, :]
            for coverage, alpha in ((0.9, 0.18), (0.5, 0.35)):
                lo, hi = INTERVALS[coverage]
                ax.fill_between(target_days, q[:, lo], q[:, hi], color="tab:blue", alpha=alpha,
                                lw=0, label=f"kraan {coverage:.0%} interval")  # fmt: skip
            ax.plot(target_days, q[:, MEDIAN], color="tab:blue", lw=1.2, label="kraan median")
        for name, (colour, dash) in styles.items():
            if name in run.forecasts:
                ax.plot(target_days, run.forecasts[name][:, h - 1, MEDIAN], color=colour,
                        ls=dash, lw=0.9, label=name)  # fmt: skip
        ax.plot(next_days, truth[:, 0], color="black", lw=1.0, label="LCPS (truth)")
        ax.set_title(f"{report.target.upper()} occupancy, {h}-day-ahead forecasts", fontsize=10)
        ax.set_ylabel("beds")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper left", fontsize=7, ncol=3)
    fig.autofmt_xdate()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
