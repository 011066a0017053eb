"""``kraan spread`` and ``kraan spread-eval``: transfer plans and the policy replay.

Plain functions on their own Typer app; the main ``kraan`` app (:mod:`kraan.cli`)
registers them::

    app.command("spread")(spread.spread)
    app.command("spread-eval")(spread.evaluate)

Exit codes: 0 done, 1 bad input (every problem listed with its field), 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kraan.cli.common import console, engine_for, fail, parse_as_of, settings_for

app = typer.Typer(
    help="Fair-share patient spreading: transfer plans and their evaluation.",
    no_args_is_help=True,
    add_completion=False,
)


def _load_input(path: Path) -> Any:
    if not path.is_file():
        raise fail(f"[red]{path} does not exist.[/]")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise fail(
            f"[red]{path} is not JSON:[/] line {error.lineno} column {error.colno}", 1
        ) from None


def _export(db: str | None, as_of: str, care_level: str) -> dict[str, Any]:
    from kraan.services.spreading import export_snapshot

    moment = parse_as_of(as_of, hint="use YYYY-MM-DD")
    settings = settings_for(db)
    engine = engine_for(settings)
    try:
        with engine.connect() as conn:
            return export_snapshot(conn, as_of=moment, settings=settings, care_level=care_level)
    finally:
        engine.dispose()


def _print_table(document: dict[str, Any]) -> None:
    out = Console()
    before, after = document["before"], document["after"]
    out.print(
        f"[bold]{document['status']}[/] in {document['solve_seconds']:.3f} s "
        f"({document['method']}): {document['patients_moved']} patients, "
        f"{document['patient_km']:.0f} patient-km"
    )
    out.print(
        f"load {before['min_load']:.2f}-{before['max_load']:.2f} -> "
        f"{after['min_load']:.2f}-{after['max_load']:.2f}; overflow "
        f"{before['overflow']:.1f} -> {after['overflow']:.1f} bed-days"
    )
    plan = Table(title="Transfer plan")
    for column in ("day", "from", "to", "patients", "class"):
        plan.add_column(column)
    for row in document["plan"]:
        plan.add_row(
            str(row["day"]), row["from"], row["to"], str(row["patients"]), row["patient_class"]
        )
    out.print(plan)
    areas = Table(title="Fair share (deviation in patients; + carries more than its share)")
    for column in ("area", "load now", "fair share now", "now", "forecast end", "after plan"):
        areas.add_column(column)
    for row in document["areas"]:
        areas.add_row(
            row["code"],
            f"{row['load_now']:.2f}",
            f"{row['fair_share_now']:.1f}",
            f"{row['deviation_now']:+.1f}",
            f"{row['deviation_forecast'][-1]:+.1f}",
            f"{row['deviation_after'][-1]:+.1f}",
        )
    out.print(areas)


@app.command("spread")
def spread(
    input_path: Annotated[
        Path | None, typer.Option("--input", help="Snapshot JSON (docs/spreading.md).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Export and solve the live store at this day.")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL for --as-of.")] = None,
    output: Annotated[str, typer.Option("--format", help="json or table.")] = "json",
    export_only: Annotated[
        bool, typer.Option("--export-only", help="With --as-of: print the snapshot, no plan.")
    ] = False,
    method: Annotated[
        str | None, typer.Option(help="auto, mip or lp_round (overrides the snapshot's settings).")
    ] = None,
) -> None:
    """A fair-share transfer plan for a snapshot (HiGHS); JSON contract in docs/spreading.md."""
    from kraan.domain.spreading.solve import SpreadInputError
    from kraan.services.spreading import solve_document

    if output not in ("json", "table"):
        raise fail("[red]--format must be json or table[/]")
    if (input_path is None) == (as_of is None):
        raise fail("[red]give exactly one of --input FILE or --as-of DATE[/]")
    if as_of is not None:
        document = _export(db, as_of, "ic")
        if export_only:
            sys.stdout.write(json.dumps(document, indent=2) + "\n")
            return
    else:
        document = _load_input(input_path)  # type: ignore[arg-type]
    if method is not None and isinstance(document, dict):
        document = {**document, "settings": {**(document.get("settings") or {}), "method": method}}
    try:
        result = solve_document(document)
    except SpreadInputError as error:
        console.print("[red]The snapshot is not valid:[/]")
        for name, message in error.problems:
            console.print(f"  {name}: {message}")
        raise typer.Exit(1) from None
    if output == "json":
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        _print_table(result)


@app.command("spread-eval")
def evaluate(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Replay this store (default: the demo in a throw-away file)."),
    ] = None,
    start: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")] = "2020-10-01",
    end: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")] = "2021-01-31",
    policies: Annotated[str, typer.Option(help="Letters of the policies to run (a-d).")] = "abcd",
    method: Annotated[str, typer.Option(help="Optimiser method: auto, mip or lp_round.")] = "auto",
    output: Annotated[str, typer.Option("--format", help="table, json or markdown.")] = "table",
) -> None:
    """Replay a real period under no coordination, greedy and the optimiser."""
    from kraan.domain.spreading import SpreadSettings
    from kraan.services.spreading_replay import (
        evaluate_demo,
        evaluate_store,
        evaluation_markdown,
        evaluation_rows,
    )
    from kraan.settings import get_settings

    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise fail("[red]--start and --end must be YYYY-MM-DD[/]") from None
    if first > last:
        raise fail(f"[red]--start {first} lies after --end {last}[/]: give an ordered range")
    if output not in ("table", "json", "markdown"):
        raise fail("[red]--format must be table, json or markdown[/]")
    if method not in ("auto", "mip", "lp_round") or not set(policies) <= set("abcd"):
        raise fail("[red]--method must be auto, mip or lp_round; --policies letters a-d[/]")
    spread_settings = SpreadSettings(method=method)
    try:
        if db:
            engine = engine_for(settings_for(db))
            results = evaluate_store(
                engine, start=first, end=last, settings=spread_settings, policies=tuple(policies)
            )
            engine.dispose()
        else:
            settings = get_settings()
            if not settings.raw_data_dir.is_dir():
                raise fail(f"[red]The bundled data is not at {settings.raw_data_dir}.[/]")
            results = evaluate_demo(
                settings, spread_settings, start=first, end=last, policies=tuple(policies)
            )
    except ValueError as error:
        raise fail(f"[red]{error}[/]", code=1) from None
    if output == "json":
        sys.stdout.write(json.dumps(evaluation_rows(results), indent=2) + "\n")
    elif output == "markdown":
        sys.stdout.write(evaluation_markdown(results) + "\n")
    else:
        table = Table(title=f"Replay {first} - {last} (IC, regions)")
        rows = evaluation_rows(results)
        for column in rows[0] if rows else ():
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(v) for v in row.values()))
        Console().print(table)
