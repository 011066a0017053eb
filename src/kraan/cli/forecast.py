"""``kraan backtest`` and ``kraan forecast``: occupancy forecasts from an LCPS datafeed.

The plain functions :func:`backtest` and :func:`forecast` are registered on the main
app (:mod:`kraan.cli`); :data:`forecast_app` holds them too, for tests and for running
this module on its own.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from kraan.cli.common import console, fail, parse_day

if TYPE_CHECKING:
    from kraan.ingest.lcps import NationalSeries

forecast_app = typer.Typer(
    help="Occupancy forecasts with calibrated uncertainty, and their backtests.",
    no_args_is_help=True,
    add_completion=False,
)
InputOption = Annotated[
    Path | None,
    typer.Option(
        "--input",
        help="LCPS datafeed CSV, old (lcps_by_day.csv) or new (covid-19-datafeed) format.",
    ),
]
CombinedOption = Annotated[
    bool,
    typer.Option(
        "--combined",
        help="Instead of --input: the combined LCPS series 2020-02-27..2022-06-30 "
        "(old feed for 2020, new feed from 2021; needs the raw data directory).",
    ),
]
RawDirOption = Annotated[
    Path | None,
    typer.Option("--raw-dir", help="Raw data directory for --combined (KRAAN_RAW_DATA_DIR)."),
]
TargetOption = Annotated[str, typer.Option("--target", help="ic or ward (COVID occupancy).")]


#: matplotlib is the optional extra ``plot``: only ``--plot`` uses it.
PLOT_NEEDS = "--plot needs matplotlib: pip install 'kraan\\[plot]' (or pip install matplotlib)"


def _fail(message: str, code: int = 2) -> typer.Exit:
    return fail(f"[red]{message}[/]", code)


def _horizons(value: str) -> list[int]:
    try:
        horizons = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise _fail(f"--horizons '{value}' must be comma-separated days, e.g. 1,3,7,14") from None
    if not horizons or horizons[0] < 1 or horizons[-1] > 14:
        raise _fail("--horizons must lie in 1..14")
    return horizons


def _national(input_path: Path | None, combined: bool, raw_dir: Path | None) -> NationalSeries:
    """Parse the chosen LCPS data; exit 1 naming the file and line on a bad file."""
    from kraan.ingest.lcps import LcpsFormatError
    from kraan.services.forecasting import load_national

    if (input_path is None) == (not combined):
        raise _fail("give exactly one of --input FILE and --combined")
    if input_path is not None and not input_path.is_file():
        raise _fail(f"{input_path} does not exist")
    directory = None
    if combined:
        from kraan.settings import get_settings

        directory = raw_dir or get_settings().raw_data_dir
    try:
        return load_national(input_path, raw_dir=directory)
    except LcpsFormatError as error:
        raise _fail(str(error), 1) from None


def _target(value: str) -> str:
    if value not in ("ic", "ward"):
        raise _fail(f"--target must be ic or ward, not '{value}'")
    return value


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote {output}")


@forecast_app.command("backtest")
def backtest(
    target: TargetOption = "ic",
    input_path: InputOption = None,
    combined: CombinedOption = False,
    raw_dir: RawDirOption = None,
    start: Annotated[str | None, typer.Option(help="First origin (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day of data used (YYYY-MM-DD).")] = None,
    horizons: Annotated[str, typer.Option(help="Days ahead to score, 1..14.")] = "1,3,7,14",
    output_format: Annotated[str, typer.Option("--format", help="json, csv or table.")] = "table",
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also write a PNG of forecasts vs truth.")
    ] = None,
    hub: Annotated[
        Path | None,
        typer.Option("--hub", help="Also write kraan's forecasts as Forecast Hub CSV."),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Write to a file, not stdout.")] = None,
    seed: Annotated[int | None, typer.Option(help="Monte Carlo seed.")] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="Instead of --start/--end: train (2020-10-01..2021-06-30, where the defaults "
            "were chosen), validation (2021-07-01..2022-06-30, never used to choose) or both."
        ),
    ] = None,
) -> None:
    """Rolling-origin backtest of kraan and the baselines (MAE, MAPE, WIS, coverage)."""
    if period is not None:
        _periods(period, start, end, plot, hub)
        if period == "both" and (output_format != "table" or output is not None):
            raise _fail("--period both prints two tables; for json or csv give one period")
        for name in ("train", "validation") if period == "both" else (period,):
            from kraan.domain.forecast.params import PERIODS

            lo, hi = PERIODS[name]
            if output_format == "table":
                Console().print(f"[bold]{name}[/] period {lo}..{hi}")
            backtest(target, input_path, combined, raw_dir, lo, hi, horizons, output_format,
                     None, None, output, seed, None)  # fmt: skip
        return
    from dataclasses import replace

    from kraan.cli.progress import progress_bar
    from kraan.domain.forecast import DEFAULT_PARAMS
    from kraan.services.forecasting import backtest as run
    from kraan.services.forecasting import backtest_document, backtest_rows

    if output_format not in ("json", "csv", "table"):
        raise _fail("--format must be json, csv or table")
    if plot is not None and importlib.util.find_spec("matplotlib") is None:
        raise _fail(PLOT_NEEDS)
    level = _target(target)
    days = _horizons(horizons)
    first, last = parse_day(start, "--start"), parse_day(end, "--end")
    if first and last and first > last:
        raise _fail("--start lies after --end")
    national = _national(input_path, combined, raw_dir)
    params = DEFAULT_PARAMS if seed is None else replace(DEFAULT_PARAMS, seed=seed)
    try:
        with progress_bar(
            f"backtest {level}", console=console, transient=True, enabled=console.is_terminal
        ) as progress:
            report = run(
                national,
                target=level,
                start=first,
                end=last,
                horizons=days,
                params=params,
                progress=progress,
            )
    except ValueError as error:
        raise _fail(str(error)) from None
    if not backtest_rows(report):
        raise _fail(f"no forecast origin between {first or 'the start'} and {last or 'the end'}")
    if not any(s.as_dict()["n"] for per_h in report.scores.values() for s in per_h.values()):
        # an empty range: every origin lies too close to --end for any horizon to be scored
        raise _fail(
            f"nothing to score between {report.start} and {report.end}: no forecast's day "
            f"{min(days)} outcome falls in the range; give a longer range"
        )
    if plot is not None:
        from kraan.services.forecast_output import plot_backtest

        try:
            console.print(f"Wrote {plot_backtest(report, plot)}")
        except ImportError:
            raise _fail(PLOT_NEEDS) from None
    if hub is not None:
        from kraan.services.forecast_output import backtest_hub_rows, write_hub_csv

        with hub.open("w", encoding="utf-8", newline="") as handle:
            write_hub_csv(backtest_hub_rows(report), handle)
        console.print(f"Wrote {hub}")
    if output_format == "json":
        _emit(json.dumps(backtest_document(report), indent=2) + "\n", output)
    elif output_format == "csv":
        _emit(_csv(backtest_rows(report)), output)
    else:
        _print_table(report.target, report.start, report.end, backtest_rows(report), output)


def _periods(
    period: str, start: str | None, end: str | None, plot: Path | None, hub: Path | None
) -> None:
    if period not in ("train", "validation", "both"):
        raise _fail("--period must be train, validation or both")
    if start or end or plot or hub:
        raise _fail("--period replaces --start/--end, and writes no --plot or --hub")


def _csv(rows: list[dict[str, object]]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _fmt(value: object, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _print_table(
    target: str, start: date, end: date, rows: list[dict[str, object]], output: Path | None
) -> None:
    table = Table(title=f"Backtest {target.upper()} occupancy, origins {start}..{end}")
    for column in ("method", "h", "MAE", "MAPE %", "WIS", "cov50", "cov90", "n"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for row in rows:
        table.add_row(
            str(row["method"]),
            str(row["horizon"]),
            _fmt(row["mae"], ".1f"),
            _fmt(row["mape"], ".1f"),
            _fmt(row["wis"], ".1f"),
            _fmt(row["cov50"], ".2f"),
            _fmt(row["cov90"], ".2f"),
            str(row["n"]),
            style="bold" if row["method"] == "kraan" else None,
        )
    if output is None:
        Console().print(table)
        return
    with output.open("w", encoding="utf-8") as handle:
        Console(file=handle, width=120).print(table)
    console.print(f"Wrote {output}")


@forecast_app.command("forecast")
def forecast(
    target: TargetOption = "ic",
    input_path: InputOption = None,
    combined: CombinedOption = False,
    raw_dir: RawDirOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Origin day (default: last day of data).")
    ] = None,
    capacity: Annotated[
        float | None,
        typer.Option(help="Beds to compare with, e.g. 1350 (IC scale-up plan, domain.md)."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="json, table or hub (Forecast Hub CSV).")
    ] = "table",
    output: Annotated[Path | None, typer.Option(help="Write to a file, not stdout.")] = None,
) -> None:
    """Forecast occupancy and admissions 1..14 days ahead with calibrated quantiles."""
    from kraan.services.forecasting import UNRELIABLE, forecast_national, forecast_to_json

    if output_format not in ("json", "table", "hub"):
        raise _fail("--format must be json, table or hub")
    level = _target(target)
    day = parse_day(as_of, "--as-of")
    national = _national(input_path, combined, raw_dir)
    try:
        result = forecast_national(national, target=level, as_of=day, capacity=capacity)
    except ValueError as error:
        raise _fail(str(error)) from None
    if not result.result.reliable and output_format != "table":  # json has it too
        console.print(f"[bold red]{UNRELIABLE}: {result.result.unreliable}[/]")
    if output_format == "hub":
        import io

        from kraan.services.forecast_output import forecast_hub_rows, write_hub_csv

        buffer = io.StringIO()
        write_hub_csv(forecast_hub_rows(result), buffer)
        _emit(buffer.getvalue(), output)
        return
    document = forecast_to_json(result)
    if output_format == "json":
        _emit(json.dumps(document, indent=2) + "\n", output)
        return
    table = Table(title=f"{level.upper()} occupancy forecast from {document['as_of']} (kraan)")
    for column in ("date", "h", "2.5%", "5%", "25%", "median", "75%", "95%", "97.5%", "P(>cap)"):
        table.add_column(column, justify="right")
    exceed = (document["capacity"] or {}).get("exceed_probability")
    for i, row in enumerate(document["occupancy"]):
        q = row["quantiles"]
        cells = [q[k] for k in ("0.025", "0.05", "0.25", "0.5", "0.75", "0.95", "0.975")]
        table.add_row(
            row["date"],
            str(row["horizon"]),
            *(f"{v:.0f}" for v in cells),
            "-" if exceed is None else f"{exceed[i]:.0%}",
        )
    out = Console()
    if not document["reliable"]:
        out.print(f"[bold]{document['state']}[/]")
        out.print("The raw model's quantiles follow; do not rely on them.")
    out.print(table)
    if document["capacity"]:
        cap = document["capacity"]
        out.print(
            f"Capacity {cap['beds']:g}: median exceeds it on {cap['median_crossing'] or 'no day'}, "
            f"upper end of the 90% interval on {cap['upper90_crossing'] or 'no day'} "
            "(within 14 days)."
        )


if __name__ == "__main__":
    forecast_app()
