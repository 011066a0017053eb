"""``kraan vaccination``: the delivery-driven schedule and the 2021 comparison.

Registered in :mod:`kraan.cli` with one line (``app.add_typer(vaccination.app, ...)``).

Exit codes: 0 done, 1 bad input (every problem listed with its field), 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Vaccination order and delivery-driven schedule (docs/vaccination.md).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True, soft_wrap=True)


def _what_ifs(delay: list[str], cut: list[str], restrict: list[str]) -> list[dict[str, Any]]:
    """``--delay pfizer:2[:2021-W05]``, ``--cut astrazeneca:50[:2021-W10]``,
    ``--restrict astrazeneca:60-64``."""
    out: list[dict[str, Any]] = []
    try:
        for text in delay:
            parts = text.split(":")
            out.append({"kind": "delay", "vaccine": parts[0], "weeks": int(parts[1]),
                        "from_week": parts[2] if len(parts) > 2 else None})  # fmt: skip
        for text in cut:
            parts = text.split(":")
            out.append({"kind": "cut", "vaccine": parts[0], "percent": float(parts[1]),
                        "from_week": parts[2] if len(parts) > 2 else None})  # fmt: skip
        for text in restrict:
            vaccine, ages = text.split(":")
            low, high = ages.split("-")
            out.append({"kind": "restrict", "vaccine": vaccine, "min_age": int(low),
                        "max_age": int(high)})  # fmt: skip
    except (IndexError, ValueError) as error:
        console.print(f"bad what-if option: {error} (see --help)")
        raise typer.Exit(2) from error
    return out


@app.command("schedule")
def schedule(
    deliveries: Annotated[
        Path | None,
        typer.Option("--deliveries", help="CSV week,vaccine,doses (ISO weeks, e.g. 2021-W05)."),
    ] = None,
    real_2021: Annotated[
        bool, typer.Option("--real-2021", help="Use the real 2021 weekly doses as deliveries.")
    ] = False,
    output_format: Annotated[str, typer.Option("--format", help="json or table")] = "table",
    capacity: Annotated[
        float | None, typer.Option(help="Doses that can be given per week (default: no limit).")
    ] = None,
    delay: Annotated[list[str], typer.Option(help="VACCINE:WEEKS[:FROM_WEEK]")] = [],  # noqa: B006
    cut: Annotated[list[str], typer.Option(help="VACCINE:PERCENT[:FROM_WEEK]")] = [],  # noqa: B006
    restrict: Annotated[list[str], typer.Option(help="VACCINE:MIN-MAX ages")] = [],  # noqa: B006
    uptake: Annotated[list[str], typer.Option(help="GROUP=SHARE, e.g. adults=0.6")] = [],  # noqa: B006
    method: Annotated[str, typer.Option(help="Table shows lp or greedy")] = "lp",
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write the CSV export")] = None,
) -> None:
    """Greedy and LP schedules: invitation, first dose and full vaccination per cohort."""
    from kraan.domain.care_at_home.vaccination_order import VaccinationDataError
    from kraan.services.care_at_home import vaccination as service

    if output_format not in ("json", "table") or method not in ("lp", "greedy"):
        console.print("--format is json or table; --method is lp or greedy")
        raise typer.Exit(2)
    if (deliveries is None) == (not real_2021):
        console.print("give --deliveries FILE or --real-2021 (one of them)")
        raise typer.Exit(2)
    what_ifs = _what_ifs(delay, cut, restrict)
    try:
        shares = {k: float(v) for k, v in (item.split("=", 1) for item in uptake)}
    except ValueError as error:
        console.print("--uptake takes GROUP=SHARE, e.g. adults=0.6")
        raise typer.Exit(2) from error
    try:
        if deliveries is not None:
            try:
                text = deliveries.read_text(encoding="utf-8")
            except OSError as error:
                console.print(f"cannot read {deliveries}: {error.strerror}")
                raise typer.Exit(2) from error
            weeks, series = service.parse_deliveries(text)
        else:
            weeks, series = service.real_2021_deliveries()
        inp = service.schedule_input(weeks, series, capacity=capacity, uptake=shares or None)
        document = service.schedule_document(inp, what_ifs)
    except VaccinationDataError as error:
        for name, message in error.problems:
            console.print(f"{name}: {message}")
        raise typer.Exit(1) from error
    if csv_out is not None:
        csv_out.write_text(service.export_csv(document, method), encoding="utf-8")
    if output_format == "json":
        document = {k: v for k, v in document.items() if k not in ("chart", "item_series")}
        if real_2021:
            document["comparison_2021"] = service.compare_2021(document)
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    table = Table(title=f"Vaccination schedule ({method}), {weeks[0]}..{weeks[-1]}")
    for column in ("rank", "cohort", "uptake", "invited", "first dose", "half", "done", "full"):
        table.add_column(column)
    for row in document["schedules"][method]["items"]:
        table.add_row(
            str(row["rank"]), str(row["label"]), f"{row['demand']:,}",
            *(str(row[k] or "-") for k in ("invitation_week", "first_dose_start",
                                           "first_dose_half", "first_dose_done",
                                           "fully_vaccinated")),
        )  # fmt: skip
    Console(soft_wrap=True, width=160).print(table)
    diffs = document["differences"]
    console.print(f"greedy and LP differ for {len(diffs)} cohort(s); use --format json for detail")


@app.command("compare-2021")
def compare() -> None:
    """The 2021 check: model first-dose weeks of the over-60s against the real programme."""
    from kraan.services.care_at_home import vaccination as service

    sys.stdout.write(json.dumps(service.compare_2021(), indent=2) + "\n")
