"""``kraan import``: reports from a CSV file or an LCPS datafeed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kraan.cli.common import DbOption, console, engine_for, now, settings_for


def import_(
    path: Annotated[Path, typer.Argument(help="CSV of reports, or an LCPS datafeed CSV.")],
    db: DbOption = None,
    file_format: Annotated[
        str, typer.Option("--format", help="csv (documented columns), lcps, or auto.")
    ] = "auto",
    as_user: Annotated[
        str, typer.Option("--as", help="Who imports (recorded in the audit log).")
    ] = "cli",
    forecasts: Annotated[
        bool,
        typer.Option(
            "--forecasts/--no-forecasts",
            help="Compute and store the raw forecasts of the new days, so that the first "
            "outlook of any date is quick (docs/forecasting.md, 'Speed').",
        ),
    ] = True,
) -> None:
    """Import reports from a file. Running the same import twice changes nothing."""
    from kraan.cli.demo import store_forecasts
    from kraan.cli.progress import progress_bar
    from kraan.domain.access import Principal, Role
    from kraan.ingest.csv_reports import CsvFormatError
    from kraan.ingest.lcps import LcpsFormatError
    from kraan.services.demo import import_lcps_file
    from kraan.services.ingest import import_csv

    settings = settings_for(db)
    if not path.is_file():
        console.print(f"[red]{path} does not exist.[/]")
        raise typer.Exit(2)
    text = path.read_text(encoding="utf-8-sig")
    head = text.split("\n", 1)[0].lower()
    kind = file_format
    if kind == "auto":
        kind = "lcps" if ("ic_bedden_covid" in head or "ic_bezetting_covid" in head) else "csv"
    engine = engine_for(settings)
    if kind == "lcps":
        try:
            with progress_bar("[bold]loading reports", unit="days") as progress:
                stored = import_lcps_file(
                    engine, settings, path, actor=f"cli:{as_user}", now=now(), progress=progress
                )
        except LcpsFormatError as error:
            console.print(f"[red]{error}[/]")
            raise typer.Exit(1) from None
        console.print(f"[green]{stored} new reports[/] from {path} (days already held skipped).")
        if forecasts and stored:
            store_forecasts(engine)
        return
    principal = Principal(username=f"cli:{as_user}", role=Role.NATIONAL_COORDINATOR)
    try:
        rows = import_csv(engine, text, principal=principal, settings=settings, now=now())
    except CsvFormatError as error:
        console.print(f"[red]{path}: {error}[/]")
        raise typer.Exit(1) from None
    table = Table(title=f"Import of {path.name}")
    for column in ("line", "outcome", "version", "message"):
        table.add_column(column)
    for row in rows:
        messages = [f"{e['field']}: {e['message']}" for e in row["errors"]]  # type: ignore[attr-defined]
        messages += [f"warning {w['field']}: {w['message']}" for w in row["warnings"]]  # type: ignore[attr-defined]
        style = "red" if row["outcome"] == "rejected" else None
        table.add_row(
            str(row["line"]),
            str(row["outcome"]),
            str(row["version"] or ""),
            "\n".join(messages),
            style=style,
        )
    Console().print(table)
    if forecasts and any(r["outcome"] in ("created", "corrected") for r in rows):
        store_forecasts(engine)
    rejected = sum(1 for r in rows if r["outcome"] == "rejected")
    if rejected:
        console.print(f"[yellow]{rejected} rows rejected[/]; fix them and import the file again.")
        raise typer.Exit(1)
